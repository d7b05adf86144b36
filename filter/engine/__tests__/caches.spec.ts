// as-pect tests of what the engine's transformation caches rest on: the tree of shared pipeline prefixes
// (prefixes.ts: a node's value is its parent's after the node's remaining steps, exactly as one run of its whole
// pipeline), the step memo of long values (steps.ts: the same result, each step run once per buffer) and entries
// of two collections sharing one value's caches (collection.ts: twins).
import { PipelineTree, ROOT } from "../prefixes";
import { Collection, Entry } from "../collection";
import { runSteps } from "../steps";
import { latin1, toLatin1 } from "../bytes";
import { TransformPipeline } from "../../transforms/pipeline";
import { TransformId } from "../../transforms/ids";

function pipeline(ids: Array<i32>): StaticArray<u8> {
  const a = new StaticArray<u8>(ids.length);
  for (let i = 0; i < ids.length; i++) a[i] = <u8>ids[i];
  return a;
}

const URL_UNI = TransformId.UrlDecodeUni;
const HTML = TransformId.HtmlEntityDecode;
const LOWER = TransformId.Lowercase;
const JS = TransformId.JsDecode;
const B64 = TransformId.Base64Decode;

/** Pipelines as CRS writes them: two share t:urlDecodeUni,t:htmlEntityDecode then part ways; one repeats. */
function pipes(): Array<StaticArray<u8>> {
  const p = new Array<StaticArray<u8>>();
  p.push(pipeline([URL_UNI, HTML, LOWER])); // 0
  p.push(pipeline([URL_UNI, HTML, JS, LOWER])); // 1
  p.push(pipeline([URL_UNI])); // 2
  p.push(pipeline([URL_UNI, HTML, LOWER])); // 3: the same as 0
  p.push(pipeline([B64, LOWER, JS])); // 4: multiMatch below
  p.push(pipeline([])); // 5
  return p;
}

function multi(n: i32, which: i32): Uint8Array {
  const m = new Uint8Array(n);
  m[which] = 1;
  return m;
}

/** The value of a node computed as the engine does: its parent's value, then the node's own steps. */
function chained(t: PipelineTree, pipe: TransformPipeline, node: i32, value: ArrayBuffer): ArrayBuffer {
  const parent = t.parentOf(node);
  const input = parent == ROOT ? value : chained(t, pipe, parent, value);
  const ids = t.idsOf(node);
  if (input == value) pipe.run(ids, t.stepsFrom(node), ids.length, changetype<usize>(input), input.byteLength);
  else pipe.resume(ids, t.stepsFrom(node), ids.length, changetype<usize>(input), input.byteLength);
  return pipe.changed ? pipe.resultBytes() : input;
}

function whole(ids: StaticArray<u8>, value: ArrayBuffer): string {
  const pipe = new TransformPipeline();
  pipe.run(ids, 0, ids.length, changetype<usize>(value), value.byteLength);
  return toLatin1(pipe.resultBytes());
}

describe("pipeline prefix tree", () => {
  it("gives each pipeline a node whose parent is its longest shared prefix", () => {
    const ps = pipes();
    const t = new PipelineTree(ps, multi(ps.length, 4));
    expect(t.nodeOf(0)).toBe(0);
    expect(t.nodeOf(3)).toBe(0); // a repeated pipeline maps to its first index
    expect(t.parentOf(2)).toBe(ROOT);
    // urlDecodeUni,htmlEntityDecode is where 0 and 1 part ways: a node of its own, whose parent is pipeline 2
    const shared = t.parentOf(0);
    expect(shared).toBeGreaterThanOrEqual(ps.length);
    expect(t.parentOf(1)).toBe(shared);
    expect(t.stepsFrom(0)).toBe(2);
    expect(t.parentOf(shared)).toBe(2);
    expect(t.stepsFrom(shared)).toBe(1);
  });

  it("has a node for every prefix of a multiMatch pipeline, and none for others", () => {
    const ps = pipes();
    const t = new PipelineTree(ps, multi(ps.length, 4));
    const pre = t.prefixesOf(4)!;
    expect(pre.length).toBe(3);
    expect(pre[2]).toBe(4);
    expect(t.parentOf(pre[0])).toBe(ROOT);
    expect(t.parentOf(pre[1])).toBe(pre[0]);
    expect(t.parentOf(4)).toBe(pre[1]);
    expect(t.idsOf(pre[1]).length).toBe(2);
    expect(t.prefixesOf(1)).toBeNull();
    expect(t.prefixesOf(5)).toBeNull();
  });

  it("yields, node by node, what one run of the whole pipeline yields", () => {
    const ps = pipes();
    const t = new PipelineTree(ps, multi(ps.length, 4));
    const pipe = new TransformPipeline();
    const values = ["plain", "%3Cscript%3E&lt;B&gt;\\x41", "QUJD%0A", "YWJj", "&#x41;%u0042\\u0043"];
    for (let v = 0; v < values.length; v++) {
      const value = latin1(values[v]);
      for (let p = 0; p < ps.length; p++) {
        if (ps[p].length == 0) continue;
        expect(toLatin1(chained(t, pipe, t.nodeOf(p), value))).toBe(whole(ps[p], value));
      }
    }
  });
});

function memoSize(e: Entry): i32 {
  let n = 0;
  let r = e.steps;
  while (r !== null) {
    n++;
    r = r.next;
  }
  return n;
}

describe("step memo", () => {
  it("yields what one run of the steps yields", () => {
    const ps = pipes();
    const values = ["plain", "%3Cscript%3E&lt;B&gt;\\x41", "QUJD%0A", "YWJj", "&#x41;%u0042\\u0043"];
    const pipe = new TransformPipeline();
    for (let v = 0; v < values.length; v++) {
      const e = new Entry(latin1("k"), latin1(values[v]));
      for (let p = 0; p < ps.length; p++) {
        expect(toLatin1(runSteps(pipe, e, e.value, ps[p], 0))).toBe(whole(ps[p], e.value));
      }
    }
  });

  it("runs a step once per buffer, and keeps a buffer no step changed", () => {
    const pipe = new TransformPipeline();
    const e = new Entry(latin1("k"), latin1("plain text"));
    // htmlEntityDecode leaves it unchanged: both pipelines then run urlDecodeUni on the entry's own buffer
    expect(runSteps(pipe, e, e.value, pipeline([HTML, URL_UNI]), 0) == e.value).toBe(true);
    expect(runSteps(pipe, e, e.value, pipeline([URL_UNI]), 0) == e.value).toBe(true);
    expect(memoSize(e)).toBe(2);
    const upper = new Entry(latin1("k"), latin1("PLAIN"));
    const low = runSteps(pipe, upper, upper.value, pipeline([LOWER]), 0);
    expect(toLatin1(low)).toBe("plain");
    expect(runSteps(pipe, upper, upper.value, pipeline([LOWER, JS]), 0) == low).toBe(true);
    expect(memoSize(upper)).toBe(2);
  });
});

describe("entry cache", () => {
  it("shares one slot between the nodes that leave the value unchanged", () => {
    const e = new Entry(latin1("k"), latin1("v"));
    expect(e.cached(3)).toBeNull();
    const a = e.store(3, 8, e.value);
    const b = e.store(5, 8, e.value);
    const c = e.store(6, 8, latin1("v"));
    expect(a == b).toBe(true);
    expect(c == a).toBe(false);
    expect(e.cached(5) == a).toBe(true);
    expect(e.cached(6) == c).toBe(true);
    expect(e.slotHolding(c.value) == c).toBe(true);
    e.setValue(latin1("w"));
    expect(e.cached(3)).toBeNull();
  });
});

describe("twin entries", () => {
  it("share the caches of the entry they were made from while both hold its value", () => {
    const args = new Collection("ARGS");
    const post = new Collection("ARGS_POST");
    const a = args.add(latin1("k"), latin1("v"));
    const b = post.addTwin(a);
    expect(b.key == a.key).toBe(true);
    expect(b.value == a.value).toBe(true);
    expect(b.cacheHolder() == a).toBe(true);
    expect(a.cacheHolder() == a).toBe(true);
    expect(b.asName() == a.asName()).toBe(true);
    post.update(b, latin1("w")); // a new value: its own caches
    expect(b.cacheHolder() == b).toBe(true);
  });

  it("stop sharing when the original entry takes another value", () => {
    const args = new Collection("ARGS");
    const post = new Collection("ARGS_POST");
    const a = args.add(latin1("k"), latin1("v"));
    const b = post.addTwin(a);
    args.update(a, latin1("w"));
    expect(b.cacheHolder() == b).toBe(true);
  });
});
