// Two known transactions run between fuzz cases to show the VM was not left in a bad state by what came before:
// a benign browser GET must still pass with no match, and a known SQL injection must still be caught (denied by
// 949110 in block mode, logged with 942100 and passed in detect mode).
import assert from "node:assert/strict";
import type { CrsFilter } from "./crs-filter";
import { runCase } from "./campaign";
import { BROWSER_UA } from "./generators";
import type { FuzzTx } from "./stream-run";

const L = (s: string) => Buffer.from(s, "latin1");
const HEADERS: Array<[Buffer, Buffer]> = [
  [L("Host"), L("example.com")],
  [L("User-Agent"), L(BROWSER_UA)],
  [L("Accept"), L("text/html,application/xhtml+xml")],
  [L("Accept-Language"), L("en-US,en;q=0.5")],
];
const page = { status: 200, headers: [[L("content-type"), L("text/html")]] as Array<[Buffer, Buffer]>, body: L("<html><body>hello</body></html>"), cuts: [] };

const BENIGN: FuzzTx = { kind: "canary/benign", method: "GET", uri: L("/index.html?page=2&sort=name"), headers: HEADERS, body: Buffer.alloc(0), cuts: [], response: page };
const ATTACK: FuzzTx = {
  kind: "canary/sqli",
  method: "GET",
  uri: L("/test/artists.php?artist=0+div+1+union%23foo*%2F*bar%0D%0Aselect%23foo%0D%0A1%2C2%2Ccurrent_user"),
  headers: HEADERS,
  body: Buffer.alloc(0),
  cuts: [],
  response: page,
};

/** Throws (with `after` in the message) unless both canaries behave as on a fresh VM. */
export function assertCanaries(f: CrsFilter, after: string): void {
  const benign = runCase(f, BENIGN);
  assert.deepEqual(benign.verdict.violations, [], `benign canary after ${after}`);
  assert.equal(benign.verdict.event, null, `benign canary matched after ${after}: ${JSON.stringify(benign.verdict.event)}`);
  assert.equal(benign.seen.status, 200, `benign canary status after ${after}`);

  const attack = runCase(f, ATTACK);
  assert.deepEqual(attack.verdict.violations, [], `attack canary after ${after}`);
  const ids = attack.verdict.event?.rules.map((r) => r.id) ?? [];
  assert.ok(ids.includes(942100), `attack canary not detected after ${after}: ${JSON.stringify(ids)}`);
  if (f.mode === "block") {
    assert.equal(attack.seen.status, 403, `attack canary status after ${after}`);
    assert.ok(ids.includes(949110), `attack canary not denied by 949110 after ${after}: ${JSON.stringify(ids)}`);
  } else {
    assert.equal(attack.seen.status, 200, `attack canary status after ${after} (detect mode)`);
  }
}
