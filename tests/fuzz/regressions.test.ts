// Minimised inputs the fuzzer found, each a named case that must keep passing ./invariants.ts in block and detect
// mode (CRS v4.28.0 PL4, as the fuzz suites run it). Each case says what went wrong and which fuzz case found it.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { crsAvailable, loadCrsFilter, type CrsFilter } from "./crs-filter";
import { preview, runCase } from "./campaign";
import type { FuzzTx } from "./stream-run";

const L = (s: string) => Buffer.from(s, "latin1");
const HEADERS: Array<[Buffer, Buffer]> = [[L("Host"), L("example.com")], [L("User-Agent"), L("Mozilla/5.0")], [L("Accept"), L("*/*")]];

interface Regression {
  name: string;
  /** What the filter did wrong, and the fuzz case that found it. */
  why: string;
  tx: FuzzTx;
}

const REGRESSIONS: Regression[] = [
  {
    name: "a response without a body, of a type whose body is inspected",
    why:
      "onResponseHeaders held the headers (StopIteration) to wait for a body that end_of_stream said would never " +
      "come: the client never got a response (found by response-odd:2902225464, a 201 text/html with Content-Length: 0)",
    tx: {
      kind: "regression/empty-inspected-response",
      method: "GET",
      uri: L("/"),
      headers: HEADERS,
      body: Buffer.alloc(0),
      cuts: [],
      response: { status: 200, headers: [[L("content-type"), L("text/html")]], body: Buffer.alloc(0), cuts: [] },
    },
  },
];

describe("fuzz regressions", { skip: crsAvailable ? false : "CRS v4.28.0 not found under WAF_SHARED_DIR" }, () => {
  for (const mode of ["block", "detect"] as const) {
    describe(`${mode} mode`, () => {
      let f: CrsFilter;
      before(async () => {
        f = await loadCrsFilter(mode);
      });
      for (const r of REGRESSIONS) {
        test(r.name, () => {
          const { verdict } = runCase(f, r.tx);
          assert.deepEqual(verdict.violations, [], `${r.why}\n${preview(r.tx)}`);
        });
      }
    });
  }
});
