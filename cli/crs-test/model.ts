// The one model both CRS regression-test formats are parsed into (v4 go-ftw and v3 ftw), and the
// `waf check --jsonl` line shapes (../shared/design/check-jsonl.md) the runner speaks to an engine.
import type { CheckOutputLine } from "../replay/jsonl";

/** One input line of `waf check --jsonl`. Strings are UTF-8 text unless `b64` (then every uri, header
 *  name/value and body is base64 of the exact bytes). */
export interface CheckInput {
  id?: unknown;
  method?: string;
  uri?: string;
  version?: string;
  headers?: Array<[string, string]>;
  body?: string;
  body_b64?: boolean;
  client_ip?: string;
  client_port?: number;
  server_ip?: string;
  server_port?: number;
  response?: { status?: number; headers?: Array<[string, string]>; body?: string; body_b64?: boolean };
  b64?: boolean;
}

/** One output line of `waf check --jsonl`. */
export type CheckOutput = CheckOutputLine;

/** What a stage expects. `ids`/`noIds` come from v4 `expect_ids`/`no_expect_ids`; v3 `log_contains`
 *  regexes land in `logRegex`/`noLogRegex` (v4 `match_regex`/`no_match_regex` too). */
export interface Expect {
  ids: number[];
  noIds: number[];
  /** A status, or (v3) a list of acceptable statuses. */
  status?: number | number[];
  logRegex?: string;
  noLogRegex?: string;
  responseContains?: string;
  /** go-ftw/ftw `expect_error`: the client expects the exchange to fail (connection closed, no response). */
  expectError?: boolean;
  retryOnce?: boolean;
}

/** The request a stage sends (`wire`: the exact bytes the test client sends), as the proxy's HTTP/1 codec sees it. */
export type StageRequest =
  | { kind: "ok"; input: CheckInput; wire: Buffer; notes: string[] }
  /** The codec refuses it (Envoy answers 400 itself; no filter runs). */
  | { kind: "rejected"; status: number; reason: string; wire: Buffer; notes: string[] };

export interface Stage {
  request: StageRequest;
  expect: Expect;
}

export interface TestCase {
  /** Path relative to the tests directory, e.g. REQUEST-942-APPLICATION-ATTACK-SQLI/942100.yaml. */
  file: string;
  ruleId: number;
  /** v4 `test_id` (number); v3 has none: the 1-based position in the file. */
  testId: number;
  /** v4: `<rule_id>-<test_id>`; v3: `test_title`. */
  title: string;
  desc?: string;
  stages: Stage[];
}

export type CrsVersion = "v3" | "v4";

export interface Suite {
  version: CrsVersion;
  crsDir: string;
  testsDir: string;
  tests: TestCase[];
  /** Files that did not load, with the reason (a broken file is reported, not fatal). */
  errors: Array<{ file: string; error: string }>;
}
