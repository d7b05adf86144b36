// The proxy-wasm entry points (ABI 0.2.x calls in), dispatched to the contexts of contexts.ts. The same set of
// exports, with the same behaviour, as the SDK's (@solo-io/proxy-runtime 0.1.8 proxy.ts: malloc/free and
// exports.ts); see contexts.ts for why the dispatch is ours.
//
// Garbage is collected at safe points here (filter/gc.ts): after a stream's last callback, after the callbacks that
// load a rule set or settings document (configure, an HTTP call's response), and before a large complete body is
// inspected. Each is the outermost wasm frame, with no managed reference of its own held across the collection.
import { base, ensureContext, ensureRootContext, forget, root, stream } from "./contexts";
import { beforeBody, largeStateChanged, streamEnded } from "../gc";

export { malloc, free } from "@solo-io/proxy-runtime/assembly/malloc";

export function proxy_abi_version_0_2_0(): void {}

export function proxy_on_vm_start(root_context_id: u32, configuration_size: u32): u32 {
  return root(root_context_id).onStart(configuration_size) ? 1 : 0;
}
export function proxy_validate_configuration(root_context_id: u32, configuration_size: u32): u32 {
  return root(root_context_id).validateConfiguration(configuration_size) ? 1 : 0;
}
export function proxy_on_configure(root_context_id: u32, configuration_size: u32): u32 {
  const ok = root(root_context_id).onConfigure(configuration_size);
  largeStateChanged();
  return ok ? 1 : 0;
}
export function proxy_on_tick(root_context_id: u32): void {
  root(root_context_id).onTick();
}
export function proxy_on_foreign_function(_root_context_id: u32, _function_id: u32, _data_size: u32): void {}
export function proxy_on_queue_ready(root_context_id: u32, token: u32): void {
  root(root_context_id).onQueueReady(token);
}

export function proxy_on_context_create(context_id: u32, root_context_id: u32): void {
  if (root_context_id != 0) ensureContext(context_id, root_context_id);
  else ensureRootContext(context_id);
}

export function proxy_on_request_headers(context_id: u32, headers: u32, end_of_stream: u32): i32 {
  return stream(context_id).onRequestHeaders(headers, end_of_stream != 0);
}
export function proxy_on_request_body(context_id: u32, body_buffer_length: u32, end_of_stream: u32): i32 {
  beforeBody(body_buffer_length, end_of_stream != 0);
  return stream(context_id).onRequestBody(body_buffer_length, end_of_stream != 0);
}
export function proxy_on_request_trailers(context_id: u32, trailers: u32): i32 {
  return stream(context_id).onRequestTrailers(trailers);
}
export function proxy_on_request_metadata(context_id: u32, nelements: u32): i32 {
  return stream(context_id).onRequestMetadata(nelements);
}
export function proxy_on_response_headers(context_id: u32, headers: u32, end_of_stream: u32): i32 {
  return stream(context_id).onResponseHeaders(headers, end_of_stream != 0);
}
export function proxy_on_response_body(context_id: u32, body_buffer_length: u32, end_of_stream: u32): i32 {
  beforeBody(body_buffer_length, end_of_stream != 0);
  return stream(context_id).onResponseBody(body_buffer_length, end_of_stream != 0);
}
export function proxy_on_response_trailers(context_id: u32, trailers: u32): i32 {
  return stream(context_id).onResponseTrailers(trailers);
}
export function proxy_on_response_metadata(context_id: u32, nelements: u32): i32 {
  return stream(context_id).onResponseMetadata(nelements);
}

export function proxy_on_http_call_response(context_id: u32, token: u32, headers: u32, body_size: u32, trailers: u32): void {
  root(context_id).onHttpCallResponse(token, headers, body_size, trailers);
  largeStateChanged();
}
export function proxy_on_grpc_receive_initial_metadata(context_id: u32, token: u32, headers: u32): void {
  root(context_id).on_grpc_receive_initial_metadata(token, headers);
}
export function proxy_on_grpc_trailing_metadata(context_id: u32, token: u32, trailers: u32): void {
  root(context_id).on_grpc_trailing_metadata(token, trailers);
}
export function proxy_on_grpc_receive(context_id: u32, token: u32, response_size: u32): void {
  root(context_id).on_grpc_receive(token, response_size);
}
export function proxy_on_grpc_close(context_id: u32, token: u32, status_code: u32): void {
  root(context_id).on_grpc_close(token, status_code);
}

export function proxy_on_done(context_id: u32): u32 {
  return base(context_id).onDone() ? 1 : 0;
}
export function proxy_on_log(context_id: u32): void {
  stream(context_id).onLog();
}
export function proxy_on_delete(context_id: u32): void {
  base(context_id).onDelete();
  forget(context_id);
  streamEnded();
}
