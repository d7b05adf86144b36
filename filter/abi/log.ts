// proxy_log of text that is already UTF-8 bytes (events and log lines are written as bytes: filter/events). The
// SDK's log() takes a string and encodes it on every call.
import * as imports from "@solo-io/proxy-runtime/assembly/imports";
import { LogLevelValues } from "@solo-io/proxy-runtime/assembly/index";

export function logBytes(level: LogLevelValues, text: ArrayBuffer): void {
  imports.proxy_log(level as imports.LogLevel, changetype<usize>(text), text.byteLength);
}

// ABI v0.2.1's proxy_get_log_level (Envoy: the level of its `wasm` logger, which the admin endpoint can change at
// run time). The SDK does not declare it.
@external("env", "proxy_get_log_level")
declare function proxy_get_log_level(levelPtr: usize): u32;

const LEVEL_PTR: usize = memory.data(4, 4);

/** Whether the host logs messages of `level` now: text it would drop need not be built. When the host cannot say,
 *  the answer is yes (nothing is lost). */
export function logEnabled(level: LogLevelValues): bool {
  if (proxy_get_log_level(LEVEL_PTR) != 0) return true;
  return <u32>level >= load<u32>(LEVEL_PTR);
}
