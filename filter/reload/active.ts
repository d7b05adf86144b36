// The rule set a transaction runs under. A stream takes the one in force when its request headers arrive and keeps
// that reference to its end, so a swap (filter/reload/poller.ts) never changes the rules in the middle of a
// transaction: streams already started finish under the rules they started with, new streams get the new ones,
// and the old engine is freed by the GC once its last stream is gone.
import { Engine } from "../engine/engine";

export class ActiveRuleSet {
  constructor(
    /** null: a valid table without rules (traffic passes uninspected). */
    readonly engine: Engine | null,
    /** Hex sha256 of the table as the controller addresses it ("" for a static configuration). */
    readonly sha256: string,
    /** 1 for the first rule set this VM put in force, +1 per swap. */
    readonly generation: u32,
  ) {}
}
