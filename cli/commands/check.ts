// `waf check`: replays recorded HTTP transactions through the built filter (.wasm + compiled rule set, run by our
// proxy-wasm host exactly as Envoy would run it) and reports what the WAF did, one JSON line per transaction.
// The contract is ../shared/design/check-jsonl.md; a ModSecurity v3 harness speaks the same lines
// (tests/peers/modsecurity-check), so both engines can be fed one file and compared line by line.
import { Command, Option } from "commander";
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { loadFilter } from "../filter-plugin";
import { defaultWasmPath } from "../paths";
import { JsonlInputError, parseCheckLine } from "../replay/jsonl";
import { replay, type ReplayOutcome } from "../replay/transaction";
import { loadRuleSetTable, modeDirective, type EngineMode } from "../ruleset/build";

interface CheckOptions {
  jsonl: string;
  mode?: EngineMode;
  directive: string[];
  wasm: string;
}

export function checkCommand(): Command {
  return new Command("check")
    .description("replay HTTP transactions (JSON lines) through the filter and report what it did, one JSON line each")
    .argument("<conf...>", "SecLang files loaded in order, as ModSecurity loads them")
    .requiredOption("--jsonl <file|->", "transactions, one JSON object per line (- reads standard input and answers line by line)")
    .addOption(new Option("--mode <mode>", "detect (SecRuleEngine DetectionOnly) or block (On); without it the files decide").choices(["detect", "block"]))
    .option("--directive <line>", "a SecLang line appended after the files (repeatable)", collect, [])
    .option("--wasm <file>", "the filter module", defaultWasmPath())
    .action(async (confs: string[], opts: CheckOptions) => {
      await check(confs, opts);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** What one transaction's JSON event (the filter's `warn`-level log) says, as far as `waf check` needs it. */
interface EventSummary {
  ruleIds: number[];
  disruptiveRuleId: number | null;
  /** The ModSecurity phase (1-5) of the rule that disrupted, when the event says. */
  disruptivePhase: number | null;
}

// Interventions are reported by the phase of the rule that disrupted, as ModSecurity reports them: phase 2 of
// a request without a body runs in Envoy's request-headers callback, but it is still the request-body phase.
const PHASE_NAMES = ["", "request_headers", "request_body", "response_headers", "response_body", "logging"] as const;

export interface CheckSession {
  /** Answers one input line; null for a blank line (skipped, no index consumed). */
  line(text: string): string | null;
  close(): Promise<void>;
}

/** Loads the rule set and the filter once; then each input line is one transaction through a fresh stream. */
export async function openCheckSession(confs: string[], opts: Omit<CheckOptions, "jsonl">): Promise<CheckSession> {
  const directives = [...opts.directive, ...(opts.mode ? [modeDirective(opts.mode)] : [])];
  const ruleset = loadRuleSetTable(confs, directives);
  for (const w of ruleset.warnings) process.stderr.write(`waf check: warning: ${w.file}:${w.line}: ${w.directive}: ${w.message}\n`);

  // Event lines are kept as logged and parsed after the transaction: the filter's time (time_us) is measured around
  // its callbacks, and proxy_log is called from inside them, so parsing there would count our JSON.parse as its.
  let logged: string[] = [];
  const plugin = await loadFilter({
    wasm: opts.wasm,
    table: ruleset.table,
    // The answer carries the JSON events (warn); the filter skips building its info lines when the host drops them.
    logLevel: "warn",
    logger: (level, message) => {
      if (level === "warn" && message.startsWith("{")) logged.push(message);
      else if (level === "warn" || level === "error" || level === "critical") process.stderr.write(`[${level}] ${message}\n`);
    },
  });
  process.stderr.write(`waf check: ${ruleset.rules} rules from ${confs.join(", ")} (table ${ruleset.table.length} bytes${ruleset.cached ? ", from cache" : ""})\n`);

  let index = 0;
  return {
    line(text: string): string | null {
      const trimmed = text.endsWith("\r") ? text.slice(0, -1) : text;
      if (trimmed.trim() === "") return null;
      const i = index++;
      let parsed;
      try {
        parsed = parseCheckLine(trimmed);
      } catch (err) {
        if (err instanceof JsonlInputError) return JSON.stringify({ index: i, error: err.message });
        throw err;
      }
      logged = [];
      const outcome = replay(plugin, parsed.tx, `check-${i}`);
      const events: EventSummary[] = [];
      for (const message of logged) {
        const event = parseEvent(message);
        if (event) events.push(event);
        else process.stderr.write(`[warn] ${message}\n`);
      }
      return resultLine(i, parsed.id, outcome, events);
    },
    close: () => plugin.close(),
  };
}

async function check(confs: string[], opts: CheckOptions): Promise<void> {
  const session = await openCheckSession(confs, opts);
  const input = opts.jsonl === "-" ? process.stdin : createReadStream(opts.jsonl);
  const lines = createInterface({ input, crlfDelay: Infinity });
  const out: string[] = [];
  for await (const text of lines) {
    const answer = session.line(text);
    if (answer === null) continue;
    // Standard input is answered line by line so another program can drive it; a file as one batch.
    if (opts.jsonl === "-") process.stdout.write(answer + "\n");
    else out.push(answer);
  }
  if (out.length) process.stdout.write(out.join("\n") + "\n");
  await session.close();
}

function resultLine(index: number, id: unknown, o: ReplayOutcome, events: EventSummary[]): string {
  const matched: number[] = [];
  for (const e of events) for (const ruleId of e.ruleIds) if (!matched.includes(ruleId)) matched.push(ruleId);
  const disruptive = o.localReply || o.reset !== null;
  const intervention: Record<string, unknown> = { disruptive, status: disruptive && o.localReply ? o.status : 0 };
  const disrupting = events.find((e) => e.disruptiveRuleId !== null);
  if (disruptive && disrupting) intervention.rule_id = disrupting.disruptiveRuleId;
  const rulePhase = disrupting?.disruptivePhase ? PHASE_NAMES[disrupting.disruptivePhase] : undefined;
  if (disruptive && (rulePhase || o.phase)) intervention.phase = rulePhase || o.phase;
  // The id is echoed whenever the key is present, even as null (JSON has no undefined: absent ⇔ undefined).
  const line: Record<string, unknown> = { index };
  if (id !== undefined) line.id = id;
  line.matched = matched;
  line.intervention = intervention;
  line.time_us = Number(o.wasmTimeNs / 1000n);
  return JSON.stringify(line);
}

function parseEvent(message: string): EventSummary | null {
  if (!message.startsWith("{")) return null;
  let obj: unknown;
  try {
    obj = JSON.parse(message);
  } catch {
    return null;
  }
  const rules = (obj as { rules?: unknown }).rules;
  if (!Array.isArray(rules)) return null;
  const ruleIds: number[] = [];
  let disruptiveRuleId: number | null = null;
  let disruptivePhase: number | null = null;
  for (const r of rules as Array<{ id?: unknown; disruptive?: unknown; phase?: unknown }>) {
    const id = Number(r.id);
    if (!Number.isInteger(id)) continue;
    ruleIds.push(id);
    if (r.disruptive === true && disruptiveRuleId === null) {
      disruptiveRuleId = id;
      const phase = Number(r.phase);
      disruptivePhase = Number.isInteger(phase) && phase >= 1 && phase <= 5 ? phase : null;
    }
  }
  return { ruleIds, disruptiveRuleId, disruptivePhase };
}
