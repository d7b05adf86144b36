// Bundles the `waf` CLI (TypeScript) into one ES module, build/waf.mjs, with esbuild.
// Runtime dependencies stay external: they are installed by npm next to the bundle.
import { build } from "esbuild";
import { chmodSync, readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
await build({
  entryPoints: ["cli/main.ts"],
  outfile: "build/waf.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  external: Object.keys(pkg.dependencies ?? {}),
  banner: { js: "#!/usr/bin/env node" },
  define: { WAF_VERSION: JSON.stringify(pkg.version) },
  logLevel: "warning",
});
chmodSync("build/waf.mjs", 0o755);
