// Builds a native peer harness (C/C++ against libpcre2 or libmodsecurity, Debian packages that CI installs)
// once per source version, cached in os.tmpdir().
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cached, hashInputs } from "./build-cache";

export interface NativeBuild {
  name: string;
  sources: string[];
  compiler: "g++" | "cc";
  flags: string[];
  libs: string[];
}

/** Why a native peer cannot be built here, or null when it can. */
export function nativeUnavailable(compiler: string, header: string, pkg: string): string | null {
  if (!existsSync(header)) return `${header} is missing: install the Debian package ${pkg} (.ci/run does)`;
  try {
    execFileSync(compiler, ["--version"], { stdio: "ignore" });
  } catch {
    return `no ${compiler} on PATH`;
  }
  return null;
}

export function buildNative(b: NativeBuild): string {
  const key = hashInputs(b.sources, [b.compiler, ...b.flags, ...b.libs]);
  return cached(b.name, key, (tmp) => {
    execFileSync(b.compiler, [...b.flags, "-o", tmp, ...b.sources, ...b.libs], { stdio: ["ignore", "inherit", "inherit"] });
  });
}
