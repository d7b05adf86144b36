// The rule engine: evaluates the rules of one phase of one transaction over the compiled program, ModSecurity v3
// (libmodsecurity 3.0.9) semantics:
//  - rules run in phase order; a removed rule (ctl:ruleRemoveById/ByTag/ByMsg) is skipped; skip:N skips N rules
//    (a chain is one rule), skipAfter jumps to the resolved position; an intervention ends the phase;
//  - a condition evaluates its targets (exclusions `!`, counts `&`, key and regex selectors, ctl target removals)
//    value by value; the transformation pipeline of a value runs once per transaction (Entry cache, whose keys are
//    the shared prefixes of the pipelines: prefixes.ts); multiMatch runs the operator on the original value and
//    after each changing transformation;
//  - on every matching value: MATCHED_VAR(S)(_NAME(S)) are updated, captures fill TX:0..9 and the condition's
//    setvar actions run (ModSecurity's "independent" actions, run even if a later chain link fails);
//  - when the whole chain matched: the other actions (ctl, initcol, expirevar, setenv, ...) of every link, then
//    msg/logdata, the log record, and the disruptive action when SecRuleEngine is On.
import {
  ActionKind, ACTION_CELLS, ArgKind, BodyProcessor, Cond, CondFlags, CtlOption, Disruptive, MacroPartKind,
  MACRO_CELLS, OperatorKind, PART_CELLS, REF_NONE, Rule, RuleEngineMode, RuleFlags, SetVarOp, Target, TargetFlags,
  TargetSelector, TARGET_CELLS, TARGET_FLAGS_MASK, TARGET_SELECTOR_SHIFT, AuditEngineMode,
} from "../../rulesets/tables/format";
import { VariableId, VARIABLE_COUNT } from "../../rulesets/tables/variables";
import { Ruleset, bodyProcessorName } from "./ruleset";
import { CacheSlot, Collection, Entry } from "./collection";
import {
  ALLOW_ALL, ALLOW_NONE, ALLOW_PHASE, ALLOW_REQUEST, IdRange, MatchRecord, TargetRemoval, Transaction,
} from "./transaction";
import {
  EMPTY, Out, atoi, intBytes, bytesToLatin1, concat, copyBytes, eqB, eqBNoCase, eqNoCase, indexOf, latin1, toLatin1,
} from "./bytes";
import { VAR_NAMES } from "./names";
import { TransformPipeline } from "../transforms/pipeline";
import { match, captures, captureCount } from "../regex/match";
import { Regex } from "../regex/regex";
import { TIER_DFA } from "../regex/opcodes";
import { detectSQLi, detectXSS } from "../libinjection/index";
import { IdNumber, verifiedEnd, verifiedStart, verifyCreditCard, verifyIdNumber } from "../operators/verify";
import { IpResult } from "../../rulesets/tables/format";
import { RegexCandidates, isCandidate } from "../program/regexes";
import { NAMES_FLAG, SkipPlans, conditionCandidates, skipPlans, skippableConditions } from "./skippable";
import { KEYED_COUNT, KEYED_NO, keyedConditions, keySlots } from "./keyed";
import { LiteralSelectors, literalSelectors } from "./selectors";
import { PipelineTree, ROOT, pipelineTreeOf } from "./prefixes";
import { STEP_MEMO_MIN_BYTES, runSteps } from "./steps";
import { FEATURES_UNKNOWN, F_ANY, featuresOf } from "../transforms/triggers";
import { append, at, len, truncate, u32at } from "./raw";

const NONE: u32 = <u32>REF_NONE;
/** Transactions kept for reuse by Engine.release. */
const MAX_SPARE_TRANSACTIONS: i32 = 4;

/** A resolved target value: the entry holding it, the variable, and how its name is written. */
const KIND_COLL: i32 = 0; // "VAR:key"
const KIND_SCALAR: i32 = 1; // "VAR"
const KIND_NAMES: i32 = 2; // "VAR_NAMES:key", value = key
/** Counts (`&VAR`) below this have a shared entry (Engine.countEntry). */
const COUNT_ENTRIES: i32 = 16;

/** Persistent collections (IP, GLOBAL, SESSION, USER, RESOURCE) of one VM, keyed "<var>:<key>". */
export class PersistentStore {
  map: Map<string, Collection> = new Map<string, Collection>();
  get(v: i32, key: string): Collection {
    const k = v.toString() + ":" + key;
    if (this.map.has(k)) return this.map.get(k);
    const c = new Collection(unchecked(VAR_NAMES[v]));
    this.map.set(k, c);
    return c;
  }
}

export class Engine {
  readonly rs: Ruleset;
  tx: Transaction = new Transaction();
  readonly store: PersistentStore = new PersistentStore();
  readonly pipe: TransformPipeline = new TransformPipeline();
  /** Wall clock in ms since the epoch (set by the embedder before each phase). */
  nowMs: i64 = 0;

  // resolution scratch (reused)
  private rEntries: Array<Entry> = new Array<Entry>();
  private rVars: Array<i32> = new Array<i32>();
  private rKinds: Array<i32> = new Array<i32>();
  private lEntries: Array<Entry> = new Array<Entry>();
  private lVars: Array<i32> = new Array<i32>();
  private lKinds: Array<i32> = new Array<i32>();
  /** Scratch of expand(): macros are built here, then copied out at their exact size. */
  private out: Out = new Out();
  private curRule: i32 = -1;
  private fp: usize = memory.data(16);
  /** multiValues(): the values a multiMatch condition tests, with their cache slots (null: the entry's value). */
  private multiVals: Array<ArrayBuffer> = new Array<ArrayBuffer>();
  private multiSlots: Array<CacheSlot | null> = new Array<CacheSlot | null>();
  private warnedVariants: Set<i32> = new Set<i32>();
  /** Per variable: "NAME:" in bytes (built on first use; read-only), the start of every MATCHED_VAR_NAME. */
  private namePrefixes: StaticArray<ArrayBuffer | null> = new StaticArray<ArrayBuffer | null>(VARIABLE_COUNT);
  /** Per variable: "NAME" in bytes, MATCHED_VAR_NAME of a scalar (built on first use; read-only). */
  private scalarNames: StaticArray<ArrayBuffer | null> = new StaticArray<ArrayBuffer | null>(VARIABLE_COUNT);
  /** Messages for the embedder's log (it drains them after each transaction); each problem is reported once. */
  readonly warnings: Array<string> = new Array<string>();

  /** Per condition: 1 when it has an exclusion target (`!VAR:key`), which resolve() then applies. */
  private readonly exclusions: Uint8Array;
  private readonly countEntries: Array<Entry | null> = new Array<Entry | null>(COUNT_ENTRIES);
  /** Per condition: KEYED_VALUE / KEYED_COUNT when evalKeyed() may evaluate it (filter/engine/keyed.ts). */
  private readonly keyed: Uint8Array;
  /** Per keyed condition its key slot (keyed.ts keySlots); per slot, the collection keys version the key was last
   *  looked up in (Collection.keysVersion: unique across the VM's collections, and 0 is none) and the position found
   *  there (-1: absent). A setvar that updates a score leaves the keys version, so the position stays found. */
  private readonly keySlotOf: Int32Array;
  private readonly keyFoundVersion: StaticArray<u64>;
  private readonly keyFoundAt: StaticArray<i32>;
  /** Per condition: its operator's prefilter candidate bit, or -1 (skippable.ts conditionCandidates). */
  private readonly candidate: Int32Array;
  /** Per condition: whether cannotMatch() may decide it (filter/engine/skippable.ts). */
  private readonly skippable: Uint8Array;
  /** Per skippable condition, the collections and scalars cannotMatch() reads (skippable.ts skipPlans). */
  private readonly skipPlans: SkipPlans;
  /** Per (variable, pipeline): the union of the prefilter candidates of the variable's values after the pipeline,
   *  and the collection version it was computed for: valid while equal to the collection's version (versions are
   *  unique across all collections of the VM, so a new transaction's collections never hit a stale union). */
  private unionBits: Array<RegexCandidates | null>;
  private unionVersion: StaticArray<u64>;
  /** The pipelines' shared prefixes: the nodes that key every entry's transformation cache. */
  private readonly pipelines: PipelineTree;
  /** Regex selectors that are plain words, answered without the regex (selectors.ts). */
  private readonly literals: LiteralSelectors;

  constructor(rs: Ruleset) {
    this.rs = rs;
    this.pipelines = pipelineTreeOf(rs);
    const keyed = keyedConditions(rs);
    this.keyed = keyed;
    const candidate = conditionCandidates(rs);
    this.candidate = candidate;
    const skippable = skippableConditions(rs, keyed, candidate);
    this.skippable = skippable;
    this.skipPlans = skipPlans(rs, skippable);
    const ks = keySlots(rs, keyed);
    this.keySlotOf = ks.slotOf;
    this.keyFoundVersion = new StaticArray<u64>(ks.count);
    this.keyFoundAt = new StaticArray<i32>(ks.count);
    this.exclusions = conditionsWithExclusions(rs);
    this.literals = literalSelectors(rs);
    const slots = VARIABLE_COUNT * rs.prog.pipelineCount;
    this.unionBits = new Array<RegexCandidates | null>(slots);
    this.unionVersion = new StaticArray<u64>(slots);
  }

  // ==============================================================================================================
  // Transaction lifecycle

  /** Finished transactions kept for reuse (see release), so a transaction's collections are not reallocated. */
  private readonly spare: Array<Transaction> = new Array<Transaction>();

  begin(uniqueId: string, nowMs: i64): Transaction {
    let tx: Transaction;
    if (this.spare.length > 0) {
      tx = this.spare.pop(); // reset when released
    } else {
      tx = new Transaction();
    }
    this.tx = tx;
    const st = this.rs.settings;
    tx.uniqueId = uniqueId;
    tx.startMs = nowMs;
    this.nowMs = nowMs;
    tx.ruleEngine = st.ruleEngine;
    tx.requestBodyAccess = st.requestBodyAccess;
    tx.responseBodyAccess = st.responseBodyAccess;
    tx.requestBodyLimit = st.requestBodyLimit;
    tx.responseBodyLimit = st.responseBodyLimit;
    tx.setScalarStr(VariableId.UNIQUE_ID, uniqueId);
    tx.setScalarStr(VariableId.URLENCODED_ERROR, "0");
    if (st.webAppId.length > 0) tx.setScalarStr(VariableId.WEBAPPID, st.webAppId);
    return tx;
  }

  /** Hands back a transaction the embedder is done with (it must not touch it again): the next begin() may reuse
   *  it. A few are kept (one per stream in flight is the useful bound; more would only hold memory). It is reset
   *  now, not when reused, so a kept transaction holds none of its request's data (a 100 KB body's arguments and
   *  transformation caches would otherwise stay live until the next request, past the next collection). */
  release(tx: Transaction): void {
    if (this.spare.length < MAX_SPARE_TRANSACTIONS && !this.spare.includes(tx)) {
      tx.reset();
      this.spare.push(tx);
    }
  }

  // ==============================================================================================================
  // Phases

  /** Runs the rules of `phase` (1..5). Returns true when the transaction was intervened (in this phase or before). */
  phase(phase: i32): bool {
    const tx = this.tx;
    if (phase > tx.phasesDone) tx.phasesDone = phase;
    if (tx.ruleEngine == RuleEngineMode.OFF) return tx.intervened;
    if (tx.intervened && phase < 5) return true;
    if (tx.allow == ALLOW_ALL) return tx.intervened;
    if (tx.allow == ALLOW_REQUEST && phase <= 2) return tx.intervened;
    const rs = this.rs;
    const b = <i32>rs.prog.phaseBegin(phase), e = <i32>rs.prog.phaseEnd(phase);
    let i = b;
    while (i < e) {
      if (tx.allow == ALLOW_ALL || (tx.allow == ALLOW_REQUEST && phase <= 2)) break;
      if (tx.allow == ALLOW_PHASE && tx.allowPhase == phase) break;
      if ((len(tx.removedIds) | len(tx.removedTags) | len(tx.removedMsgs)) != 0 && this.removed(i)) {
        i++;
        continue;
      }
      const m = this.evalRule(i, phase);
      if (m) {
        if (tx.intervened) break;
        const sa = rs.rule(i, Rule.SKIP_AFTER);
        if (sa != NONE) {
          i = <i32>sa;
          continue;
        }
        const sk = <i32>rs.rule(i, Rule.SKIP);
        if (sk > 0) {
          i += 1 + sk;
          continue;
        }
      }
      i++;
    }
    if (tx.allow == ALLOW_PHASE && tx.allowPhase == phase) tx.allow = ALLOW_NONE;
    return tx.intervened;
  }

  private removed(r: i32): bool {
    const tx = this.tx;
    const rs = this.rs;
    const id = rs.rule(r, Rule.ID);
    const ids = tx.removedIds;
    for (let k = 0, n = len(ids); k < n; k++) {
      const g = at(ids, k);
      if (id >= g.from && id <= g.to) return true;
    }
    if (len(tx.removedTags) > 0) {
      for (let k = 0; k < tx.removedTags.length; k++) if (this.ruleHasTag(r, unchecked(tx.removedTags[k]))) return true;
    }
    if (len(tx.removedMsgs) > 0) {
      const mid = rs.rule(r, Rule.MSG);
      if (mid != NONE) {
        const msg = this.expand(mid);
        for (let k = 0; k < tx.removedMsgs.length; k++) if (eqB(msg, unchecked(tx.removedMsgs[k]))) return true;
      }
    }
    return false;
  }

  private ruleHasTag(r: i32, tag: ArrayBuffer): bool {
    const rs = this.rs;
    const ts = <i32>rs.rule(r, Rule.TAG_START), tn = <i32>rs.rule(r, Rule.TAG_COUNT);
    for (let t = ts; t < ts + tn; t++) {
      if (eqB(this.expand(unchecked(rs.prog.list[t])), tag)) return true;
    }
    return false;
  }

  private ruleHasMsg(r: i32, msg: ArrayBuffer): bool {
    const mid = this.rs.rule(r, Rule.MSG);
    return mid != NONE && eqB(this.expand(mid), msg);
  }

  // ==============================================================================================================
  // One rule (a chain: head condition and links)

  private evalRule(r: i32, phase: i32): bool {
    const rs = this.rs;
    const tx = this.tx;
    this.curRule = r;
    const cs = <i32>rs.rule(r, Rule.COND_START), cn = <i32>rs.rule(r, Rule.COND_COUNT);
    const mv = tx.coll(VariableId.MATCHED_VARS)!;
    if (len(mv.entries) > 0) mv.clear();
    for (let c = cs; c < cs + cn; c++) {
      if (!this.evalCond(r, c, c == cs)) {
        return false;
      }
    }
    // full match: after-match actions, innermost link first, then the rule's own
    for (let c = cs + cn - 1; c > cs; c--) {
      this.runActions(<i32>rs.cond(c, Cond.ACTION_START), <i32>rs.cond(c, Cond.ACTION_COUNT), false);
    }
    this.runActions(<i32>rs.rule(r, Rule.ACTION_START), <i32>rs.rule(r, Rule.ACTION_COUNT), false);
    this.afterMatch(r, phase);
    return true;
  }

  private afterMatch(r: i32, phase: i32): void {
    const rs = this.rs;
    const tx = this.tx;
    const flags = rs.rule(r, Rule.FLAGS);
    const d = <i32>rs.rule(r, Rule.DISRUPTIVE);
    const sev = rs.rule(r, Rule.SEVERITY);
    if (sev != NONE && <i32>sev < tx.highestSeverity) tx.highestSeverity = <i32>sev;
    const on = tx.ruleEngine == RuleEngineMode.ON;
    let executed = false;
    if (on) {
      if (d == Disruptive.DENY || d == Disruptive.DROP || d == Disruptive.REDIRECT) {
        executed = true;
        const dec = tx.decision;
        dec.disruptive = true;
        dec.action = d;
        dec.ruleId = rs.rule(r, Rule.ID);
        dec.phase = phase;
        const st = <i32>rs.rule(r, Rule.STATUS);
        if (d == Disruptive.REDIRECT) {
          dec.status = st == 301 || st == 302 || st == 303 || st == 307 ? st : 302;
          const arg = rs.rule(r, Rule.DISRUPTIVE_ARG);
          dec.redirect = arg == NONE ? "" : toLatin1(this.expand(arg));
        } else dec.status = st != 0 ? st : 403;
        tx.intervened = true;
      } else if (d == Disruptive.ALLOW) {
        const arg = rs.rule(r, Rule.DISRUPTIVE_ARG);
        const a = arg == NONE ? "" : toLatin1(this.expand(arg)).toLowerCase();
        if (a == "phase") {
          tx.allow = ALLOW_PHASE;
          tx.allowPhase = phase;
        } else if (a == "request") tx.allow = phase <= 2 ? ALLOW_REQUEST : ALLOW_NONE;
        else tx.allow = ALLOW_ALL;
      }
    }
    // A rule's message is logged when its log setting holds (`log`/`nolog`, defaults first, the last one wins);
    // `noauditlog` concerns the audit log only, as the reference manual says and ModSecurity v2 does. libmodsecurity
    // v3.0.9 also drops the message on noauditlog, so CRS 980170 (the phase-5 score report, noauditlog) vanished;
    // the CRS suites expect it logged. The disruptive rule's message is always kept.
    const logs = (flags & RuleFlags.LOG) != 0;
    if (logs || executed) {
      const m = new MatchRecord();
      m.ruleIndex = r;
      m.id = rs.rule(r, Rule.ID);
      m.phase = phase;
      const mid = rs.rule(r, Rule.MSG);
      if (mid != NONE) m.msg = this.expand(mid);
      const lid = rs.rule(r, Rule.LOGDATA);
      if (lid != NONE) m.logdata = this.expand(lid);
      m.severity = sev == NONE ? -1 : <i32>sev;
      m.file = rs.ruleFile(r);
      m.line = <i32>rs.rule(r, Rule.LINE);
      m.log = logs;
      m.disruptive = executed;
      m.action = d;
      const vn = tx.scalarValue(VariableId.MATCHED_VAR_NAME);
      if (vn !== null) m.matchedVarName = vn;
      const ver = rs.rule(r, Rule.VER);
      if (ver != NONE) m.ver = rs.text(ver);
      tx.log.push(m);
    }
  }

  // ==============================================================================================================
  // One condition

  private evalCond(r: i32, c: i32, head: bool): bool {
    const rs = this.rs;
    const tx = this.tx;
    const op = <i32>rs.cond(c, Cond.OP);
    const cflags = rs.cond(c, Cond.FLAGS);
    const negated = (cflags & CondFlags.NEGATED) != 0;
    const capture = (cflags & CondFlags.CAPTURE) != 0;
    const multi = (cflags & CondFlags.MULTI_MATCH) != 0;
    const pipeIdx = <i32>rs.cond(c, Cond.PIPELINE);
    const ids = at(rs.pipes, pipeIdx); // pipeline index validated at load
    const setvarStart = head ? <i32>rs.rule(r, Rule.ACTION_START) : <i32>rs.cond(c, Cond.ACTION_START);
    const setvarCount = head ? <i32>rs.rule(r, Rule.ACTION_COUNT) : <i32>rs.cond(c, Cond.ACTION_COUNT);
    const tn = <i32>rs.cond(c, Cond.TARGET_COUNT);
    let any = false;
    if (tn == 0 || op == OperatorKind.UNCONDITIONAL_MATCH && tn == 0) {
      // SecAction: one unconditional evaluation
      let m = this.operator(c, op, EMPTY, null, null, capture);
      if (negated) m = !m;
      if (m) this.runActions(setvarStart, setvarCount, true);
      return m;
    }
    if (load<u8>(this.skippable.dataStart + <usize>c) != 0 && this.cannotMatch(r, c, pipeIdx, ids)) {
      tx.coll(VariableId.MATCHED_VARS)!.clear(); // as for any condition that did not match
      return false;
    }
    const keyed = load<u8>(this.keyed.dataStart + <usize>c);
    if (keyed != KEYED_NO) {
      const k = this.evalKeyed(c, keyed, op, negated, capture, pipeIdx, ids, setvarStart, setvarCount);
      if (k >= 0) return k != 0;
    }
    this.resolve(r, c);
    const n = len(this.rEntries);
    // actions run below may expand macros; lookup() resolves into its own scratch, so these stay intact
    const entries = this.rEntries;
    const vars = this.rVars;
    const kinds = this.rKinds;
    for (let k = 0; k < n; k++) {
      const e = at(entries, k);
      const v = at(vars, k);
      const kind = at(kinds, k);
      if (multi) {
        this.multiValues(e, pipeIdx);
        const mv = this.multiVals;
        const ms = this.multiSlots;
        for (let j = 0; j < mv.length; j++) {
          if (this.testValue(c, op, negated, capture, setvarStart, setvarCount, v, kind, e, unchecked(mv[j]), unchecked(ms[j]))) any = true;
        }
        continue;
      }
      const slot = this.transformed(e, pipeIdx, ids);
      if (this.testValue(c, op, negated, capture, setvarStart, setvarCount, v, kind, e, slot === null ? e.value : slot.value, slot)) any = true;
    }
    if (!any) {
      // ModSecurity cleans the matched variables of a rule that did not match
      tx.coll(VariableId.MATCHED_VARS)!.clear();
    }
    return any;
  }

  /**
   * A condition on one keyed collection target (filter/engine/keyed.ts), read straight from the collection's key
   * index: what the general path computes, without resolving into the scratch arrays. Returns 1 (matched), 0 (not),
   * or -1 when the general path must decide: ctl target removals of the variable, a key held by several entries
   * (their actions could change the collection while they are evaluated), or a variable with no collection.
   */
  private evalKeyed(c: i32, keyed: u8, op: i32, negated: bool, capture: bool, pipeIdx: i32, ids: StaticArray<u8>, setvarStart: i32, setvarCount: i32): i32 {
    const rs = this.rs;
    const tx = this.tx;
    const t = rs.prog.targets;
    const ti = <i32>rs.cond(c, Cond.TARGET_START);
    const v = <i32>u32at(t, ti * TARGET_CELLS + Target.VARIABLE);
    if (len(tx.removedTargets) > 0 && tx.hasTargetRemoval(v)) return -1;
    const coll = tx.coll(v);
    if (coll === null) return -1;
    const selArg = u32at(t, ti * TARGET_CELLS + Target.SELECTOR);
    const want = rs.str(selArg);
    const wp = changetype<usize>(want), wl = want.byteLength;
    const ks = unchecked(this.keySlotOf[c]);
    let first: i32;
    if (unchecked(this.keyFoundVersion[ks]) == coll.keysVersion) first = unchecked(this.keyFoundAt[ks]);
    else {
      first = coll.indexOfHashedKey(wp, wl, rs.strHash(selArg), true);
      unchecked((this.keyFoundVersion[ks] = coll.keysVersion));
      unchecked((this.keyFoundAt[ks] = first));
    }
    let e: Entry;
    let kind = KIND_COLL;
    if (keyed == KEYED_COUNT) {
      let count = 0;
      for (let i = first; i >= 0; i = coll.nextIndexOfKey(i, wp, wl)) count++;
      e = this.countEntry(count);
      kind = KIND_SCALAR;
    } else {
      if (first >= 0 && coll.nextIndexOfKey(first, wp, wl) >= 0) return -1;
      if (first < 0) {
        tx.coll(VariableId.MATCHED_VARS)!.clear(); // no value: no match
        return 0;
      }
      e = at(coll.entries, first);
    }
    const slot = this.transformed(e, pipeIdx, ids);
    if (this.testValue(c, op, negated, capture, setvarStart, setvarCount, v, kind, e, slot === null ? e.value : slot.value, slot)) return 1;
    tx.coll(VariableId.MATCHED_VARS)!.clear();
    return 0;
  }

  /** Condition c's operator on one value `val` of variable v (entry e's value after the condition's pipeline, held
   *  in cache slot `slot`; null: e's own value): on a match, MATCHED_VAR(S) are set and the condition's setvars run
   *  (ModSecurity runs them per matching value). */
  @inline private testValue(c: i32, op: i32, negated: bool, capture: bool, setvarStart: i32, setvarCount: i32,
    v: i32, kind: i32, e: Entry, val: ArrayBuffer, slot: CacheSlot | null): bool {
    let m = this.operator(c, op, val, e, slot, capture);
    if (negated) m = !m;
    if (m) {
      this.matched(v, kind, e, val);
      this.runActions(setvarStart, setvarCount, true);
    }
    return m;
  }

  /** The cache slot of e's value after pipeline pipeIdx (run now if not cached), or null for the empty pipeline. */
  private transformed(e: Entry, pipeIdx: i32, ids: StaticArray<u8>): CacheSlot | null {
    if (ids.length == 0) return null;
    return this.nodeSlot(e, this.pipelines.nodeOf(pipeIdx));
  }

  /** The cache slot of e's value after pipeline tree node `node`: run now, from its parent's slot, if not cached.
   *  A step that leaves its input unchanged keeps the very same buffer (no copy, and one scan for all holders). */
  private nodeSlot(e: Entry, node: i32): CacheSlot {
    const holder = e.cacheHolder();
    const cached = holder.cached(node);
    if (cached !== null) return cached;
    const tree = this.pipelines;
    const parent = tree.parentOf(node);
    const base: CacheSlot | null = parent == ROOT ? null : this.nodeSlot(e, parent);
    const input = base === null ? e.value : base.value;
    const ids = tree.idsOf(node);
    const from = tree.stepsFrom(node);
    if (e.value.byteLength >= STEP_MEMO_MIN_BYTES) {
      // the result may be a buffer another slot holds already (the memo hands out one buffer per step result)
      const out = runSteps(this.pipe, holder, input, ids, from);
      if (out == e.value) return holder.store(node, tree.size, out);
      const same = holder.slotHolding(out);
      const slot = holder.store(node, tree.size, out);
      slot.same = same;
      return slot;
    }
    // a short value: when it holds no byte that could make one of the node's steps change it, the steps are not run
    // (filter/transforms/triggers.ts; most steps meet values they leave alone). A node with a step that always runs
    // does not look at the bytes for that.
    const triggers = tree.triggersOf(node);
    const features = (triggers & F_ANY) != 0 ? FEATURES_UNKNOWN : this.featuresIn(holder, base);
    if (features == FEATURES_UNKNOWN || (features & triggers) != 0) {
      const pipe = this.pipe;
      if (input == e.value) pipe.run(ids, from, ids.length, changetype<usize>(input), input.byteLength);
      else pipe.resume(ids, from, ids.length, changetype<usize>(input), input.byteLength);
      if (pipe.changed) return holder.store(node, tree.size, copyBytes(pipe.resultPtr, pipe.resultLen));
    }
    const slot = holder.store(node, tree.size, input);
    if (base !== null && input != e.value) {
      slot.same = base.same !== null ? base.same : base;
      slot.features = features; // the input's kinds, or still unknown when not needed here
    }
    return slot;
  }

  /** The byte kinds of the buffer in `slot` (null: the value of `holder`, an entry holding its caches), computed
   *  once per buffer. */
  private featuresIn(holder: Entry, slot: CacheSlot | null): u32 {
    if (slot === null || slot.value == holder.value) {
      if (holder.features == FEATURES_UNKNOWN) holder.features = featuresOf(changetype<usize>(holder.value), holder.value.byteLength);
      return holder.features;
    }
    if (slot.features == FEATURES_UNKNOWN) slot.features = featuresOf(changetype<usize>(slot.value), slot.value.byteLength);
    return slot.features;
  }

  /** The slot whose prefilter scan serves e's value in `slot`: null for the entry's own value (its rawBits). */
  @inline private scanOwner(e: Entry, slot: CacheSlot | null): CacheSlot | null {
    if (slot === null || slot.value == e.value) return null;
    const same = slot.same;
    return same !== null ? same : slot;
  }

  /** The prefilter candidates of e's value in cache slot `slot` (null: the raw value), scanned once and kept with
   *  the first slot that held the buffer: every pipeline that yields the same buffer shares one scan. (Sets are
   *  never changed after the scan.) */
  private candidatesOf(e: Entry, slot: CacheSlot | null): RegexCandidates {
    const owner = this.scanOwner(e, slot);
    const holder = e.cacheHolder();
    let c = owner !== null ? owner.bits : holder.rawBits;
    if (c === null) {
      const val = owner !== null ? owner.value : e.value;
      const set = this.rs.regexSet;
      c = set.newCandidates();
      set.scanInto(c, changetype<usize>(val), val.byteLength);
      if (owner !== null) owner.bits = c;
      else holder.rawBits = c;
    }
    return c;
  }

  /**
   * The fast "cannot match" test of a skippable condition (filter/engine/skippable.ts): true when, for every target,
   * no value the target can yield after the condition's pipeline has the condition's regex among its prefilter
   * candidates. Decides without resolving targets; false means "evaluate normally".
   */
  private cannotMatch(r: i32, c: i32, pipeIdx: i32, ids: StaticArray<u8>): bool {
    const tx = this.tx;
    const ri = unchecked(this.candidate[c]);
    const plans = this.skipPlans;
    const cells = plans.cells.dataStart;
    const to = unchecked(plans.start[c + 1]);
    for (let i = unchecked(plans.start[c]); i < to; i += 2) {
      const v = load<i32>(cells + (<usize>i << 2));
      const read = load<i32>(cells + (<usize>(i + 1) << 2));
      const names = (read & NAMES_FLAG) != 0;
      const coll = tx.coll(read & (NAMES_FLAG - 1));
      if (coll !== null) {
        if (len(coll.entries) == 0) continue;
        if (isCandidate(this.union(v, coll, names, pipeIdx, ids), ri)) return false;
      } else if (!names) {
        const e = tx.scalar(v);
        if (e !== null && isCandidate(this.candidatesOf(e, this.transformed(e, pipeIdx, ids)), ri)) return false;
      }
    }
    return true;
  }

  /** The union of the prefilter candidates of coll's values (its keys when `names`) after pipeline pipeIdx. */
  private union(v: i32, coll: Collection, names: bool, pipeIdx: i32, ids: StaticArray<u8>): RegexCandidates {
    const k = v * this.rs.prog.pipelineCount + pipeIdx;
    let u = at(this.unionBits, k);
    if (u !== null && unchecked(this.unionVersion[k]) == coll.version) return u;
    if (u === null) {
      u = this.rs.regexSet.newCandidates();
      unchecked((this.unionBits[k] = u));
    }
    const words = u;
    const nw = words.length;
    for (let w = 0; w < nw; w++) unchecked((words[w] = 0));
    const es = coll.entries;
    for (let i = 0, n = es.length; i < n; i++) {
      let e = unchecked(es[i]);
      if (names) e = e.asName();
      const cw = this.candidatesOf(e, this.transformed(e, pipeIdx, ids));
      if (cw.length != nw) return this.rs.regexSet.newCandidates(); // cannot happen (one regex set); fail open
      for (let w = 0; w < nw; w++) unchecked((words[w] |= unchecked(cw[w])));
    }
    unchecked((this.unionVersion[k] = coll.version));
    return u;
  }

  /** The values a multiMatch condition tests (multiVals, with their cache slots in multiSlots): e's value, then the
   *  value after each step of pipeline pipeIdx that changes it into different bytes. */
  private multiValues(e: Entry, pipeIdx: i32): void {
    const mv = this.multiVals;
    const ms = this.multiSlots;
    mv.length = 0;
    ms.length = 0;
    mv.push(e.value);
    ms.push(null);
    const prefixes = this.pipelines.prefixesOf(pipeIdx);
    if (prefixes === null) return; // cannot happen: the tree has the prefixes of every multiMatch pipeline
    let cur = e.value;
    for (let k = 0; k < prefixes.length; k++) {
      const slot = this.nodeSlot(e, unchecked(prefixes[k]));
      const nv = slot.value;
      if (nv == cur) continue; // step k left the value unchanged (same buffer)
      if (!eqB(nv, cur)) {
        mv.push(nv);
        ms.push(slot);
      }
      cur = nv;
    }
  }

  /** The matched variable's name as MATCHED_VAR_NAME shows it ("VAR" or "VAR:key"). Built once per variable (scalars)
   *  or per entry and variable, then shared: like every value buffer, it is never changed after it is made. */
  private varName(v: i32, kind: i32, e: Entry): ArrayBuffer {
    if (kind == KIND_SCALAR) {
      let n = unchecked(this.scalarNames[v]);
      if (n === null) {
        n = latin1(unchecked(VAR_NAMES[v]));
        unchecked((this.scalarNames[v] = n));
      }
      return n;
    }
    let name = e.matchedName;
    if (name !== null && e.matchedNameVar == v) return name;
    let prefix = unchecked(this.namePrefixes[v]);
    if (prefix === null) {
      prefix = latin1(unchecked(VAR_NAMES[v]) + ":");
      unchecked((this.namePrefixes[v] = prefix));
    }
    const pl = prefix.byteLength;
    const kl = e.key.byteLength;
    name = new ArrayBuffer(pl + kl);
    memory.copy(changetype<usize>(name), changetype<usize>(prefix), <usize>pl);
    memory.copy(changetype<usize>(name) + <usize>pl, changetype<usize>(e.key), <usize>kl);
    e.matchedName = name;
    e.matchedNameVar = v;
    return name;
  }

  private matched(v: i32, kind: i32, e: Entry, val: ArrayBuffer): void {
    const tx = this.tx;
    const name = this.varName(v, kind, e);
    tx.setScalar(VariableId.MATCHED_VAR, val);
    tx.setScalar(VariableId.MATCHED_VAR_NAME, name);
    tx.coll(VariableId.MATCHED_VARS)!.add(name, val);
  }

  // ==============================================================================================================
  // Variable resolution

  /** Fills rEntries/rVars/rKinds with the values of condition c's targets. */
  private resolve(r: i32, c: i32): void {
    const rs = this.rs;
    const tx = this.tx;
    truncate(this.rEntries, 0);
    truncate(this.rVars, 0);
    truncate(this.rKinds, 0);
    const ts = <i32>rs.cond(c, Cond.TARGET_START), tn = <i32>rs.cond(c, Cond.TARGET_COUNT);
    const t = rs.prog.targets;
    const hasExclusions = load<u8>(this.exclusions.dataStart + <usize>c) != 0;
    const anyRemovals = len(tx.removedTargets) > 0;
    for (let i = ts; i < ts + tn; i++) {
      const flags = u32at(t, i * TARGET_CELLS + Target.FLAGS);
      if ((flags & TargetFlags.EXCLUDE) != 0) continue;
      const v = <i32>u32at(t, i * TARGET_CELLS + Target.VARIABLE);
      // removals of other variables cannot concern this target (targetRemoved and removedKey compare variables)
      const removals = anyRemovals && tx.hasTargetRemoval(v);
      if (removals && this.targetRemoved(r, i)) continue;
      const sel = <i32>(flags >> TARGET_SELECTOR_SHIFT);
      const selArg = u32at(t, i * TARGET_CELLS + Target.SELECTOR);
      const before = len(this.rEntries);
      this.collect(v, sel, selArg);
      // exclusions of the same condition, and ctl target removals with a key
      const after = len(this.rEntries);
      let w = after;
      if (hasExclusions || removals) {
        w = before;
        for (let k = before; k < after; k++) {
          const e = at(this.rEntries, k);
          const kv = at(this.rVars, k);
          const kk = at(this.rKinds, k);
          if (kk != KIND_SCALAR && (hasExclusions && this.excluded(ts, tn, kv, e.key) || removals && this.removedKey(r, kv, e.key))) continue;
          unchecked((this.rEntries[w] = e));
          unchecked((this.rVars[w] = kv));
          unchecked((this.rKinds[w] = kk));
          w++;
        }
        if (w != after) {
          truncate(this.rEntries, w);
          truncate(this.rVars, w);
          truncate(this.rKinds, w);
        }
      }
      if ((flags & TargetFlags.COUNT) != 0) {
        const cnt = w - before;
        truncate(this.rEntries, before);
        truncate(this.rVars, before);
        truncate(this.rKinds, before);
        this.push(this.countEntry(cnt), v, KIND_SCALAR);
      }
    }
  }

  /** The value of a `&VAR` target counting n values. Small counts share one entry each for the life of the engine:
   *  its value never changes (it is in no collection), so its transformation and prefilter caches stay valid. */
  private countEntry(n: i32): Entry {
    if (n >= COUNT_ENTRIES) return new Entry(EMPTY, latin1(n.toString()));
    let e = at(this.countEntries, n);
    if (e === null) {
      e = new Entry(EMPTY, latin1(n.toString()));
      unchecked((this.countEntries[n] = e));
    }
    return e;
  }

  @inline private push(e: Entry, v: i32, kind: i32): void {
    append(this.rEntries, e);
    append(this.rVars, v);
    append(this.rKinds, kind);
  }

  private selects(sel: i32, selArg: u32, key: ArrayBuffer): bool {
    if (sel == TargetSelector.NONE) return true;
    if (sel == TargetSelector.KEY || sel == TargetSelector.XPATH) return eqBNoCase(this.rs.str(selArg), key);
    if (sel == TargetSelector.REGEX) {
      // compiled caseless, as ModSecurity v3 compiles selector regexes (rulesets/tables/format.ts, TARGETS)
      const lit = this.literals.test(<i32>selArg, key);
      if (lit >= 0) return lit != 0;
      const re = this.rs.regex(<i32>selArg);
      return re !== null && match(re, changetype<usize>(key), key.byteLength, false);
    }
    return false;
  }

  private excluded(ts: i32, tn: i32, v: i32, key: ArrayBuffer): bool {
    const t = this.rs.prog.targets;
    for (let i = ts; i < ts + tn; i++) {
      const flags = u32at(t, i * TARGET_CELLS + Target.FLAGS);
      if ((flags & TargetFlags.EXCLUDE) == 0) continue;
      if (<i32>u32at(t, i * TARGET_CELLS + Target.VARIABLE) != v) continue;
      if (this.selects(<i32>(flags >> TARGET_SELECTOR_SHIFT), u32at(t, i * TARGET_CELLS + Target.SELECTOR), key)) return true;
    }
    return false;
  }

  private removalApplies(r: i32, tr: TargetRemoval): bool {
    if (tr.byTag) return this.ruleHasTag(r, tr.text);
    if (tr.byMsg) return this.ruleHasMsg(r, tr.text);
    const id = this.rs.rule(r, Rule.ID);
    return id >= tr.from && id <= tr.to;
  }

  /** A ctl removal of a whole variable (no selector) for this rule. */
  private targetRemoved(r: i32, ti: i32): bool {
    const rem = this.tx.removedTargets;
    if (len(rem) == 0) return false;
    const t = this.rs.prog.targets;
    const v = u32at(t, ti * TARGET_CELLS + Target.VARIABLE);
    const tsel = u32at(t, ti * TARGET_CELLS + Target.FLAGS) >> TARGET_SELECTOR_SHIFT;
    for (let k = 0; k < rem.length; k++) {
      const tr = unchecked(rem[k]);
      const x = tr.target;
      if (u32at(t, x * TARGET_CELLS + Target.VARIABLE) != v) continue;
      const sel = u32at(t, x * TARGET_CELLS + Target.FLAGS) >> TARGET_SELECTOR_SHIFT;
      if (sel != TargetSelector.NONE) {
        // same selector written the same way removes the target as a whole
        if (sel != tsel || u32at(t, x * TARGET_CELLS + Target.SELECTOR) != u32at(t, ti * TARGET_CELLS + Target.SELECTOR)) continue;
      }
      if (this.removalApplies(r, tr)) return true;
    }
    return false;
  }

  private removedKey(r: i32, v: i32, key: ArrayBuffer): bool {
    const rem = this.tx.removedTargets;
    if (len(rem) == 0) return false;
    const t = this.rs.prog.targets;
    for (let k = 0; k < rem.length; k++) {
      const tr = unchecked(rem[k]);
      const x = tr.target;
      if (<i32>u32at(t, x * TARGET_CELLS + Target.VARIABLE) != v) continue;
      const sel = <i32>(u32at(t, x * TARGET_CELLS + Target.FLAGS) >> TARGET_SELECTOR_SHIFT);
      if (sel == TargetSelector.NONE) continue;
      if (!this.selects(sel, u32at(t, x * TARGET_CELLS + Target.SELECTOR), key)) continue;
      if (this.removalApplies(r, tr)) return true;
    }
    return false;
  }

  private collectColl(c: Collection | null, v: i32, sel: i32, selArg: u32, names: bool): void {
    if (c === null) return;
    const es = c.entries;
    const keyed = sel == TargetSelector.KEY || sel == TargetSelector.XPATH;
    if (keyed) {
      // TX:name and friends go through the collection's key index (TX holds every CRS setting, and keyed TX reads
      // are a large share of all conditions); entries with the same key come in collection order.
      const want = this.rs.str(selArg);
      const wp = changetype<usize>(want), wl = want.byteLength;
      for (let i = c.indexOfHashedKey(wp, wl, this.rs.strHash(selArg), true); i >= 0; i = c.nextIndexOfKey(i, wp, wl)) {
        const e = at(es, i);
        if (names) this.push(e.asName(), v, KIND_NAMES);
        else this.push(e, v, KIND_COLL);
      }
      return;
    }
    if (sel == TargetSelector.NONE) {
      // the whole collection (ARGS, REQUEST_HEADERS, ...)
      if (names) for (let i = 0, n = len(es); i < n; i++) this.push(at(es, i).asName(), v, KIND_NAMES);
      else for (let i = 0, n = len(es); i < n; i++) this.push(at(es, i), v, KIND_COLL);
      return;
    }
    for (let i = 0, n = len(es); i < n; i++) {
      const e = at(es, i);
      if (!this.selects(sel, selArg, e.key)) continue;
      if (names) this.push(e.asName(), v, KIND_NAMES);
      else this.push(e, v, KIND_COLL);
    }
  }

  private pushScalar(v: i32, e: Entry | null): void {
    if (e !== null) this.push(e, v, KIND_SCALAR);
  }

  private collect(v: i32, sel: i32, selArg: u32): void {
    const tx = this.tx;
    switch (v) {
      case VariableId.ARGS_GET_NAMES: this.collectColl(tx.coll(VariableId.ARGS_GET), v, sel, selArg, true); return;
      case VariableId.ARGS_POST_NAMES: this.collectColl(tx.coll(VariableId.ARGS_POST), v, sel, selArg, true); return;
      case VariableId.ARGS_NAMES: this.collectColl(tx.coll(VariableId.ARGS), v, sel, selArg, true); return;
      case VariableId.REQUEST_COOKIES_NAMES: this.collectColl(tx.coll(VariableId.REQUEST_COOKIES), v, sel, selArg, true); return;
      case VariableId.REQUEST_HEADERS_NAMES: this.collectColl(tx.coll(VariableId.REQUEST_HEADERS), v, sel, selArg, true); return;
      case VariableId.RESPONSE_HEADERS_NAMES: this.collectColl(tx.coll(VariableId.RESPONSE_HEADERS), v, sel, selArg, true); return;
      case VariableId.FILES_NAMES: this.collectColl(tx.coll(VariableId.FILES), v, sel, selArg, true); return;
      case VariableId.MATCHED_VARS_NAMES: this.collectColl(tx.coll(VariableId.MATCHED_VARS), v, sel, selArg, true); return;
      case VariableId.ARGS_COMBINED_SIZE: {
        const a = tx.coll(VariableId.ARGS)!;
        let s: i64 = 0;
        for (let i = 0; i < a.entries.length; i++) s += unchecked(a.entries[i]).key.byteLength + unchecked(a.entries[i]).value.byteLength;
        this.push(new Entry(EMPTY, latin1(s.toString())), v, KIND_SCALAR);
        return;
      }
      case VariableId.IP: case VariableId.GLOBAL: case VariableId.SESSION: case VariableId.USER: case VariableId.RESOURCE: {
        const c = tx.coll(v);
        if (c !== null) c.expire(this.nowMs / 1000);
        this.collectColl(c, v, sel, selArg, false);
        return;
      }
      default: break;
    }
    const c = tx.coll(v);
    if (c !== null) {
      this.collectColl(c, v, sel, selArg, false);
      return;
    }
    const e = this.dynamicScalar(v);
    if (e !== null) this.pushScalar(v, e);
    else this.pushScalar(v, tx.scalar(v));
  }

  /** Variables computed when read (time, duration, severity). */
  private dynamicScalar(v: i32): Entry | null {
    const tx = this.tx;
    const now = this.nowMs;
    const secs = now / 1000;
    switch (v) {
      case VariableId.DURATION: return new Entry(EMPTY, latin1(((now - tx.startMs) * 1000).toString()));
      case VariableId.HIGHEST_SEVERITY: return tx.highestSeverity == 255 ? null : new Entry(EMPTY, latin1(tx.highestSeverity.toString()));
      case VariableId.TIME_EPOCH: return new Entry(EMPTY, latin1(secs.toString()));
      case VariableId.TIME: case VariableId.TIME_DAY: case VariableId.TIME_HOUR: case VariableId.TIME_MIN:
      case VariableId.TIME_MON: case VariableId.TIME_SEC: case VariableId.TIME_WDAY: case VariableId.TIME_YEAR: {
        const d = new Date(now);
        let s = "";
        if (v == VariableId.TIME) s = pad2(d.getUTCHours()) + ":" + pad2(d.getUTCMinutes()) + ":" + pad2(d.getUTCSeconds());
        else if (v == VariableId.TIME_DAY) s = d.getUTCDate().toString();
        else if (v == VariableId.TIME_HOUR) s = d.getUTCHours().toString();
        else if (v == VariableId.TIME_MIN) s = d.getUTCMinutes().toString();
        else if (v == VariableId.TIME_MON) s = d.getUTCMonth().toString();
        else if (v == VariableId.TIME_SEC) s = d.getUTCSeconds().toString();
        else if (v == VariableId.TIME_WDAY) s = d.getUTCDay().toString();
        else s = d.getUTCFullYear().toString();
        return new Entry(EMPTY, latin1(s));
      }
      default: return null;
    }
  }

  // ==============================================================================================================
  // Macros

  /** Expands macro id (the parts' concatenation, each %{VAR.key} resolved now). */
  expand(id: u32): ArrayBuffer {
    const rs = this.rs;
    if (id == NONE || <i32>id >= rs.prog.macroCount) return EMPTY;
    const st = unchecked(rs.staticMacro[<i32>id]);
    if (st !== null) return st;
    const macros = rs.prog.macros, parts = rs.prog.parts; // ranges validated at load
    const ps = <i32>u32at(macros, <i32>id * MACRO_CELLS), pn = <i32>u32at(macros, <i32>id * MACRO_CELLS + 1);
    if (pn == 1 && u32at(parts, ps * PART_CELLS) == MacroPartKind.TEXT) {
      const b = rs.str(u32at(parts, ps * PART_CELLS + 1));
      unchecked((rs.staticMacro[<i32>id] = b));
      return b;
    }
    let res: ArrayBuffer;
    if (pn == 1) {
      // "%{tx.critical_anomaly_score}": the value itself (value buffers are never changed once made)
      const val = this.lookup(<i32>u32at(parts, ps * PART_CELLS + 1), u32at(parts, ps * PART_CELLS + 2));
      res = val !== null ? val : EMPTY;
    } else {
      // built at the end of the shared scratch: a RULE.msg part expands a macro within this one, which appends
      // after this one's bytes and cuts the scratch back to where it began
      const out = this.out;
      const start = out.len;
      for (let k = ps; k < ps + pn; k++) {
        const kind = u32at(parts, k * PART_CELLS);
        const a = u32at(parts, k * PART_CELLS + 1), b = u32at(parts, k * PART_CELLS + 2);
        if (kind == MacroPartKind.TEXT) out.appendB(rs.str(a));
        else {
          const val = this.lookup(<i32>a, b);
          if (val !== null) out.appendB(val);
        }
      }
      res = copyBytes(changetype<usize>(out.buf) + <usize>start, out.len - start);
      out.len = start;
    }
    if (unchecked(rs.macroIsStatic[<i32>id]) != 0) unchecked((rs.staticMacro[<i32>id] = res));
    return res;
  }

  /** %{VAR} / %{VAR.key}: the first value, or null. */
  lookup(v: i32, keyId: u32): ArrayBuffer | null {
    const tx = this.tx;
    const rs = this.rs;
    if (v == VariableId.RULE) return this.ruleField(keyId == NONE ? EMPTY : rs.str(keyId));
    const c = tx.coll(v);
    if (c !== null) {
      if (v == VariableId.IP || v == VariableId.GLOBAL || v == VariableId.SESSION || v == VariableId.USER || v == VariableId.RESOURCE) c.expire(this.nowMs / 1000);
      if (keyId == NONE) return c.entries.length > 0 ? unchecked(c.entries[0]).value : null;
      const e = c.getEntryHashed(rs.str(keyId), rs.strHash(keyId));
      return e === null ? null : e.value;
    }
    // resolve into the lookup scratch: the condition being evaluated keeps its own arrays
    const e0 = this.rEntries, v0 = this.rVars, k0 = this.rKinds;
    this.rEntries = this.lEntries;
    this.rVars = this.lVars;
    this.rKinds = this.lKinds;
    this.rEntries.length = 0;
    this.rVars.length = 0;
    this.rKinds.length = 0;
    this.collect(v, keyId == NONE ? TargetSelector.NONE : TargetSelector.KEY, keyId);
    const res = this.rEntries.length > 0 ? unchecked(this.rEntries[0]).value : null;
    this.rEntries = e0;
    this.rVars = v0;
    this.rKinds = k0;
    return res;
  }

  private ruleField(key: ArrayBuffer): ArrayBuffer | null {
    const r = this.curRule;
    if (r < 0) return null;
    const rs = this.rs;
    const k = toLatin1(key).toLowerCase();
    if (k == "id") return latin1(rs.rule(r, Rule.ID).toString());
    if (k == "phase") return latin1(rs.rule(r, Rule.PHASE).toString());
    if (k == "msg") return rs.rule(r, Rule.MSG) == NONE ? null : this.expand(rs.rule(r, Rule.MSG));
    if (k == "logdata") return rs.rule(r, Rule.LOGDATA) == NONE ? null : this.expand(rs.rule(r, Rule.LOGDATA));
    if (k == "severity") return rs.rule(r, Rule.SEVERITY) == NONE ? null : latin1(rs.rule(r, Rule.SEVERITY).toString());
    if (k == "rev") return rs.rule(r, Rule.REV) == NONE ? null : rs.str(rs.rule(r, Rule.REV));
    if (k == "ver") return rs.rule(r, Rule.VER) == NONE ? null : rs.str(rs.rule(r, Rule.VER));
    if (k == "maturity") return rs.rule(r, Rule.MATURITY) == NONE ? null : latin1(rs.rule(r, Rule.MATURITY).toString());
    if (k == "accuracy") return rs.rule(r, Rule.ACCURACY) == NONE ? null : latin1(rs.rule(r, Rule.ACCURACY).toString());
    return null;
  }

  // ==============================================================================================================
  // Operators

  private argText(c: i32): ArrayBuffer {
    const rs = this.rs;
    const kind = rs.cond(c, Cond.ARG_KIND);
    const arg = rs.cond(c, Cond.ARG);
    if (kind == ArgKind.STRING) return rs.str(arg);
    if (kind == ArgKind.MACRO) return this.expand(arg);
    return EMPTY;
  }

  /**
   * REGEX_VARIANTS (an @rx whose pattern holds macros): expand the pattern and pick the precompiled regex whose
   * pattern text is exactly the expansion. An expansion the compiler could not foresee (a TX variable set from request
   * data) has no regex: the condition does not match and the embedder logs it once per condition (`warnings`).
   */
  private regexVariant(c: i32): i32 {
    const rs = this.rs;
    const list = rs.prog.list;
    const at = <i32>rs.cond(c, Cond.ARG);
    const pattern = this.expand(unchecked(list[at]));
    const n = <i32>unchecked(list[at + 1]);
    for (let k = 0; k < n; k++) {
      const text = rs.str(unchecked(list[at + 2 + 2 * k]));
      if (eqB(text, pattern)) return <i32>unchecked(list[at + 3 + 2 * k]);
    }
    if (!this.warnedVariants.has(c)) {
      this.warnedVariants.add(c);
      this.warnings.push("rule " + rs.rule(this.curRule, Rule.ID).toString() + ": @rx pattern expanded to /" + toLatin1(pattern) +
        "/, which the compiler could not foresee (not precompiled); the condition does not match");
    }
    return -1;
  }

  private argNumber(c: i32): i64 {
    const rs = this.rs;
    const kind = rs.cond(c, Cond.ARG_KIND);
    const arg = rs.cond(c, Cond.ARG);
    if (kind == ArgKind.NUMBER) return <i64><i32>arg;
    const t = this.argText(c);
    return atoi(changetype<usize>(t), t.byteLength);
  }

  /** The regex argument of a @verifyCC & co. condition. */
  private verifyRegex(c: i32): Regex | null {
    if (this.rs.cond(c, Cond.ARG_KIND) != ArgKind.REGEX) return null;
    return this.rs.regex(<i32>this.rs.cond(c, Cond.ARG));
  }

  private setCapture(g: i32, v: ArrayBuffer): void {
    this.tx.tx().set(intBytes(g), v);
  }

  /** Whether the prefilter allows regex ri to match this value (one of its factors occurs, or it has none). The
   *  scan of a value is kept with its cache slot, so every regex of every rule on that value shares one scan. */
  private prefilterPasses(ri: i32, val: ArrayBuffer, e: Entry | null, slot: CacheSlot | null): bool {
    const set = this.rs.regexSet;
    // a regex with neither prefilter factors nor required bytes is always a candidate: no scan needed
    if ((unchecked(set.always[ri >>> 5]) & (<u32>1 << (<u32>ri & 31))) != 0) return true;
    if (e === null) {
      set.prefilterScan(changetype<usize>(val), val.byteLength);
      return set.regexMayMatch(ri);
    }
    const owner = this.scanOwner(e, slot);
    let c = owner !== null ? owner.bits : e.cacheHolder().rawBits;
    if (c === null) {
      // A table DFA costs two loads per byte, less than one step of the prefilter automaton: run it directly
      // unless this value was scanned already (then the scan is free).
      if (set.get(ri).tier == TIER_DFA) return true;
      c = this.candidatesOf(e, slot); // val is e's value in that slot
    }
    return isCandidate(c, ri);
  }

  private operator(c: i32, op: i32, val: ArrayBuffer, e: Entry | null, slot: CacheSlot | null, capture: bool): bool {
    const rs = this.rs;
    const p = changetype<usize>(val);
    const n = val.byteLength;
    switch (op) {
      case OperatorKind.UNCONDITIONAL_MATCH: return true;
      case OperatorKind.NO_MATCH: return false;
      case OperatorKind.RX:
      case OperatorKind.RX_GLOBAL: {
        const ri = rs.cond(c, Cond.ARG_KIND) == ArgKind.REGEX ? <i32>rs.cond(c, Cond.ARG) : this.regexVariant(c);
        if (ri < 0) return false;
        if (unchecked(rs.regexSet.wholeValue[ri]) != 0) {
          // `^.*$` & co.: every value matches, TX:0 is the value (buffers never change once made, so no copy)
          if (capture) this.setCapture(0, val);
          return true;
        }
        if (!this.prefilterPasses(ri, val, e, slot)) return false;
        const re = rs.regex(ri);
        if (re === null) return false;
        const m = match(re, p, n, capture);
        if (m && capture) {
          for (let g = 0; g < captureCount; g++) {
            const s = unchecked(captures[2 * g]), en = unchecked(captures[2 * g + 1]);
            if (s >= 0 && en >= s && en <= n) this.setCapture(g, s == 0 && en == n ? val : copyBytes(p + <usize>s, en - s));
          }
        }
        return m;
      }
      case OperatorKind.PM:
      case OperatorKind.PM_FROM_FILE: {
        const ac = rs.ac(<i32>rs.cond(c, Cond.ARG));
        if (ac === null) return false;
        // a folded automaton (skippable.ts conditionCandidates) whose phrases the value's prefilter scan did not
        // meet cannot match: that scan serves every rule reading the value, where this walk serves this rule only
        const ci = unchecked(this.candidate[c]);
        if (ci >= 0 && e !== null && !isCandidate(this.candidatesOf(e, slot), ci)) return false;
        const id = ac.search(p, <usize>n);
        if (id < 0) return false;
        if (capture) {
          const l = <i32>ac.phraseLength(<u32>id);
          const end = ac.matchEnd;
          const s = end - l;
          this.setCapture(0, s >= 0 ? copyBytes(p + <usize>s, l) : ac.phrase(<u32>id).buffer);
        }
        return true;
      }
      case OperatorKind.IP_MATCH:
      case OperatorKind.IP_MATCH_FROM_FILE: {
        const ip = rs.ip(<i32>rs.cond(c, Cond.ARG));
        if (ip === null) return false;
        return ip.lookup(p, <usize>n) == IpResult.MATCH;
      }
      case OperatorKind.STREQ: {
        const a = this.argText(c);
        const m = eqB(a, val);
        if (m && capture) this.setCapture(0, val);
        return m;
      }
      case OperatorKind.CONTAINS:
      case OperatorKind.STRMATCH: {
        const a = this.argText(c);
        const i = indexOf(p, n, changetype<usize>(a), a.byteLength);
        if (i >= 0 && capture) this.setCapture(0, a);
        return i >= 0;
      }
      case OperatorKind.CONTAINS_WORD: {
        const a = this.argText(c);
        const al = a.byteLength;
        if (al == 0) return true;
        let from = 0;
        while (true) {
          const i = indexOf(p, n, changetype<usize>(a), al, from);
          if (i < 0) return false;
          const before = i == 0 || !isWordChar(load<u8>(p + <usize>(i - 1)));
          const after = i + al == n || !isWordChar(load<u8>(p + <usize>(i + al)));
          if (before && after) {
            if (capture) this.setCapture(0, a);
            return true;
          }
          from = i + 1;
        }
        return false;
      }
      case OperatorKind.BEGINS_WITH: {
        const a = this.argText(c);
        const al = a.byteLength;
        const m = al <= n && memory.compare(p, changetype<usize>(a), <usize>al) == 0;
        if (m && capture) this.setCapture(0, a);
        return m;
      }
      case OperatorKind.ENDS_WITH: {
        const a = this.argText(c);
        const al = a.byteLength;
        const m = al <= n && memory.compare(p + <usize>(n - al), changetype<usize>(a), <usize>al) == 0;
        if (m && capture) this.setCapture(0, a);
        return m;
      }
      case OperatorKind.WITHIN: {
        if (n == 0) return true;
        const a = this.argText(c);
        const m = indexOf(changetype<usize>(a), a.byteLength, p, n) >= 0;
        if (m && capture) this.setCapture(0, val);
        return m;
      }
      case OperatorKind.EQ: return atoi(p, n) == this.argNumber(c);
      case OperatorKind.GE: return atoi(p, n) >= this.argNumber(c);
      case OperatorKind.GT: return atoi(p, n) > this.argNumber(c);
      case OperatorKind.LE: return atoi(p, n) <= this.argNumber(c);
      case OperatorKind.LT: return atoi(p, n) < this.argNumber(c);
      case OperatorKind.DETECT_SQLI: {
        const fp = this.fp;
        memory.fill(fp, 0, 16);
        const m = detectSQLi(p, n, fp);
        if (m && capture) {
          let l = 0;
          while (l < 8 && load<u8>(fp + <usize>l) != 0) l++;
          this.setCapture(0, copyBytes(fp, l));
        }
        return m;
      }
      case OperatorKind.DETECT_XSS: {
        const m = detectXSS(p, n);
        if (m && capture) this.setCapture(0, val);
        return m;
      }
      case OperatorKind.VALIDATE_BYTE_RANGE: {
        if (rs.cond(c, Cond.ARG_KIND) != ArgKind.BYTES) return false;
        const base = <i32>rs.cond(c, Cond.ARG);
        const list = rs.prog.list;
        if (base + 8 > list.length) return false;
        for (let i = 0; i < n; i++) {
          const b = <i32>load<u8>(p + <usize>i);
          if ((unchecked(list[base + (b >> 5)]) & (<u32>1 << (b & 31))) == 0) return true;
        }
        return false;
      }
      case OperatorKind.VALIDATE_URL_ENCODING: {
        if (n == 0) return false;
        let i = 0;
        while (i < n) {
          if (load<u8>(p + <usize>i) == 0x25) {
            if (i + 2 >= n) return true;
            if (!isHex(load<u8>(p + <usize>(i + 1))) || !isHex(load<u8>(p + <usize>(i + 2)))) return true;
            i += 3;
          } else i++;
        }
        return false;
      }
      case OperatorKind.VALIDATE_UTF8_ENCODING: return !validUtf8(p, n);
      case OperatorKind.VERIFY_CC: {
        const re = this.verifyRegex(c);
        if (re === null || !verifyCreditCard(re, p, n)) return false;
        if (capture) this.setCapture(0, copyBytes(p + <usize>verifiedStart, verifiedEnd - verifiedStart));
        return true;
      }
      case OperatorKind.VERIFY_CPF:
      case OperatorKind.VERIFY_SSN:
      case OperatorKind.VERIFY_SVNR: {
        const re = this.verifyRegex(c);
        const kind = op == OperatorKind.VERIFY_CPF ? IdNumber.CPF : op == OperatorKind.VERIFY_SSN ? IdNumber.SSN : IdNumber.SVNR;
        if (re === null || !verifyIdNumber(re, p, n, kind, capture)) return false;
        if (capture) this.setCapture(0, copyBytes(p + <usize>verifiedStart, verifiedEnd - verifiedStart));
        return true;
      }
      default: return false; // geoLookup, rbl: not supported in the filter
    }
  }

  // ==============================================================================================================
  // Actions

  /** Runs actions [s, s+n): setvars when `setvars`, the others otherwise. */
  private runActions(s: i32, n: i32, setvars: bool): void {
    const a = this.rs.prog.actions;
    for (let i = s; i < s + n; i++) {
      const kind = <i32>u32at(a, i * ACTION_CELLS);
      if ((kind == ActionKind.SETVAR) != setvars) continue;
      this.action(i);
    }
  }

  private action(i: i32): void {
    const rs = this.rs;
    const tx = this.tx;
    const a = rs.prog.actions;
    const o = i * ACTION_CELLS;
    const kind = <i32>u32at(a, o);
    switch (kind) {
      case ActionKind.SETVAR: {
        const v = <i32>u32at(a, o + 1);
        const c = this.writableColl(v);
        if (c === null) return;
        const key = this.expand(u32at(a, o + 3));
        if (v == VariableId.TX && tx.pinnedTx.length > 0 && tx.isPinnedTx(key)) return; // set by the embedder
        const opk = <i32>u32at(a, o + 2);
        if (opk == SetVarOp.UNSET) {
          c.remove(key);
          return;
        }
        const val = this.expand(u32at(a, o + 4));
        // one lookup for the read and the write; a key written as plain text keeps its hash
        const h = this.rs.staticMacroHash(u32at(a, o + 3));
        const cur = h != 0 ? c.getEntryHashed(key, h) : c.getEntry(key);
        if (opk == SetVarOp.SET) {
          if (cur !== null) c.update(cur, val);
          else c.addHashed(key, val, h, h != 0);
          return;
        }
        const pre = cur === null ? <i64>0 : atoi(changetype<usize>(cur.value), cur.value.byteLength);
        const d = atoi(changetype<usize>(val), val.byteLength);
        const res = intBytes(opk == SetVarOp.ADD ? pre + d : pre - d);
        if (cur !== null) c.update(cur, res);
        else c.addHashed(key, res, h, h != 0);
        return;
      }
      case ActionKind.CTL: this.ctl(o); return;
      case ActionKind.INITCOL: {
        const v = <i32>u32at(a, o + 1);
        const key = toLatin1(this.expand(u32at(a, o + 2)));
        const c = this.store.get(v, key);
        c.expire(this.nowMs / 1000);
        unchecked((tx.colls[v] = c));
        return;
      }
      case ActionKind.EXPIREVAR: {
        const v = <i32>u32at(a, o + 1);
        const c = tx.coll(v);
        if (c === null) return;
        const key = this.expand(u32at(a, o + 2));
        const secsB = this.expand(u32at(a, o + 3));
        const secs = atoi(changetype<usize>(secsB), secsB.byteLength);
        const e = c.getEntry(key);
        if (e !== null) e.expires = this.nowMs / 1000 + secs;
        return;
      }
      case ActionKind.SETENV: {
        const name = this.expand(u32at(a, o + 2));
        const val = this.expand(u32at(a, o + 3));
        tx.coll(VariableId.ENV)!.set(name, val);
        return;
      }
      case ActionKind.SETUID: tx.setScalar(VariableId.USERID, this.expand(u32at(a, o + 2))); return;
      case ActionKind.SETSID: tx.setScalar(VariableId.SESSIONID, this.expand(u32at(a, o + 2))); return;
      default: return; // setrsc, xmlns, sanitise*: no effect on detection
    }
  }

  private writableColl(v: i32): Collection | null {
    const tx = this.tx;
    const c = tx.coll(v);
    if (c !== null) return c;
    return null; // IP/GLOBAL/... without initcol: ModSecurity ignores the setvar
  }

  private ctl(o: i32): void {
    const rs = this.rs;
    const tx = this.tx;
    const a = rs.prog.actions;
    const opt = <i32>a[o + 1];
    const typed = a[o + 3];
    switch (opt) {
      case CtlOption.RULE_ENGINE: tx.ruleEngine = <i32>typed; return;
      case CtlOption.REQUEST_BODY_ACCESS: tx.requestBodyAccess = typed != 0; return;
      case CtlOption.RESPONSE_BODY_ACCESS: tx.responseBodyAccess = typed != 0; return;
      case CtlOption.REQUEST_BODY_LIMIT: tx.requestBodyLimit = <i64>typed; return;
      case CtlOption.RESPONSE_BODY_LIMIT: tx.responseBodyLimit = <i64>typed; return;
      case CtlOption.REQUEST_BODY_PROCESSOR: {
        tx.bodyProcessor = <i32>typed;
        tx.setScalarStr(VariableId.REQBODY_PROCESSOR, bodyProcessorName(<i32>typed));
        return;
      }
      case CtlOption.FORCE_REQUEST_BODY_VARIABLE: tx.forceRequestBodyVariable = typed != 0; return;
      case CtlOption.AUDIT_ENGINE: tx.auditEngine = <i32>typed; return;
      case CtlOption.AUDIT_LOG_PARTS: tx.auditLogParts = rs.text(typed); return;
      case CtlOption.RULE_REMOVE_BY_ID: {
        const s = <i32>a[o + 4], n = <i32>a[o + 5];
        for (let k = 0; k < n; k++) tx.removedIds.push(new IdRange(rs.prog.list[s + 2 * k], rs.prog.list[s + 2 * k + 1]));
        return;
      }
      case CtlOption.RULE_REMOVE_BY_TAG: tx.removedTags.push(rs.str(typed)); return;
      case CtlOption.RULE_REMOVE_BY_MSG: tx.removedMsgs.push(rs.str(typed)); return;
      case CtlOption.RULE_REMOVE_TARGET_BY_ID:
      case CtlOption.RULE_REMOVE_TARGET_BY_TAG:
      case CtlOption.RULE_REMOVE_TARGET_BY_MSG: {
        const ts = <i32>a[o + 6], tn = <i32>a[o + 7];
        if (opt == CtlOption.RULE_REMOVE_TARGET_BY_ID) {
          const s = <i32>a[o + 4], n = <i32>a[o + 5];
          for (let k = 0; k < n; k++)
            for (let t = ts; t < ts + tn; t++) {
              const tr = new TargetRemoval();
              tr.from = rs.prog.list[s + 2 * k];
              tr.to = rs.prog.list[s + 2 * k + 1];
              tr.target = t;
              tx.addTargetRemoval(tr, <i32>u32at(rs.prog.targets, t * TARGET_CELLS + Target.VARIABLE));
            }
        } else {
          for (let t = ts; t < ts + tn; t++) {
            const tr = new TargetRemoval();
            tr.byTag = opt == CtlOption.RULE_REMOVE_TARGET_BY_TAG;
            tr.byMsg = opt == CtlOption.RULE_REMOVE_TARGET_BY_MSG;
            tr.text = rs.str(typed);
            tr.target = t;
            tx.addTargetRemoval(tr, <i32>u32at(rs.prog.targets, t * TARGET_CELLS + Target.VARIABLE));
          }
        }
        return;
      }
      default: return;
    }
  }
}

/** Per condition: 1 when one of its targets is an exclusion (load time, once per VM). */
function conditionsWithExclusions(rs: Ruleset): Uint8Array {
  const n = rs.prog.condCount;
  const out = new Uint8Array(n);
  const t = rs.prog.targets;
  for (let c = 0; c < n; c++) {
    const ts = <i32>rs.cond(c, Cond.TARGET_START), tn = <i32>rs.cond(c, Cond.TARGET_COUNT);
    for (let i = ts; i < ts + tn; i++) if ((t[i * TARGET_CELLS + Target.FLAGS] & TargetFlags.EXCLUDE) != 0) out[c] = 1;
  }
  return out;
}

function pad2(n: i32): string {
  return n < 10 ? "0" + n.toString() : n.toString();
}

// @ts-ignore: decorator
@inline function isWordChar(c: u8): bool {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c == 0x5f;
}

// @ts-ignore: decorator
@inline function isHex(c: u8): bool {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/** Strict UTF-8 validity (truncation, bad continuation, overlong forms, surrogates, > U+10FFFF are errors). */
export function validUtf8(p: usize, n: i32): bool {
  let i = 0;
  while (i < n) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c < 0x80) {
      i++;
      continue;
    }
    let len = 0;
    let cp: u32 = 0;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else return false;
    if (i + len > n) return false;
    for (let k = 1; k < len; k++) {
      const cc = <u32>load<u8>(p + <usize>(i + k));
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}
