// The WASI preview1 subset Envoy provides to Proxy-Wasm modules (proxy-wasm-cpp-host exports.cc):
// fd_write to the logger (stdout → info, stderr → error, trailing newline dropped), clocks, random,
// environment from the plugin's VM config, empty args, proc_exit (a VM failure), and the
// filesystem calls answered the way cpp-host answers them (no files exist).
import { randomFillSync } from "node:crypto";
import { ProcExit } from "./errors.js";
import type { MemoryAccess } from "./memory.js";
import type { LogLevel } from "./types.js";

const ESUCCESS = 0;
const EBADF = 8;
const EFAULT = 21;
const EINVAL = 28;
const ENOENT = 44;
const ENOSYS = 52;
const ENOTSUP = 58;
const RANDOM_GET_MAX = 64 * 1024;

export interface WasiHost {
  memory(): MemoryAccess;
  log(level: LogLevel, message: string): void;
  environment: Record<string, string>;
  wallNs(): bigint;
}

type Fn = (...args: never[]) => number | void;

export function wasiImports(host: WasiHost): Record<string, Fn> {
  const mem = () => host.memory();
  const envEntries = () => Object.entries(host.environment).map(([k, v]) => Buffer.from(`${k}=${v}\0`, "utf8"));
  return {
    fd_write(fd: number, iovs: number, iovsLen: number, nwrittenPtr: number): number {
      let level: LogLevel;
      if (fd === 1) level = "info";
      else if (fd === 2) level = "error";
      else return EBADF;
      const parts: Uint8Array[] = [];
      for (let i = 0; i < iovsLen; i++) {
        const ptr = mem().readU32(iovs + i * 8);
        const len = mem().readU32(iovs + i * 8 + 4);
        if (ptr === undefined || len === undefined) return EFAULT;
        if (len === 0) continue;
        const bytes = mem().read(ptr, len);
        if (!bytes) return EFAULT;
        parts.push(bytes);
      }
      const all = Buffer.concat(parts);
      if (all.length > 0) {
        let text = all.toString("utf8");
        if (text.endsWith("\n")) text = text.slice(0, -1);
        host.log(level, text);
      }
      return mem().writeU32(nwrittenPtr, all.length) ? ESUCCESS : EFAULT;
    },
    fd_read: () => ENOSYS,
    fd_seek: () => ESUCCESS,
    fd_close: () => ESUCCESS,
    fd_fdstat_get(fd: number, statPtr: number): number {
      if (fd !== 1 && fd !== 2) return EBADF;
      const stat = new Uint8Array(24);
      new DataView(stat.buffer).setBigUint64(8, 64n, true); // fs_rights_base = FD_WRITE
      mem().write(statPtr, stat);
      return ESUCCESS;
    },
    fd_prestat_get: () => EBADF,
    fd_prestat_dir_name: () => ENOSYS,
    path_open: () => ENOENT,
    sched_yield: () => ESUCCESS,
    poll_oneoff: () => ENOTSUP,
    environ_sizes_get(countPtr: number, sizePtr: number): number {
      const entries = envEntries();
      const size = entries.reduce((n, e) => n + e.length, 0);
      return mem().writeU32(countPtr, entries.length) && mem().writeU32(sizePtr, size) ? ESUCCESS : EFAULT;
    },
    environ_get(arrayPtr: number, bufPtr: number): number {
      let buf = bufPtr;
      let arr = arrayPtr;
      for (const e of envEntries()) {
        if (!mem().writeU32(arr, buf) || !mem().write(buf, e)) return EFAULT;
        buf += e.length;
        arr += 4;
      }
      return ESUCCESS;
    },
    args_sizes_get(argcPtr: number, sizePtr: number): number {
      return mem().writeU32(argcPtr, 0) && mem().writeU32(sizePtr, 0) ? ESUCCESS : EFAULT;
    },
    args_get: () => ESUCCESS,
    clock_time_get(id: number, _precision: bigint, outPtr: number): number {
      let t: bigint;
      if (id === 0) t = host.wallNs();
      else if (id === 1) t = process.hrtime.bigint();
      else return ENOTSUP;
      return mem().writeU64(outPtr, t) ? ESUCCESS : EFAULT;
    },
    clock_res_get(id: number, outPtr: number): number {
      if (id !== 0 && id !== 1) return ENOTSUP;
      return mem().writeU64(outPtr, 1n) ? ESUCCESS : EFAULT;
    },
    random_get(ptr: number, len: number): number {
      if (len > RANDOM_GET_MAX) return EINVAL;
      const bytes = randomFillSync(new Uint8Array(len));
      return mem().write(ptr, bytes) ? ESUCCESS : EFAULT;
    },
    proc_exit(code: number): void {
      throw new ProcExit(code);
    },
  };
}
