// Builds (cached by a hash of every input, in os.tmpdir()) the two sides of the parser differential test:
//  - the libmodsecurity peer (harness.cc, g++ ... -lmodsecurity);
//  - the AssemblyScript test entry (fixtures/entry.as.ts + filter/parsers/*.ts) as a wasm module.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildAsModule } from "../../support/build-as";
import { buildNative, nativeUnavailable } from "../../support/build-native";

export { repoRoot } from "../../support/paths";

const here = dirname(fileURLToPath(import.meta.url));

/** Why the libmodsecurity peer cannot be built here, or null. */
export function modsecUnavailable(): string | null {
  return nativeUnavailable("g++", "/usr/include/modsecurity/modsecurity.h", "libmodsecurity-dev");
}

/** Path of the compiled libmodsecurity harness. */
export function buildHarness(): string {
  return buildNative({
    name: "modsec-parsers-harness",
    sources: [join(here, "harness.cc")],
    compiler: "g++",
    flags: ["-O1", "-std=c++17"],
    libs: ["-lmodsecurity"],
  });
}

/** Path of the compiled AssemblyScript test module. */
export function buildWasm(): string {
  return buildAsModule("parsers", join(here, "fixtures/entry.as.ts"), [
    "--runtime", "incremental", "-O3", "--noAssert", "--use", "abort=", "--exportRuntime",
  ]);
}
