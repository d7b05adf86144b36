// Host-side contexts, mirroring Envoy's Wasm Context: a root (plugin) context per VM and one context
// per HTTP stream (stream.ts). Hostcalls act on the current — or effective — context through this
// interface; anything a context type does not have answers as Envoy's Context does (BadArgument for
// an unavailable header map, NotFound for an unavailable buffer).
import { BufferType, HeaderMapType, WasmResult, type WasmResultCode } from "./abi.js";
import type { HeaderMap } from "./headers.js";
import type { HttpCallResult } from "./http-call.js";
import { HeaderMap as HeaderMapImpl } from "./headers.js";
import type { Pair } from "./pairs.js";
import type { PropertyEnv } from "./properties.js";
import type { WasmVm } from "./vm.js";

/** A buffer a hostcall can read or modify (Envoy's BufferInterface). */
export interface BodyBuffer {
  size(): number;
  read(start: number, length: number): Uint8Array;
  /** proxy_set_buffer_bytes semantics; immutable buffers answer BadArgument. */
  copyFrom(start: number, length: number, data: Uint8Array): WasmResultCode;
}

/** Immutable bytes (configuration, http call response body). */
export class ConstBuffer implements BodyBuffer {
  constructor(private readonly bytes: Uint8Array) {}
  size(): number {
    return this.bytes.length;
  }
  read(start: number, length: number): Uint8Array {
    return this.bytes.subarray(start, start + length);
  }
  copyFrom(): WasmResultCode {
    return WasmResult.BadArgument;
  }
}

/**
 * A mutable body buffer (Envoy's Buffer::Instance behind Wasm Buffer::copyFrom). Envoy only supports
 * two edits: start == 0 drains `length` bytes then prepends the data (so start=0,length>=size replaces
 * everything and start=0,length=0 prepends), and start >= size appends. Anything else is BadArgument.
 */
export class MutableBuffer implements BodyBuffer {
  private data: Uint8Array;
  constructor(initial: Uint8Array = new Uint8Array(0)) {
    this.data = initial;
  }
  size(): number {
    return this.data.length;
  }
  read(start: number, length: number): Uint8Array {
    return this.data.subarray(start, start + length);
  }
  bytes(): Uint8Array {
    return this.data;
  }
  append(more: Uint8Array): void {
    if (more.length === 0) return;
    const out = new Uint8Array(this.data.length + more.length);
    out.set(this.data);
    out.set(more, this.data.length);
    this.data = out;
  }
  copyFrom(start: number, length: number, value: Uint8Array): WasmResultCode {
    if (start === 0) {
      const rest = this.data.subarray(Math.min(length, this.data.length));
      const out = new Uint8Array(value.length + rest.length);
      out.set(value);
      out.set(rest, value.length);
      this.data = out;
      return WasmResult.Ok;
    }
    if (start >= this.data.length) {
      this.append(value);
      return WasmResult.Ok;
    }
    return WasmResult.BadArgument;
  }
}

export abstract class HostContext {
  abstract readonly isRoot: boolean;
  /** Set once proxy_on_context_create ran for this context (Envoy's in_vm_context_created_). */
  createdInVm = false;

  constructor(
    readonly vm: WasmVm,
    readonly id: number,
  ) {}

  root(): RootContext {
    return this.vm.root!;
  }

  /** Mutable map (Envoy Context::getMap): only the current stream's maps. */
  getMap(_type: number): HeaderMap | null {
    return null;
  }

  /**
   * Readable map (Envoy Context::getConstMap): the stream's maps, plus the http call response maps of
   * the root context. `undefined` means "no such map now" (BadArgument for a get, empty for pairs).
   */
  getConstMap(type: number): HeaderMap | null {
    if (type === HeaderMapType.HttpCallResponseHeaders || type === HeaderMapType.HttpCallResponseTrailers) {
      const resp = this.root().httpCallResponse;
      if (!resp) return null;
      return type === HeaderMapType.HttpCallResponseHeaders ? resp.headers : resp.trailers;
    }
    return null;
  }

  /** Envoy Context::getBuffer. */
  getBuffer(type: number): BodyBuffer | null {
    switch (type) {
      case BufferType.VmConfiguration:
        return new ConstBuffer(this.vm.runtime.vmConfiguration);
      case BufferType.PluginConfiguration: {
        const cfg = this.root().configuring;
        return cfg ? new ConstBuffer(cfg) : null;
      }
      case BufferType.HttpCallResponseBody: {
        const resp = this.root().httpCallResponse;
        return resp ? new ConstBuffer(resp.body) : null;
      }
      case BufferType.CallData:
      case BufferType.NetworkDownstreamData:
      case BufferType.NetworkUpstreamData:
      case BufferType.GrpcReceiveBuffer:
      case BufferType.HttpRequestBody:
      case BufferType.HttpResponseBody:
        // Envoy returns an (empty) buffer wrapper rather than nullptr for these.
        return new ConstBuffer(new Uint8Array(0));
      default:
        return null;
    }
  }

  abstract propertyEnv(): PropertyEnv;

  continueStream(_type: number): WasmResultCode {
    return WasmResult.Ok;
  }
  closeStream(_type: number): WasmResultCode {
    return WasmResult.Ok;
  }
  sendLocalResponse(_code: number, _body: Uint8Array, _headers: Pair[], _grpcStatus: number, _details: string): WasmResultCode {
    // Envoy: without decoder callbacks (root context) the reply is silently not sent.
    return WasmResult.Ok;
  }
  clearRouteCache(): WasmResultCode {
    return WasmResult.Ok;
  }
  /** Envoy clears the route cache when request headers change; nothing to do without routes. */
  onHeadersModified(_type: number): void {}
  /** True while proxy_on_log runs (Envoy's access_log_phase_). */
  inAccessLog(): boolean {
    return false;
  }
}

export interface HttpCallResponseMaps {
  headers: HeaderMap;
  trailers: HeaderMap;
  body: Uint8Array;
}

export class RootContext extends HostContext {
  readonly isRoot = true;
  /** PLUGIN_CONFIGURATION is only readable while proxy_on_configure runs (Envoy's temp_plugin_). */
  configuring: Uint8Array | null = null;
  /** Set while proxy_on_http_call_response runs (Envoy's http_call_response_). */
  httpCallResponse: HttpCallResponseMaps | null = null;
  tickPeriodMs = 0;
  /** proxy_on_done returned false at shutdown: waiting for proxy_done. */
  pendingDone = false;
  deleted = false;

  propertyEnv(): PropertyEnv {
    const rt = this.vm.runtime;
    return { pluginName: rt.name, rootId: rt.rootId, vmId: rt.vmId };
  }

  static responseMaps(result: HttpCallResult): HttpCallResponseMaps {
    return { headers: new HeaderMapImpl(result.headers), trailers: new HeaderMapImpl(result.trailers), body: result.body };
  }
}
