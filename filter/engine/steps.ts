// Transformation steps of a long value, remembered one by one. Pipelines that differ in a step which leaves the
// value unchanged (t:utf8toUnicode,t:urlDecodeUni,... and t:urlDecodeUni,... on plain text) then pass the same
// buffer to the same next step: on a long value (a 10 KB body argument meets ~40 distinct pipeline prefixes of the
// CRS) each (buffer, step) pair is worth running once. On a short value a step costs less than looking it up, and
// the pipeline runs its steps straight through (Engine.nodeSlot).
import { Entry, StepResult } from "./collection";
import { copyBytes } from "./bytes";
import { TransformPipeline } from "../transforms/pipeline";

/** Values at least this long go through the step memo (below: a lookup and a copy per step cost about as much as
 *  the step itself). */
export const STEP_MEMO_MIN_BYTES: i32 = 256;

/**
 * Runs steps ids[from..] over `input`, a buffer of e's transformation chain (e's value, or a step's output),
 * through e's step memo; e is the entry holding the caches (Entry.cacheHolder). Returns the result: input itself
 * when no step changed it. Same result as one pipe.run() of those steps: the entry's value is cut to
 * MAX_TRANSFORM_OUTPUT by run(), a changed buffer is taken whole by resume().
 */
export function runSteps(pipe: TransformPipeline, e: Entry, input: ArrayBuffer, ids: StaticArray<u8>, from: i32): ArrayBuffer {
  let cur = input;
  for (let k = from; k < ids.length; k++) {
    const step = unchecked(ids[k]);
    const known = e.stepped(cur, step);
    if (known !== null) {
      cur = known.output;
      continue;
    }
    if (cur == e.value) pipe.run(ids, k, k + 1, changetype<usize>(cur), cur.byteLength);
    else pipe.resume(ids, k, k + 1, changetype<usize>(cur), cur.byteLength);
    const out = pipe.changed ? copyBytes(pipe.resultPtr, pipe.resultLen) : cur;
    e.storeStep(cur, step, out);
    cur = out;
  }
  return cur;
}
