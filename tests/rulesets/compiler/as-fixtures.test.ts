// The as-pect fixture (filter/program/__tests__/fixtures.ts) must be what the current compiler writes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { fixturesPath, renderProgramFixtures } from "./as-fixtures";

it("filter/program/__tests__/fixtures.ts is up to date (node --import tsx tests/rulesets/compiler/as-fixtures.ts --write)", () => {
  assert.equal(readFileSync(fixturesPath, "utf8"), renderProgramFixtures());
});
