// Transaction state: every variable ModSecurity v3 exposes, held as collections (ordered multimaps) and scalar
// entries indexed by VariableId, plus the per-transaction switches that ctl actions change, the log of matched
// rules and the current decision. The engine (engine.ts) fills and reads it; nothing here evaluates rules.
import { VariableId, VARIABLE_COUNT } from "../../rulesets/tables/variables";
import { Collection, Entry } from "./collection";
import { EMPTY, eqNoCase, latin1 } from "./bytes";
import { VAR_NAMES } from "./names";

/** One logged match: what the event and the metrics report about a rule that matched. */
export class MatchRecord {
  ruleIndex: i32 = 0;
  id: u32 = 0;
  phase: i32 = 0;
  /** The expanded msg and logdata, bytes (shared buffers: never changed). */
  msg: ArrayBuffer = EMPTY;
  logdata: ArrayBuffer = EMPTY;
  severity: i32 = -1;
  file: string = "";
  line: i32 = 0;
  /** The rule logs (not nolog): it appears in the event. */
  log: bool = true;
  /** The rule's disruptive action was executed (engine On and disruptive). */
  disruptive: bool = false;
  /** The effective disruptive action of the rule (Disruptive), whether executed or not. */
  action: i32 = 0;
  /** MATCHED_VAR_NAME when the rule matched (a shared buffer). */
  matchedVarName: ArrayBuffer = EMPTY;
  ver: string = "";
}

/** The outcome of a phase. */
export class Decision {
  disruptive: bool = false;
  /** Disruptive kind: DENY, DROP, REDIRECT, ALLOW (never reported as disruptive), PASS. */
  action: i32 = 0;
  status: i32 = 0;
  ruleId: u32 = 0;
  redirect: string = "";
  phase: i32 = 0;
  reset(): void {
    this.disruptive = false;
    this.action = 0;
    this.status = 0;
    this.ruleId = 0;
    this.redirect = "";
    this.phase = 0;
  }
}

export const ALLOW_NONE: i32 = 0;
export const ALLOW_ALL: i32 = 1;
export const ALLOW_REQUEST: i32 = 2;
export const ALLOW_PHASE: i32 = 3;

export class IdRange {
  constructor(public from: u32, public to: u32) {}
}

/** A ctl:ruleRemoveTarget*: the rules it applies to (ids, or tag/msg text) and the target (variable + key). */
export class TargetRemoval {
  from: u32 = 0;
  to: u32 = 0;
  byTag: bool = false;
  byMsg: bool = false;
  text: ArrayBuffer = EMPTY;
  /** TARGETS index of the removed target. */
  target: i32 = 0;
}

/** Collections every transaction has (possibly empty). */
const STANDING: StaticArray<i32> = [
  VariableId.ARGS, VariableId.ARGS_GET, VariableId.ARGS_POST, VariableId.REQUEST_HEADERS,
  VariableId.REQUEST_COOKIES, VariableId.RESPONSE_HEADERS, VariableId.FILES, VariableId.FILES_SIZES,
  VariableId.FILES_TMPNAMES, VariableId.FILES_TMP_CONTENT, VariableId.MULTIPART_NAME, VariableId.MULTIPART_FILENAME,
  VariableId.MULTIPART_PART_HEADERS, VariableId.XML, VariableId.TX, VariableId.ENV, VariableId.MATCHED_VARS,
  VariableId.GEO, VariableId.RULE,
];

export class Transaction {
  colls: StaticArray<Collection | null> = new StaticArray<Collection | null>(VARIABLE_COUNT);
  scalars: StaticArray<Entry | null> = new StaticArray<Entry | null>(VARIABLE_COUNT);
  /** A released transaction's scalar entries, emptied, for the next one's setScalar (a dozen per request). */
  private readonly spareScalars: StaticArray<Entry | null> = new StaticArray<Entry | null>(VARIABLE_COUNT);

  // ---- identity and timing ----
  uniqueId: string = "";
  startMs: i64 = 0;
  nowMs: i64 = 0;

  // ---- per-transaction switches (ctl) ----
  ruleEngine: i32 = 0;
  requestBodyAccess: bool = false;
  responseBodyAccess: bool = false;
  requestBodyLimit: i64 = 0;
  responseBodyLimit: i64 = 0;
  /** -1: none forced; else BodyProcessor. */
  bodyProcessor: i32 = -1;
  /** From Content-Type: -1 unknown, else BodyProcessor (URLENCODED / MULTIPART). */
  bodyType: i32 = -1;
  forceRequestBodyVariable: bool = false;
  auditEngine: i32 = -1;
  auditLogParts: string = "";
  removedIds: Array<IdRange> = new Array<IdRange>();
  removedTags: Array<ArrayBuffer> = new Array<ArrayBuffer>();
  removedMsgs: Array<ArrayBuffer> = new Array<ArrayBuffer>();
  /** Read freely; add through addTargetRemoval (it keeps targetRemovedVars in step). */
  removedTargets: Array<TargetRemoval> = new Array<TargetRemoval>();
  /** Per variable: 1 when some entry of removedTargets names it, so the engine skips the removal checks of every
   *  other variable without walking the list. */
  readonly targetRemovedVars: StaticArray<u8> = new StaticArray<u8>(VARIABLE_COUNT);
  /** TX variables the embedder set for this transaction and the rule set may not change (setvar on them is
   *  ignored): how a per-destination setting (e.g. the CRS paranoia level) wins over the rule set's own setup. */
  pinnedTx: Array<ArrayBuffer> = new Array<ArrayBuffer>();

  // ---- flow ----
  allow: i32 = ALLOW_NONE;
  allowPhase: i32 = 0;
  decision: Decision = new Decision();
  intervened: bool = false;
  log: Array<MatchRecord> = new Array<MatchRecord>();
  highestSeverity: i32 = 255;
  phasesDone: i32 = 0;

  // ---- request / response raw material ----
  method: ArrayBuffer = EMPTY;
  uri: ArrayBuffer = EMPTY;
  protocol: ArrayBuffer = EMPTY;
  host: string = "";
  path: string = "";
  clientIp: string = "";
  clientPort: i32 = 0;
  serverIp: string = "";
  serverPort: i32 = 0;
  contentType: ArrayBuffer = EMPTY;
  requestBody: ArrayBuffer = EMPTY;
  responseContentType: string = "";

  /** The collections every transaction has (possibly empty), made once and cleared by reset() so a pooled
   *  transaction (Engine.begin/release) does not reallocate them. */
  private readonly standing: StaticArray<Collection> = new StaticArray<Collection>(STANDING.length);

  constructor() {
    for (let i = 0; i < STANDING.length; i++) {
      const v = unchecked(STANDING[i]);
      const c = new Collection(unchecked(VAR_NAMES[v]));
      // Every standing collection is cleared only by reset() (and MATCHED_VARS per rule), when nothing holds its
      // entries any more: the next transaction reuses them instead of allocating ~100 (CRS's TX settings alone).
      c.recycleEntries();
      unchecked((this.standing[i] = c));
    }
    this.reset();
  }

  /** Back to the state of a new transaction. */
  reset(): void {
    for (let i = 0; i < VARIABLE_COUNT; i++) {
      unchecked((this.colls[i] = null));
      const e = unchecked(this.scalars[i]);
      if (e !== null) {
        e.recycle();
        unchecked((this.spareScalars[i] = e));
        unchecked((this.scalars[i] = null));
      }
    }
    for (let i = 0; i < STANDING.length; i++) {
      const c = unchecked(this.standing[i]);
      c.clear();
      unchecked((this.colls[unchecked(STANDING[i])] = c));
    }
    this.uniqueId = "";
    this.startMs = 0;
    this.nowMs = 0;
    this.ruleEngine = 0;
    this.requestBodyAccess = false;
    this.responseBodyAccess = false;
    this.requestBodyLimit = 0;
    this.responseBodyLimit = 0;
    this.bodyProcessor = -1;
    this.bodyType = -1;
    this.forceRequestBodyVariable = false;
    this.auditEngine = -1;
    this.auditLogParts = "";
    this.removedIds.length = 0;
    this.removedTags.length = 0;
    this.removedMsgs.length = 0;
    if (this.removedTargets.length > 0) {
      this.removedTargets.length = 0;
      memory.fill(changetype<usize>(this.targetRemovedVars), 0, <usize>VARIABLE_COUNT);
    }
    this.pinnedTx.length = 0;
    this.allow = ALLOW_NONE;
    this.allowPhase = 0;
    this.decision.reset();
    this.intervened = false;
    this.log = new Array<MatchRecord>();
    this.highestSeverity = 255;
    this.phasesDone = 0;
    this.method = EMPTY;
    this.uri = EMPTY;
    this.protocol = EMPTY;
    this.host = "";
    this.path = "";
    this.clientIp = "";
    this.clientPort = 0;
    this.serverIp = "";
    this.serverPort = 0;
    this.contentType = EMPTY;
    this.requestBody = EMPTY;
    this.responseContentType = "";
  }

  /** Records a ctl:ruleRemoveTarget* removal of variable v (its target's variable). */
  addTargetRemoval(tr: TargetRemoval, v: i32): void {
    this.removedTargets.push(tr);
    unchecked((this.targetRemovedVars[v] = 1));
  }

  /** Whether some ctl target removal names variable v. */
  @inline hasTargetRemoval(v: i32): bool {
    return load<u8>(changetype<usize>(this.targetRemovedVars) + <usize>v) != 0;
  }

  /** Sets TX:key (case-insensitive, as every TX key) and pins it for the rest of the transaction. The buffers are
   *  kept as they are: the caller must not change them afterwards. */
  pinTx(key: ArrayBuffer, value: ArrayBuffer): void {
    this.tx().set(key, value);
    if (!this.isPinnedTx(key)) this.pinnedTx.push(key);
  }

  isPinnedTx(key: ArrayBuffer): bool {
    for (let i = 0; i < this.pinnedTx.length; i++) {
      const p = unchecked(this.pinnedTx[i]);
      if (eqNoCase(changetype<usize>(p), p.byteLength, changetype<usize>(key), key.byteLength)) return true;
    }
    return false;
  }

  @inline coll(v: i32): Collection | null {
    return unchecked(this.colls[v]);
  }
  @inline tx(): Collection {
    return unchecked(this.colls[VariableId.TX])!;
  }

  setScalar(v: i32, value: ArrayBuffer): Entry {
    const e = unchecked(this.scalars[v]);
    if (e !== null) {
      e.setValue(value);
      return e;
    }
    const pooled = unchecked(this.spareScalars[v]);
    let n: Entry;
    if (pooled !== null) {
      unchecked((this.spareScalars[v] = null));
      pooled.setValue(value);
      n = pooled;
    } else n = new Entry(EMPTY, value);
    unchecked((this.scalars[v] = n));
    return n;
  }
  setScalarStr(v: i32, value: string): Entry {
    return this.setScalar(v, latin1(value));
  }
  @inline scalar(v: i32): Entry | null {
    return unchecked(this.scalars[v]);
  }
  scalarValue(v: i32): ArrayBuffer | null {
    const e = unchecked(this.scalars[v]);
    return e === null ? null : e.value;
  }
}
