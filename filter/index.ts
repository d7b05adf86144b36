// The workload-waf proxy-wasm module. Envoy loads this file's exports: the proxy-wasm ABI entry points come from
// the SDK (@solo-io/proxy-runtime), and the filter registers its root context factory under the root id "waf"
// (the plugin's `root_id` in Envoy's configuration must say the same).
//
// At this stage the filter inspects nothing: it accepts its configuration and lets every stream through.
// The rule engine (phases, decisions, events) plugs in here.
export * from "@solo-io/proxy-runtime/assembly/proxy";
import { RootContext, Context, registerRootContext, FilterHeadersStatusValues, log, LogLevelValues } from "@solo-io/proxy-runtime/assembly/index";
import { BufferType, getBufferBytes } from "./abi/buffers";

class WafRoot extends RootContext {
  configuration: ArrayBuffer = new ArrayBuffer(0);

  createContext(context_id: u32): Context {
    return new WafStream(context_id, this);
  }

  // Overrides the SDK's onConfigure, which reads the configuration through a wrong pointer (see abi/buffers.ts).
  onConfigure(configuration_size: u32): bool {
    const bytes = getBufferBytes(BufferType.PluginConfiguration, 0, configuration_size);
    if (bytes === null) {
      log(LogLevelValues.error, "workload-waf: could not read the plugin configuration");
      return false;
    }
    this.configuration = bytes;
    log(LogLevelValues.info, "workload-waf: filter configured (" + bytes.byteLength.toString() + " bytes of configuration); no rule engine in this build, traffic passes uninspected");
    return true;
  }
}

class WafStream extends Context {
  onRequestHeaders(_headers: u32, _end_of_stream: bool): FilterHeadersStatusValues {
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => new WafRoot(context_id), "waf");
