// The filter keeps nothing per transaction: with the full CRS v4.28.0 at paranoia level 4, the VM's linear memory
// does not grow over four passes of a recorded-style traffic mix (with a 100 KB JSON body among them). Wasm memory
// never shrinks, so any per-transaction retention (an unbounded cache, a log that keeps growing) or garbage left
// too long (filter/gc.ts collects at safe points) would show as growth: the allocator doubles the memory when a
// block does not fit. The module starts with its 16 MiB initial memory, which holds the rule set, the lazily built
// regex state and one large transaction's garbage. The GC and the allocator are deterministic, so the same inputs
// give the same figures on every run.
// Sizes and times are measured by `npm run bench` (tests/bench/memory.ts), not asserted here.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { WasmPlugin } from "../../proxy-wasm-host/index";
import { parseCheckLine } from "../../cli/replay/jsonl";
import { replay } from "../../cli/replay/transaction";
import { loadRuleSetTable, modeDirective } from "../../cli/ruleset/build";
import { defaultWasmPath } from "../../cli/paths";
import { SHARED } from "../peers/modsecurity-check/index";
import { crsRuleSet } from "../bench/rules";
import { mixedTraffic, workloads } from "../bench/workloads";

const CRS = join(SHARED, "crs", "v4.28.0");
const PASS = 200;

describe("linear memory over repeated traffic (CRS v4.28.0 PL4)", { skip: existsSync(join(CRS, "rules")) ? false : "CRS v4.28.0 not found under WAF_SHARED_DIR" }, () => {
  test(`memory after loading equals memory after each of 4 passes of ${PASS} transactions`, async () => {
    const rules = crsRuleSet(CRS, "v4.28.0", 4);
    const table = loadRuleSetTable([...rules.files], [...rules.directives, modeDirective("block")]).table;
    const plugin = await WasmPlugin.load({ wasm: new Uint8Array(readFileSync(defaultWasmPath())), configuration: table, rootId: "waf", vmId: "waf", name: "waf", logLevel: "error" });
    try {
      const txs = mixedTraffic(PASS, 7).map((t) => parseCheckLine(JSON.stringify(t)).tx);
      const afterLoad = plugin.memoryBytes;
      const afterPass: number[] = [];
      let disrupted = 0;
      for (let pass = 0; pass < 4; pass++) {
        for (let i = 0; i < txs.length; i++) {
          const o = replay(plugin, txs[i]!, `mem-${pass}-${i}`);
          if (o.localReply) disrupted++;
        }
        afterPass.push(plugin.memoryBytes);
      }
      assert.ok(disrupted > 0, "the mix's SQL injections were blocked: the rules really ran");
      assert.equal(plugin.vmFailed, false);
      assert.deepEqual(afterPass, [afterLoad, afterLoad, afterLoad, afterLoad], `linear memory after loading ${afterLoad} bytes, after each pass: ${afterPass.join(", ")} bytes`);
    } finally {
      await plugin.close();
    }
  });

  // One kind of request many times: a per-request leak of a few KB (the multipart parser's line buffer once was
  // allocated outside the GC) shows as growth here long before the mixed passes above would reveal it.
  for (const kind of ["multipart_1k", "json_100k_post"] as const) {
    const n = kind === "multipart_1k" ? 6000 : 300;
    test(`memory after loading equals memory after ${n} ${kind} requests`, async () => {
      const rules = crsRuleSet(CRS, "v4.28.0", 4);
      const table = loadRuleSetTable([...rules.files], [...rules.directives, modeDirective("block")]).table;
      const plugin = await WasmPlugin.load({ wasm: new Uint8Array(readFileSync(defaultWasmPath())), configuration: table, rootId: "waf", vmId: "waf", name: "waf", logLevel: "error" });
      try {
        const tx = parseCheckLine(JSON.stringify(workloads().find((w) => w.name === kind)!.txs[0])).tx;
        const afterLoad = plugin.memoryBytes;
        let blocked = 0;
        for (let i = 0; i < n; i++) if (replay(plugin, tx, `${kind}-${i}`).localReply) blocked++;
        // at PL4 both bodies trip 920273 (restricted characters) after the body was parsed: the parser really ran
        assert.equal(blocked, n, "every request was blocked in phase 2");
        assert.equal(plugin.vmFailed, false);
        assert.equal(plugin.memoryBytes, afterLoad, `linear memory after loading ${afterLoad} bytes, after ${n} requests ${plugin.memoryBytes}`);
      } finally {
        await plugin.close();
      }
    });
  }

  // Many short values: each argument leaves transformation caches behind (filter/gc.ts counts values as well as
  // bytes). 16 such requests between two collections left more garbage than the initial memory has free, and the
  // allocator doubled it (500 arguments: 32 MiB; 1,000: 64 MiB).
  for (const args of [500, 2000]) {
    test(`memory after loading equals memory after 40 requests of ${args} short query arguments (detection mode)`, async () => {
      const rules = crsRuleSet(CRS, "v4.28.0", 4);
      const table = loadRuleSetTable([...rules.files], [...rules.directives, modeDirective("detect")]).table;
      const plugin = await WasmPlugin.load({ wasm: new Uint8Array(readFileSync(defaultWasmPath())), configuration: table, rootId: "waf", vmId: "waf", name: "waf", logLevel: "error" });
      try {
        const query = Array.from({ length: args }, (_, i) => `a${i}=v${i}x`).join("&");
        const tx = parseCheckLine(JSON.stringify({ method: "GET", uri: `/p?${query}`, headers: [["Host", "localhost"], ["User-Agent", "curl/8"]] })).tx;
        const afterLoad = plugin.memoryBytes;
        for (let i = 0; i < 40; i++) replay(plugin, tx, `args-${args}-${i}`);
        assert.equal(plugin.vmFailed, false);
        assert.equal(plugin.memoryBytes, afterLoad, `linear memory after loading ${afterLoad} bytes, after 40 requests ${plugin.memoryBytes}`);
      } finally {
        await plugin.close();
      }
    });
  }
});
