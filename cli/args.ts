// Argument parsers shared by the CLI's subcommands; each throws commander's InvalidArgumentError so the
// user sees which flag was wrong and what was expected.
import { InvalidArgumentError } from "commander";

export function parseHostPort(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]*)):(\d{1,5})$/.exec(value) ?? /^(\d{1,5})$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected HOST:PORT such as 127.0.0.1:8080 or [::1]:8080, got "${value}"`);
  const port = Number(m.length === 4 ? m[3] : m[1]);
  if (port > 65535) throw new InvalidArgumentError(`port must be 0..65535, got ${port}`);
  const host = m.length === 4 ? (m[1] ?? m[2] ?? "") : "";
  return { host: host === "" ? "127.0.0.1" : host, port };
}

export function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return Number(value);
}

/** "1048576", "512k", "1m", "1mb" → bytes. */
export function parseByteSize(value: string): number {
  const m = /^(\d+)\s*(k|kb|kib|m|mb|mib)?$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`expected a size in bytes such as 1048576, 512k or 1m, got "${value}"`);
  const unit = (m[2] ?? "").toLowerCase();
  return Number(m[1]) * (unit.startsWith("m") ? 1024 * 1024 : unit.startsWith("k") ? 1024 : 1);
}
