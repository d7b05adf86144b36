// The generated keyword/fingerprint tables are committed; this keeps them in step with their source data.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { OUTPUT_FILE, SOURCE_FILE, parseSource, renderTables } from "../../rulesets/libinjection/generate";

test("filter/libinjection/generated/sqli_tables.ts is up to date with rulesets/libinjection/sqli-keywords.tsv", () => {
  const expected = renderTables(readFileSync(SOURCE_FILE, "latin1"));
  const committed = readFileSync(OUTPUT_FILE, "latin1");
  assert.ok(committed === expected, "stale generated table: run node --import tsx rulesets/libinjection/generate.ts");
});

test("source data carries libinjection 3.9.2's tables and its licence notice", () => {
  const text = readFileSync(SOURCE_FILE, "latin1");
  assert.match(text, /Copyright \(c\) 2012-2016, Nick Galbreath/);
  assert.match(text, /bfba51f5af8f1f6cf5d6c4bf862f1e2474e018e3/);
  const d = parseSource(text);
  assert.equal(d.keywords.length, 985);
  assert.equal(d.fingerprints.length, 8367);
  assert.equal(d.byteRoutine.length, 256);
  const types = new Map(d.keywords.map((k) => [k.word, k.type]));
  assert.equal(types.get("UNION ALL"), "U");
  assert.equal(types.get("SELECT"), "E");
  assert.equal(types.get("||"), "&");
  for (const fp of ["1UE1", "1&1", "S&SOS", "X", "SC"]) assert.ok(d.fingerprints.includes(fp), fp);
});

test("generator output is deterministic and rejects malformed data", () => {
  const text = readFileSync(SOURCE_FILE, "latin1");
  assert.equal(renderTables(text), renderTables(text));
  assert.throws(() => renderTables(text.replace("[keywords]\n", "[keywords]\nk\tlower\n")), /upper-case/);
  assert.throws(() => renderTables(text.replace("[fingerprints]\n", "[fingerprints]\nZ\tZZ\n")), /uses Z/);
});
