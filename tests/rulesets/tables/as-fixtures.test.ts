// The as-pect specs (filter/tables/__tests__) read a table produced by the TS writer; this keeps it current.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { fixturesPath, renderAsFixtures } from "./as-fixtures";

it("filter/tables/__tests__/fixtures.ts matches the current TS writer output", () => {
  assert.equal(
    readFileSync(fixturesPath, "utf8"),
    renderAsFixtures(),
    "stale: run node --import tsx tests/rulesets/tables/as-fixtures.ts --write",
  );
});
