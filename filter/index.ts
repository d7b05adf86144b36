// The workload-waf proxy-wasm module. Envoy loads this file's exports: the proxy-wasm ABI entry points come from
// the SDK (@solo-io/proxy-runtime), and the filter registers its root context factory here.
export * from "@solo-io/proxy-runtime/assembly/proxy";
import { RootContext, Context, registerRootContext, FilterHeadersStatusValues } from "@solo-io/proxy-runtime/assembly/index";

class WafRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new WafStream(context_id, this);
  }
}

class WafStream extends Context {
  onRequestHeaders(_headers: u32, _end_of_stream: bool): FilterHeadersStatusValues {
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => new WafRoot(context_id), "waf");
