// The `env` hostcalls of ABI v0.2.1 (proxy-wasm-cpp-host src/exports.cc), each validating memory the
// way cpp-host does and delegating to the current/effective context (context.ts, stream.ts).
import {
  BUFFER_TYPE_MAX,
  HEADER_MAP_TYPE_MAX,
  LOG_LEVELS,
  STREAM_TYPE_MAX,
  WasmResult,
} from "./abi.js";
import { decodePairs, latin1, pairsSize, writePairs } from "./pairs.js";
import { getProperty, setProperty } from "./properties.js";
import {
  dequeueSharedQueue,
  enqueueSharedQueue,
  getSharedData,
  registerSharedQueue,
  resolveSharedQueue,
  setSharedData,
} from "./shared.js";
import type { WasmVm } from "./vm.js";

const utf8 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8");

export function buildEnvImports(vm: WasmVm): Record<string, (...args: never[]) => number> {
  const mem = () => vm.memory;
  const ctx = () => vm.effectiveContext();
  const IMA = WasmResult.InvalidMemoryAccess;

  const httpCall = (
    uriPtr: number, uriSize: number, hPtr: number, hSize: number, bPtr: number, bSize: number,
    tPtr: number, tSize: number, timeoutMs: number, tokenPtr: number,
  ): number => {
    const uri = mem().read(uriPtr, uriSize);
    const body = mem().read(bPtr, bSize);
    const headers = mem().read(hPtr, hSize);
    const trailers = mem().read(tPtr, tSize);
    if (!uri || !body || !headers || !trailers) return IMA;
    // cpp-host writes the token once up front to validate the pointer before starting the call.
    if (!mem().writeU32(tokenPtr, 0)) return IMA;
    // Envoy takes timeout_milliseconds as a signed int: values >= 2^31 are negative → BadArgument.
    const timeout = timeoutMs | 0;
    if (timeout < 0) return WasmResult.BadArgument;
    const r = vm.runtime.httpCall(vm, utf8(uri), decodePairs(headers), body, decodePairs(trailers), timeout);
    if (r.token !== undefined) mem().writeU32(tokenPtr, r.token);
    return r.rc;
  };

  const continueStream = (type: number): number => {
    if (type > STREAM_TYPE_MAX) return WasmResult.BadArgument;
    return ctx().continueStream(type);
  };

  return {
    proxy_log(level: number, ptr: number, size: number): number {
      // cpp-host validates the message's memory before anything else; it is decoded only when logged.
      if (!mem().inBounds(ptr, size)) return IMA;
      const name = LOG_LEVELS[level];
      if (name === undefined) return WasmResult.BadArgument;
      if (level >= vm.runtime.logLevelIndex) vm.runtime.log(name, mem().readUtf8(ptr, size)!);
      return WasmResult.Ok;
    },
    proxy_get_log_level(ptr: number): number {
      return mem().writeU32(ptr, vm.runtime.logLevelIndex) ? WasmResult.Ok : IMA;
    },
    proxy_get_status(codePtr: number, msgPtr: number, msgSize: number): number {
      if (!mem().writeU32(codePtr, 0)) return IMA;
      return mem().copyToPointerSize(new Uint8Array(0), msgPtr, msgSize) ? WasmResult.Ok : IMA;
    },
    proxy_set_tick_period_milliseconds(ms: number): number {
      // Ticks always belong to the root context (ContextBase::setTimerPeriod uses root_context()).
      ctx().root().tickPeriodMs = ms;
      vm.runtime.tickPeriodChanged(vm);
      return WasmResult.Ok;
    },
    proxy_get_current_time_nanoseconds(ptr: number): number {
      return mem().writeU64(ptr, vm.runtime.wallNs()) ? WasmResult.Ok : IMA;
    },
    proxy_get_property(pathPtr: number, pathSize: number, valuePtrPtr: number, valueSizePtr: number): number {
      const path = mem().readLatin1Repeated(pathPtr, pathSize);
      if (path === undefined) return IMA;
      const r = getProperty(ctx().propertyEnv(), path);
      if (r.rc !== WasmResult.Ok) return r.rc;
      const v = r.value!;
      const ok = v instanceof Uint8Array
        ? mem().copyToPointerSize(v, valuePtrPtr, valueSizePtr)
        : mem().textToPointerSize(v.text, v.utf8, valuePtrPtr, valueSizePtr);
      return ok ? WasmResult.Ok : IMA;
    },
    proxy_set_property(pathPtr: number, pathSize: number, valuePtr: number, valueSize: number): number {
      const path = mem().read(pathPtr, pathSize);
      const value = mem().read(valuePtr, valueSize);
      if (!path || !value) return IMA;
      return setProperty(ctx().propertyEnv(), latin1(path), value);
    },
    proxy_get_configuration(ptrPtr: number, sizePtr: number): number {
      const root = ctx().root();
      const bytes = root.configuring ?? vm.runtime.vmConfiguration;
      return mem().copyToPointerSize(bytes, ptrPtr, sizePtr) ? WasmResult.Ok : IMA;
    },
    proxy_continue_stream: continueStream,
    proxy_continue_request: () => continueStream(0),
    proxy_continue_response: () => continueStream(1),
    proxy_close_stream(type: number): number {
      if (type > STREAM_TYPE_MAX) return WasmResult.BadArgument;
      return ctx().closeStream(type);
    },
    proxy_send_local_response(
      code: number, detailsPtr: number, detailsSize: number, bodyPtr: number, bodySize: number,
      hPtr: number, hSize: number, grpcStatus: number,
    ): number {
      const details = mem().read(detailsPtr, detailsSize);
      const body = mem().read(bodyPtr, bodySize);
      const headers = mem().read(hPtr, hSize);
      if (!details || !body || !headers) return IMA;
      const c = ctx();
      c.sendLocalResponse(code, body, decodePairs(headers), grpcStatus | 0, utf8(details));
      // exports.cc: the current callback's result is overridden to stop iteration.
      vm.stopNextIteration = true;
      return WasmResult.Ok;
    },
    proxy_clear_route_cache(): number {
      return ctx().clearRouteCache();
    },
    proxy_get_shared_data(keyPtr: number, keySize: number, valuePtrPtr: number, valueSizePtr: number, casPtr: number): number {
      const key = mem().read(keyPtr, keySize);
      if (!key) return IMA;
      const r = getSharedData(vm.runtime.vmId, latin1(key));
      if (r.rc !== WasmResult.Ok) return r.rc;
      if (!mem().copyToPointerSize(r.value!, valuePtrPtr, valueSizePtr)) return IMA;
      return mem().writeU32(casPtr, r.cas!) ? WasmResult.Ok : IMA;
    },
    proxy_set_shared_data(keyPtr: number, keySize: number, valuePtr: number, valueSize: number, cas: number): number {
      const key = mem().read(keyPtr, keySize);
      const value = mem().read(valuePtr, valueSize);
      if (!key || !value) return IMA;
      return setSharedData(vm.runtime.vmId, latin1(key), value, cas);
    },
    proxy_register_shared_queue(namePtr: number, nameSize: number, tokenPtr: number): number {
      const name = mem().read(namePtr, nameSize);
      if (!name) return IMA;
      // proxy_on_queue_ready goes to the root context (of a stream context: its parent).
      const token = registerSharedQueue(vm.runtime.vmId, latin1(name), {
        queueReady: (t) => vm.runtime.queueReady(vm, t),
      });
      return mem().writeU32(tokenPtr, token) ? WasmResult.Ok : IMA;
    },
    proxy_resolve_shared_queue(vmIdPtr: number, vmIdSize: number, namePtr: number, nameSize: number, tokenPtr: number): number {
      const vmId = mem().read(vmIdPtr, vmIdSize);
      const name = mem().read(namePtr, nameSize);
      if (!vmId || !name) return IMA;
      const token = resolveSharedQueue(latin1(vmId), latin1(name));
      if (token === undefined) return WasmResult.NotFound;
      return mem().writeU32(tokenPtr, token) ? WasmResult.Ok : IMA;
    },
    proxy_dequeue_shared_queue(token: number, dataPtrPtr: number, dataSizePtr: number): number {
      const r = dequeueSharedQueue(token);
      if (r.rc !== WasmResult.Ok) return r.rc;
      return mem().copyToPointerSize(r.value!, dataPtrPtr, dataSizePtr) ? WasmResult.Ok : IMA;
    },
    proxy_enqueue_shared_queue(token: number, dataPtr: number, dataSize: number): number {
      const data = mem().read(dataPtr, dataSize);
      if (!data) return IMA;
      return enqueueSharedQueue(token, data);
    },
    proxy_add_header_map_value(type: number, kPtr: number, kSize: number, vPtr: number, vSize: number): number {
      if (type > HEADER_MAP_TYPE_MAX) return WasmResult.BadArgument;
      const k = mem().readLatin1(kPtr, kSize);
      const v = mem().readLatin1(vPtr, vSize);
      if (k === undefined || v === undefined) return IMA;
      const c = ctx();
      const map = c.getMap(type);
      if (!map) return WasmResult.BadArgument;
      map.add(k, v);
      c.onHeadersModified(type);
      return WasmResult.Ok;
    },
    proxy_get_header_map_value(type: number, kPtr: number, kSize: number, vPtrPtr: number, vSizePtr: number): number {
      if (type > HEADER_MAP_TYPE_MAX) return WasmResult.BadArgument;
      const k = mem().readLatin1(kPtr, kSize);
      if (k === undefined) return IMA;
      const c = ctx();
      const map = c.getConstMap(type);
      if (!map) return c.inAccessLog() ? WasmResult.NotFound : WasmResult.BadArgument;
      const v = map.get(k);
      if (v === undefined) return WasmResult.NotFound;
      return mem().copyToPointerSize(Buffer.from(v, "latin1"), vPtrPtr, vSizePtr) ? WasmResult.Ok : IMA;
    },
    proxy_get_header_map_pairs(type: number, ptrPtr: number, sizePtr: number): number {
      if (type > HEADER_MAP_TYPE_MAX) return WasmResult.BadArgument;
      const map = ctx().getConstMap(type);
      const pairs = map ? map.view() : [];
      // exports.cc: an empty map is handed over as an empty string (pointer 0, size 0).
      const size = pairs.length === 0 ? 0 : pairsSize(pairs);
      return mem().fillToPointerSize(size, (out, dv, at) => writePairs(pairs, out, dv, at), ptrPtr, sizePtr) ? WasmResult.Ok : IMA;
    },
    proxy_set_header_map_pairs(type: number, ptr: number, size: number): number {
      if (type > HEADER_MAP_TYPE_MAX) return WasmResult.BadArgument;
      const data = mem().read(ptr, size);
      if (!data) return IMA;
      const c = ctx();
      const map = c.getMap(type);
      if (!map) return WasmResult.BadArgument;
      map.setPairs(decodePairs(data));
      c.onHeadersModified(type);
      return WasmResult.Ok;
    },
    proxy_replace_header_map_value(type: number, kPtr: number, kSize: number, vPtr: number, vSize: number): number {
      if (type > HEADER_MAP_TYPE_MAX) return WasmResult.BadArgument;
      const k = mem().readLatin1(kPtr, kSize);
      const v = mem().readLatin1(vPtr, vSize);
      if (k === undefined || v === undefined) return IMA;
      const c = ctx();
      const map = c.getMap(type);
      if (!map) return WasmResult.BadArgument;
      map.replace(k, v);
      c.onHeadersModified(type);
      return WasmResult.Ok;
    },
    proxy_remove_header_map_value(type: number, kPtr: number, kSize: number): number {
      if (type > HEADER_MAP_TYPE_MAX) return WasmResult.BadArgument;
      const k = mem().readLatin1(kPtr, kSize);
      if (k === undefined) return IMA;
      const c = ctx();
      const map = c.getMap(type);
      if (!map) return WasmResult.BadArgument;
      map.remove(k);
      c.onHeadersModified(type);
      return WasmResult.Ok;
    },
    proxy_get_header_map_size(type: number, sizePtr: number): number {
      if (type > HEADER_MAP_TYPE_MAX) return WasmResult.BadArgument;
      // Envoy Context::getHeaderMapSize: the mutable map's byteSize() (sum of key and value bytes).
      const map = ctx().getMap(type);
      if (!map) return WasmResult.BadArgument;
      return mem().writeU32(sizePtr, map.byteSize()) ? WasmResult.Ok : IMA;
    },
    proxy_get_buffer_bytes(type: number, start: number, length: number, ptrPtr: number, sizePtr: number): number {
      if (type > BUFFER_TYPE_MAX) return WasmResult.BadArgument;
      const buf = ctx().getBuffer(type);
      if (!buf) return WasmResult.NotFound;
      // exports.cc: reads are clamped to the buffer (start and length are 32-bit values held in 64-bit
      // Words there, so start + length cannot overflow and is never BadArgument).
      let len = length;
      if (start > buf.size()) len = 0;
      else if (start + len > buf.size()) len = buf.size() - start;
      if (len === 0) return mem().writeU32(ptrPtr, 0) && mem().writeU32(sizePtr, 0) ? WasmResult.Ok : IMA;
      return mem().copyToPointerSize(buf.read(start, len), ptrPtr, sizePtr) ? WasmResult.Ok : IMA;
    },
    proxy_get_buffer_status(type: number, lengthPtr: number, flagsPtr: number): number {
      if (type > BUFFER_TYPE_MAX) return WasmResult.BadArgument;
      const buf = ctx().getBuffer(type);
      if (!buf) return WasmResult.NotFound;
      return mem().writeU32(lengthPtr, buf.size()) && mem().writeU32(flagsPtr, 0) ? WasmResult.Ok : IMA;
    },
    proxy_set_buffer_bytes(type: number, start: number, length: number, dataPtr: number, dataSize: number): number {
      if (type > BUFFER_TYPE_MAX) return WasmResult.BadArgument;
      const c = ctx();
      const buf = c.getBuffer(type);
      if (!buf) return WasmResult.NotFound;
      const data = mem().read(dataPtr, dataSize);
      if (!data) return IMA;
      return buf.copyFrom(start, length, data);
    },
    proxy_http_call: httpCall,
    proxy_dispatch_http_call: httpCall,
    // Envoy needs a gRPC service config or a known cluster; we have neither (ParseFailure, as Envoy
    // answers for an unknown cluster name).
    proxy_grpc_call: () => WasmResult.ParseFailure,
    proxy_grpc_stream: () => WasmResult.ParseFailure,
    proxy_grpc_cancel: () => WasmResult.NotFound,
    proxy_grpc_close: () => WasmResult.NotFound,
    proxy_grpc_send: () => WasmResult.NotFound,
    proxy_define_metric(type: number, namePtr: number, nameSize: number, idPtr: number): number {
      const name = mem().read(namePtr, nameSize);
      if (!name) return IMA;
      const r = vm.runtime.metrics.define(type, utf8(name));
      if (r.rc !== WasmResult.Ok) return r.rc;
      return mem().writeU32(idPtr, r.id!) ? WasmResult.Ok : IMA;
    },
    proxy_increment_metric(id: number, offset: bigint): number {
      return vm.runtime.metrics.increment(id, BigInt.asIntN(64, offset));
    },
    proxy_record_metric(id: number, value: bigint): number {
      return vm.runtime.metrics.record(id, BigInt.asUintN(64, value));
    },
    proxy_get_metric(id: number, resultPtr: number): number {
      const r = vm.runtime.metrics.read(id);
      if (r.rc !== WasmResult.Ok) return r.rc;
      return mem().writeU64(resultPtr, r.value!) ? WasmResult.Ok : IMA;
    },
    proxy_set_effective_context(id: number): number {
      if (!vm.contexts.has(id)) return WasmResult.BadArgument;
      vm.effectiveId = id;
      return WasmResult.Ok;
    },
    proxy_done(): number {
      const root = ctx().root();
      if (!root.pendingDone) return WasmResult.NotFound;
      root.pendingDone = false;
      // WasmBase::done defers the delete so proxy_on_delete does not run inside proxy_done.
      vm.addAfterCallAction(() => vm.finishRootDelete());
      return WasmResult.Ok;
    },
    // Envoy registers a few foreign functions of its own; none exist here.
    proxy_call_foreign_function: () => WasmResult.NotFound,
  };
}
