// proxy_log of text that is already UTF-8 bytes (events and log lines are written as bytes: filter/events). The
// SDK's log() takes a string and encodes it on every call.
import * as imports from "@solo-io/proxy-runtime/assembly/imports";
import { LogLevelValues } from "@solo-io/proxy-runtime/assembly/index";

export function logBytes(level: LogLevelValues, text: ArrayBuffer): void {
  imports.proxy_log(level as imports.LogLevel, changetype<usize>(text), text.byteLength);
}
