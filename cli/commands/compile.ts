// `waf compile`: SecLang configuration files -> one WAFT table (rule program + operator and regex objects) for the
// filter. Prints a summary (or JSON), `--explain ID` shows how one rule was compiled, errors are file:line.
import { Command } from "commander";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { buildRuleSet, RuleSetError, type BuiltRuleSet } from "../ruleset/build";
import { formatDiagnostic } from "../../rulesets/seclang/errors";
import type { CompileResult, RuleExplain } from "../../rulesets/compiler/index";
import { readTable } from "../../rulesets/tables/reader";
import { parsePositiveInt } from "../args";

interface CompileOptions {
  output?: string;
  directive: string[];
  explain: number[];
  json: boolean;
  maxDfaStates?: number;
  maxSubsetStates?: number;
}

export function compileCommand(): Command {
  return new Command("compile")
    .description("compile SecLang rule files (e.g. modsecdefault.conf crs-setup.conf rules/*.conf) into a rule table for the filter")
    .argument("<conf...>", "SecLang files, read in order (Include directives are followed)")
    .option("-o, --output <file>", "where to write the table (e.g. ruleset.bin); without it the table is only checked and summarised")
    .option("--directive <line>", "an extra SecLang directive, applied after the files (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--explain <id>", "print how rule ID was compiled (repeatable)", (v: string, acc: number[]) => [...acc, parsePositiveInt(v)], [] as number[])
    .option("--json", "print the summary (and explanations) as JSON on stdout", false)
    .option("--max-dfa-states <n>", "largest minimised DFA kept as a table; larger patterns use the lazy-DFA tier", parsePositiveInt)
    .option("--max-subset-states <n>", "cap on subset-construction states per pattern before routing it to the lazy tier", parsePositiveInt)
    .action((confs: string[], opts: CompileOptions) => {
      process.exitCode = runCompile(confs, opts);
    });
}

function progress(): { tick: (done: number, total: number) => void; stop: () => void } {
  const start = Date.now();
  const tty = process.stderr.isTTY === true;
  let shown = false;
  let last = 0;
  return {
    tick(done, total) {
      const now = Date.now();
      if (!tty || now - start < 1000 || now - last < 100) return;
      last = now;
      shown = true;
      process.stderr.write(`\rcompiling regexes ${done}/${total} (${((now - start) / 1000).toFixed(1)} s)\x1b[K`);
    },
    stop() {
      if (shown) process.stderr.write("\r\x1b[K");
    },
  };
}

export function runCompile(confs: string[], opts: CompileOptions): number {
  const t0 = performance.now();
  const files = confs.map((f) => resolve(f));
  const p = progress();
  let res: BuiltRuleSet;
  try {
    res = buildRuleSet(files, opts.directive, {
      regex: { ...(opts.maxDfaStates ? { maxDfaStates: opts.maxDfaStates } : {}), ...(opts.maxSubsetStates ? { maxSubsetStates: opts.maxSubsetStates } : {}) },
      onProgress: p.tick,
    });
  } catch (e) {
    p.stop();
    if (e instanceof RuleSetError) {
      for (const d of e.diagnostics) process.stderr.write(`${d}\n`);
      process.stderr.write(`waf compile: ${e.diagnostics.length} error${e.diagnostics.length === 1 ? "" : "s"}, no table written\n`);
      return 1;
    }
    throw e;
  }
  p.stop();
  readTable(res.table); // the table must load: the reader's checks are the filter's
  if (opts.output) writeFileSync(opts.output, res.table);
  const totalMs = performance.now() - t0;
  const warnings = res.warnings;
  const missing = opts.explain.filter((id) => !res.explain.has(id));
  if (opts.json) {
    const out = {
      output: opts.output ?? null,
      totalMs: Math.round(totalMs),
      ...res.stats,
      warnings: warnings.map((w) => ({ ...w, text: formatDiagnostic(w) })),
      explain: opts.explain.filter((id) => res.explain.has(id)).map((id) => res.explain.get(id)),
    };
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
  } else {
    process.stdout.write(summary(res, totalMs, opts.output, warnings.length));
    for (const w of warnings) process.stdout.write(`  warning: ${formatDiagnostic(w)} [${w.code}]\n`);
    for (const id of opts.explain) {
      const ex = res.explain.get(id);
      if (ex) process.stdout.write("\n" + explain(ex));
    }
  }
  for (const id of missing) process.stderr.write(`waf compile: --explain ${id}: no rule with that id in the compiled set\n`);
  return missing.length ? 1 : 0;
}

const kb = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

function summary(r: CompileResult, totalMs: number, output: string | undefined, warnings: number): string {
  const s = r.stats;
  const lines = [
    `${output ? `wrote ${output}` : "compiled (no -o: nothing written)"}: ${s.tableBytes} bytes (${kb(s.tableBytes)}), ${s.sections} sections, in ${(totalMs / 1000).toFixed(2)} s (back end ${(s.compileMs / 1000).toFixed(2)} s, regex ${(s.regexMs / 1000).toFixed(2)} s)`,
    `  rules ${s.rules} (per phase 1-5: ${s.rulesPerPhase.join(" / ")}), conditions ${s.conditions}, chains per phase ${s.chainsPerPhase.join(" / ")}, markers ${s.markers}`,
    `  targets ${s.targets}, pipelines ${s.pipelines} (deduplicated), actions ${s.actions}, macros ${s.macros}`,
    `  regexes ${s.regexes.total}: dfa ${s.regexes.dfa} (${s.regexes.dfaStates} states, ${kb(s.regexes.dfaBytes)}), lazy ${s.regexes.lazy}, backtrack ${s.regexes.backtrack}; NFA/capture programs ${kb(s.regexes.nfaBytes)}; prefiltered ${s.regexes.prefiltered}, with ${s.regexes.pmFolded} @pm lists, on ${s.regexes.factors} phrases`,
    `  @pm/@pmFromFile objects ${s.acObjects}, @ipMatch objects ${s.ipObjects}`,
    `  bytes by section kind: ${Object.entries(s.sectionBytes).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${kb(v)}`).join(", ")}`,
    `  warnings ${warnings}`,
  ];
  return lines.join("\n") + "\n";
}

function explain(e: RuleExplain): string {
  const out = [
    `rule ${e.id}  ${e.file}:${e.line}`,
    `  phase ${e.phase}, position ${e.position}; disruptive ${e.disruptive}`,
    `  flags: ${e.flags.join(", ") || "-"}`,
  ];
  if (e.msg) out.push(`  msg: ${e.msg}`);
  if (e.tags.length) out.push(`  tags: ${e.tags.join(", ")}`);
  if (e.skip) out.push(`  skip: ${e.skip}`);
  if (e.skipAfter) out.push(`  skipAfter: ${e.skipAfter.target} -> continue at position ${e.skipAfter.position}`);
  out.push(`  actions: ${e.actions.join(", ") || "-"}`);
  e.conditions.forEach((c, i) => {
    out.push(`  ${i === 0 ? "condition" : `chain link ${i}`} (line ${c.line}): ${c.operator}`);
    out.push(`    targets: ${c.targets.join(" | ") || "-"}`);
    out.push(`    pipeline #${c.pipelineIndex}: ${c.pipeline.map((t) => "t:" + t).join(",") || "(none)"}`);
    out.push(`    argument: ${c.argKind}`);
    const o = c.object;
    if (o) {
      const parts = [`${o.kind}`];
      if (o.tier) parts.push(`tier ${o.tier}`);
      if (o.section !== undefined) parts.push(`section ${o.section}`);
      if (o.regexIndex !== undefined) parts.push(`regex #${o.regexIndex}`);
      if (o.states) parts.push(`${o.states} states`);
      if (o.classes) parts.push(`${o.classes} byte classes`);
      if (o.instructions) parts.push(`${o.instructions} NFA instructions`);
      if (o.phrases !== undefined) parts.push(`${o.phrases} phrases`);
      if (o.entries !== undefined) parts.push(`${o.entries} entries`);
      if (o.captureSection !== undefined) parts.push(`capture program in section ${o.captureSection}`);
      parts.push(`${o.bytes} bytes`);
      out.push(`    object: ${parts.join(", ")}`);
      if (o.factors) out.push(`    prefilter factors: ${o.factors.length ? o.factors.map((f) => JSON.stringify(f)).join(" ") : "(none: runs on every value)"}`);
    }
    if (c.actions.length) out.push(`    link actions: ${c.actions.join(", ")}`);
  });
  return out.join("\n") + "\n";
}
