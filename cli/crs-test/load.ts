// Loads a CRS regression-test tree into the common model: v4 go-ftw files (`rule_id`, `tests[].test_id`,
// `stages[].input|output`) and v3 ftw files (`meta.enabled`, `tests[].test_title`,
// `stages[].stage.input|output`). Each stage's request is rebuilt byte for byte as that suite's client sent
// it (./wire.ts) and parsed as the proxy's codec would (./codec.ts).
//
// Duplicate YAML keys (e.g. a header given twice in `headers`): go-ftw's YAML decoder refuses the whole file
// ("mapping key already defined"), so a v4 file with one is reported as a load error; PyYAML keeps the last
// value at the first key's position, and so does the v3 loader. Headers differing only in case are distinct
// keys for both clients and are all sent (go-ftw sorts them by name; ftw keeps the YAML order).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseDocument, type Document } from "yaml";
import type { CrsVersion, Expect, Stage, Suite, TestCase } from "./model";
import { stageRequest } from "./request";
import { goFtwWire, goTemplate, pyFtwWire } from "./wire";

type Obj = Record<string, unknown>;

export function testsDirOf(crsDir: string): string {
  return join(crsDir, "tests", "regression", "tests");
}

/** v4 test files carry `rule_id:` and `test_id:`; v3 ones `test_title:` inside `stages: - stage:`. */
export function detectVersion(crsDir: string): CrsVersion {
  const dir = testsDirOf(crsDir);
  if (!existsSync(dir)) throw new Error(`no CRS regression tests under ${dir}`);
  for (const f of listTestFiles(dir)) {
    const text = readFileSync(join(dir, f), "utf8");
    if (/^\s*-?\s*test_title:/m.test(text)) return "v3";
    if (/^rule_id:/m.test(text) || /^\s*-?\s*test_id:/m.test(text)) return "v4";
  }
  const setup = join(crsDir, "crs-setup.conf.example");
  if (existsSync(setup) && /OWASP_CRS\/3\./.test(readFileSync(setup, "utf8"))) return "v3";
  return "v4";
}

/** The test files go-ftw (`**\/*.yaml`) and ftw (`*.yaml`) pick up, sorted. */
export function listTestFiles(testsDir: string): string[] {
  return readdirSync(testsDir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".yaml") && statSync(join(testsDir, f)).isFile())
    .sort();
}

export function loadSuite(crsDir: string, version: CrsVersion = detectVersion(crsDir)): Suite {
  const testsDir = testsDirOf(crsDir);
  const suite: Suite = { version, crsDir, testsDir, tests: [], errors: [] };
  for (const file of listTestFiles(testsDir)) {
    try {
      const text = readFileSync(join(testsDir, file), "utf8");
      suite.tests.push(...(version === "v4" ? parseV4File(text, file) : parseV3File(text, file)));
    } catch (err) {
      suite.errors.push({ file, error: (err as Error).message });
    }
  }
  return suite;
}

function parseYaml(text: string, file: string, uniqueKeys: boolean): Obj {
  const doc: Document = parseDocument(text, { uniqueKeys, version: "1.2" });
  if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message.split("\n")[0]}`);
  const v = doc.toJS({ maxAliasCount: -1 }) as unknown;
  if (v === null || v === undefined) return {}; // a file of comments only: no tests (as go-ftw and ftw see it)
  if (typeof v !== "object" || Array.isArray(v)) throw new Error(`${file}: not a YAML mapping`);
  return v as Obj;
}

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const num = (v: unknown): number | undefined => (v === undefined || v === null || v === "" ? undefined : Number(v));
const ids = (v: unknown): number[] => (Array.isArray(v) ? v.map(Number) : v === undefined || v === null ? [] : [Number(v)]);
const objOf = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});

// ---------------------------------------------------------------- v4 (go-ftw)
export function parseV4File(text: string, file: string): TestCase[] {
  const doc = parseYaml(text, file, true);
  let ruleId = Number(doc.rule_id ?? 0);
  if (!ruleId) {
    const m = /\d+/.exec(file.split("/").pop() ?? "");
    if (!m) throw new Error(`${file}: no rule_id`);
    ruleId = Number(m[0]);
  }
  const tests = Array.isArray(doc.tests) ? (doc.tests as unknown[]) : [];
  return tests.map((t, idx) => {
    const tc = objOf(t);
    const testId = Number(tc.test_id ?? idx + 1);
    const stages = (Array.isArray(tc.stages) ? tc.stages : []).map((s: unknown): Stage => {
      const so = objOf(s);
      const st = so.stage ? objOf(so.stage) : so; // tolerate the old `- stage:` wrapper
      return { request: v4Request(objOf(st.input)), expect: v4Expect(objOf(st.output)) };
    });
    return { file, ruleId, testId, title: `${ruleId}-${testId}`, desc: str(tc.desc ?? tc.description), stages };
  });
}

function v4Request(input: Obj) {
  const notes: string[] = [];
  let headers: Array<[string, string]>;
  if (Array.isArray(input.ordered_headers)) {
    headers = (input.ordered_headers as unknown[]).map((h) => {
      const o = objOf(h);
      return [String(o.name), String(o.value ?? "")] as [string, string];
    });
  } else {
    headers = Object.entries(objOf(input.headers))
      .map(([k, v]) => [k, v === null ? "" : String(v)] as [string, string])
      .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }
  let data: Buffer | undefined;
  if (input.data !== undefined && input.data !== null) {
    const raw = Array.isArray(input.data) ? (input.data as unknown[]).map(String).join("\r\n") : String(input.data);
    data = Buffer.from(goTemplate(raw), "utf8");
  } else if (typeof input.encoded_data === "string") {
    data = Buffer.from(input.encoded_data, "base64");
  }
  const stopMagic = input.stop_magic === true;
  const autocomplete = input.autocomplete_headers !== undefined && input.autocomplete_headers !== null
    ? Boolean(input.autocomplete_headers)
    : !stopMagic;
  const encoded = str(input.encoded_request);
  if (encoded && data && data.length) throw new Error("'data' and 'encoded_request' must not be set simultaneously");
  const wire = goFtwWire({
    method: str(input.method),
    uri: str(input.uri),
    version: str(input.version),
    headers,
    data,
    autocomplete,
    encodedRequest: encoded,
  });
  if (encoded) notes.push("encoded_request");
  return stageRequest(wire, { destAddr: str(input.dest_addr), port: num(input.port) }, notes);
}

function v4Expect(output: Obj): Expect {
  const log = objOf(output.log);
  const e: Expect = { ids: ids(log.expect_ids), noIds: ids(log.no_expect_ids) };
  // go-ftw: legacy log_contains/no_log_contains become match_regex/no_match_regex when those are unset.
  const matchRegex = str(log.match_regex) ?? (log.expect_ids === undefined ? str(output.log_contains) : undefined);
  const noMatchRegex = str(log.no_match_regex) ?? (log.no_expect_ids === undefined ? str(output.no_log_contains) : undefined);
  if (matchRegex) e.logRegex = matchRegex;
  if (noMatchRegex) e.noLogRegex = noMatchRegex;
  const status = num(output.status);
  if (status) e.status = status;
  if (str(output.response_contains)) e.responseContains = str(output.response_contains);
  if (output.expect_error === true) e.expectError = true;
  if (output.retry_once === true) e.retryOnce = true;
  return e;
}

// ---------------------------------------------------------------- v3 (Python ftw)
export function parseV3File(text: string, file: string): TestCase[] {
  const doc = parseYaml(text, file, false);
  const meta = objOf(doc.meta);
  if (meta.enabled === false) return [];
  const tests = Array.isArray(doc.tests) ? (doc.tests as unknown[]) : [];
  const fileRule = Number(/(\d{6})/.exec(file.split("/").pop() ?? "")?.[1] ?? 0);
  return tests.flatMap((t, idx) => {
    const tc = objOf(t);
    if (tc.enabled === false) return [];
    const title = String(tc.test_title ?? `${fileRule}-${idx + 1}`);
    const stages = (Array.isArray(tc.stages) ? tc.stages : []).map((s: unknown): Stage => {
      const st = objOf(objOf(s).stage ?? s);
      return { request: v3Request(objOf(st.input)), expect: v3Expect(objOf(st.output)) };
    });
    const tm = /^(\d+)-(\d+)/.exec(title);
    return [{
      file,
      ruleId: tm ? Number(tm[1]) : fileRule,
      testId: tm ? Number(tm[2]) : idx + 1,
      title,
      desc: str(tc.desc),
      stages,
    }];
  });
}

/** Python's str() of a YAML scalar as PyYAML (YAML 1.1) resolves it. */
function pyStr(v: unknown): string {
  if (v === true) return "True";
  if (v === false) return "False";
  if (v === null || v === undefined) return "None";
  return String(v);
}

function v3Request(input: Obj) {
  const headers = Object.entries(objOf(input.headers)).map(([k, v]) => [k, pyStr(v)] as [string, string]);
  const data = Array.isArray(input.data) ? (input.data as unknown[]).map(pyStr) : input.data === undefined || input.data === null ? undefined : pyStr(input.data);
  const notes: string[] = [];
  if (input.raw_request !== undefined) notes.push("raw_request");
  if (input.encoded_request !== undefined) notes.push("encoded_request");
  const wire = pyFtwWire({
    method: str(input.method),
    uri: str(input.uri),
    version: input.version === undefined ? undefined : pyStr(input.version),
    headers,
    data,
    stopMagic: input.stop_magic === true,
    rawRequest: str(input.raw_request),
    encodedRequest: str(input.encoded_request),
  });
  return stageRequest(wire, { destAddr: str(input.dest_addr), port: num(input.port) }, notes);
}

function v3Expect(output: Obj): Expect {
  const e: Expect = { ids: [], noIds: [] };
  if (output.log_contains !== undefined) e.logRegex = String(output.log_contains);
  if (output.no_log_contains !== undefined) e.noLogRegex = String(output.no_log_contains);
  if (Array.isArray(output.status)) e.status = (output.status as unknown[]).map(Number);
  else if (output.status !== undefined && output.status !== null) e.status = Number(output.status);
  if (output.response_contains !== undefined) e.responseContains = String(output.response_contains);
  if (output.expect_error) e.expectError = true;
  return e;
}

export function relativeTo(base: string, p: string): string {
  return relative(base, p);
}
