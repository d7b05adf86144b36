// Applies a destination's settings to a transaction before phase 1 (filter/index.ts, right after Engine.begin):
//  - mode: the transaction's SecRuleEngine (detect = DetectionOnly, block = On), as ctl:ruleEngine would set it;
//  - excludeRuleIds / excludeRuleTags: the transaction's ctl:ruleRemoveById / ctl:ruleRemoveByTag lists, so the
//    excluded rules are skipped in every phase exactly as a ctl action in the rule set would skip them;
//  - paranoiaLevel: the OWASP CRS reads its paranoia level from TX variables that crs-setup.conf and
//    REQUEST-901-INITIALIZATION set in phase 1 only when they are unset (`&TX:blocking_paranoia_level "@eq 0"`).
//    The filter sets them before phase 1 and pins them (Transaction.pinTx: setvar on a pinned TX variable is
//    ignored), so neither the rule set's own setup action nor the defaults can override the destination's level.
//    Both generations of names are set — CRS v4 reads blocking_ and detection_paranoia_level, v3 paranoia_level
//    and executing_paranoia_level; each ignores the other's — all to the same level, so detection equals blocking
//    paranoia (the plausibility checks 901500 / v3 901450 hold). A rule set that is not the CRS just carries four
//    unused TX variables.
import { Transaction } from "../engine/transaction";
import { latin1 } from "../engine/bytes";
import { DestinationSettings } from "./document";

const PARANOIA_KEYS: StaticArray<ArrayBuffer> = [
  latin1("blocking_paranoia_level"),
  latin1("detection_paranoia_level"),
  latin1("paranoia_level"),
  latin1("executing_paranoia_level"),
];

export function applyDestination(tx: Transaction, d: DestinationSettings): void {
  tx.ruleEngine = d.ruleEngine;
  for (let i = 0; i < d.removedIds.length; i++) tx.removedIds.push(unchecked(d.removedIds[i]));
  for (let i = 0; i < d.removedTags.length; i++) tx.removedTags.push(unchecked(d.removedTags[i]));
  for (let i = 0; i < PARANOIA_KEYS.length; i++) tx.pinTx(unchecked(PARANOIA_KEYS[i]), d.paranoiaValue);
}
