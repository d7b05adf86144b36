// The context table the proxy-wasm entry points (exports.ts) dispatch through: the SDK's (runtime.ts
// ensureRootContext / ensureContext / getContext), minus the debug lines it builds on every stream — string
// concatenations and a join over every live context id, UTF-8 encoded and handed to proxy_log even when the host
// drops debug messages (~10% of the filter's fixed per-request cost). A stream's root context is created on first
// use from the factory registered under the plugin's root id (property plugin_root_id); a missing context or
// factory aborts (the VM fails), as with the SDK.
import { BaseContext, Context, RootContext, log, LogLevelValues } from "@solo-io/proxy-runtime/assembly/index";
import * as imports from "@solo-io/proxy-runtime/assembly/imports";
import { free } from "@solo-io/proxy-runtime/assembly/malloc";

const OUT_PTR: usize = memory.data(8, 4);
const rootFactories = new Map<string, (context_id: u32) => RootContext>();
const contexts = new Map<u32, BaseContext>();

/** Registers the factory of the root context Envoy creates for `rootId` (the plugin's root_id). */
export function registerRoot(factory: (context_id: u32) => RootContext, rootId: string): void {
  rootFactories.set(rootId, factory);
}

function pluginRootId(): string {
  const path = String.UTF8.encode("plugin_root_id");
  const rc = imports.proxy_get_property(changetype<usize>(path), path.byteLength, OUT_PTR, OUT_PTR + 4);
  if (rc != 0) {
    // the SDK's get_property (CHECK_RESULT): a failed read is fatal
    log(LogLevelValues.critical, rc.toString());
    throw new Error(":(");
  }
  const ptr = load<usize>(OUT_PTR);
  if (ptr == 0 || load<u32>(OUT_PTR + 4) == 0) return "";
  const b = changetype<ArrayBuffer>(ptr);
  free(ptr);
  return String.UTF8.decode(b);
}

export function ensureRootContext(root_context_id: u32): RootContext {
  if (contexts.has(root_context_id)) return contexts.get(root_context_id) as RootContext;
  const rootId = pluginRootId();
  if (!rootFactories.has(rootId)) throw new Error("Missing root context factory for root id: " + rootId);
  const root = rootFactories.get(rootId)(root_context_id);
  root.context_id = root_context_id;
  contexts.set(root_context_id, root);
  return root;
}

export function ensureContext(context_id: u32, root_context_id: u32): void {
  const root = ensureRootContext(root_context_id);
  if (contexts.has(context_id)) return;
  contexts.set(context_id, root.createContext(context_id));
}

// @ts-ignore: decorator
@inline export function base(id: u32): BaseContext {
  return contexts.get(id);
}
// @ts-ignore: decorator
@inline export function stream(id: u32): Context {
  return contexts.get(id) as Context;
}
// @ts-ignore: decorator
@inline export function root(id: u32): RootContext {
  return contexts.get(id) as RootContext;
}

/** proxy_on_delete: the context is gone. */
export function forget(id: u32): void {
  contexts.delete(id);
}
