// The transformation pipelines of a program as a tree of shared prefixes. CRS pipelines often begin alike
// (t:utf8toUnicode,t:urlDecodeUni,t:htmlEntityDecode then t:lowercase in one rule, t:jsDecode,t:cssDecode in
// another): a value's transformation cache (Entry) keyed by the nodes of this tree runs each shared prefix once per
// value instead of once per pipeline — on a 10 KB body argument that is most of the transformation work.
//
// Nodes: every pipeline of the program (node id = its pipeline index; a pipeline repeated under another index maps
// to its first index), every prefix at which two pipelines part ways, and every prefix of a multiMatch pipeline
// (its condition tests the value after each step). The value of a node is its parent's value (the node of its
// longest proper prefix that is a node; ROOT: the untransformed value) after the node's remaining steps.
import { Cond, CondFlags } from "../../rulesets/tables/format";
import { Ruleset } from "./ruleset";
import { triggersOfSteps } from "../transforms/triggers";

/** parentOf() of a node whose steps start from the untransformed value. */
export const ROOT: i32 = -1;

export class PipelineTree {
  /** Per node: its transformation ids (a node's ids begin with its parent's), its parent, and the number of ids
   *  its parent already applied. */
  private readonly ids: Array<StaticArray<u8>> = new Array<StaticArray<u8>>();
  private readonly parents: Array<i32> = new Array<i32>();
  private readonly starts: Array<i32> = new Array<i32>();
  /** Per node: the byte kinds that can make one of its own steps change a value (filter/transforms/triggers.ts). */
  private readonly triggers: Array<u32> = new Array<u32>();
  /** Per pipeline: the node holding its result. */
  private readonly nodes: StaticArray<i32>;
  /** Per pipeline: for multiMatch pipelines, the node of each prefix (index k: the first k + 1 steps); else null. */
  private readonly prefixes: StaticArray<StaticArray<i32> | null>;

  /** `pipes`: the program's pipelines by index; `multi`: per pipeline, 1 when a multiMatch condition uses it. */
  constructor(pipes: Array<StaticArray<u8>>, multi: Uint8Array) {
    const n = pipes.length;
    this.nodes = new StaticArray<i32>(n);
    this.prefixes = new StaticArray<StaticArray<i32> | null>(n);
    const byKey = new Map<string, i32>();
    for (let p = 0; p < n; p++) {
      const key = keyOf(pipes[p], pipes[p].length);
      const first = byKey.has(key) ? byKey.get(key) : p;
      if (first == p) byKey.set(key, p);
      unchecked((this.nodes[p] = first));
      this.ids.push(pipes[p]);
    }
    this.addSharedPrefixes(pipes, multi, byKey);
    for (let i = 0, m = this.ids.length; i < m; i++) {
      this.linkParent(i, byKey);
      this.triggers.push(triggersOfSteps(this.ids[i], this.starts[i]));
    }
    for (let p = 0; p < n; p++) {
      if (multi[p] == 0) continue;
      const ids = pipes[p];
      const ps = new StaticArray<i32>(ids.length);
      for (let k = 0; k < ids.length; k++) unchecked((ps[k] = byKey.get(keyOf(ids, k + 1))));
      unchecked((this.prefixes[p] = ps));
    }
  }

  /** Number of nodes (node ids are 0 .. size - 1). */
  @inline get size(): i32 {
    return this.ids.length;
  }

  /** The node holding the result of pipeline p. */
  @inline nodeOf(p: i32): i32 {
    return unchecked(this.nodes[p]);
  }

  /** The nodes of the prefixes of multiMatch pipeline p, shortest first (null if p is no multiMatch pipeline). */
  @inline prefixesOf(p: i32): StaticArray<i32> | null {
    return unchecked(this.prefixes[p]);
  }

  @inline parentOf(node: i32): i32 {
    return unchecked(this.parents[node]);
  }

  /** The ids of the node's pipeline: steps stepsFrom(node) .. end are the node's own. */
  @inline idsOf(node: i32): StaticArray<u8> {
    return unchecked(this.ids[node]);
  }

  @inline stepsFrom(node: i32): i32 {
    return unchecked(this.starts[node]);
  }

  /** The byte kinds that can make one of the node's own steps change a value: a value holding none of them comes
   *  out of the node unchanged. */
  @inline triggersOf(node: i32): u32 {
    return unchecked(this.triggers[node]);
  }

  /** Adds a node for every proper prefix that two pipelines continue differently, or that a multiMatch pipeline
   *  passes through, unless a pipeline already ends there. */
  private addSharedPrefixes(pipes: Array<StaticArray<u8>>, multi: Uint8Array, byKey: Map<string, i32>): void {
    const nextStep = new Map<string, i32>(); // prefix -> the step after it, or -1 once two pipelines differ there
    for (let p = 0; p < pipes.length; p++) {
      const ids = pipes[p];
      for (let k = 1; k < ids.length; k++) {
        const key = keyOf(ids, k);
        const next = <i32>ids[k];
        let want = multi[p] != 0;
        if (!nextStep.has(key)) nextStep.set(key, next);
        else if (nextStep.get(key) != next) {
          nextStep.set(key, -1);
          want = true;
        }
        if (want && !byKey.has(key)) {
          byKey.set(key, this.ids.length);
          this.ids.push(ids.slice<StaticArray<u8>>(0, k));
        }
      }
    }
  }

  /** Sets the parent of node i: the node of its longest proper prefix, else ROOT. */
  private linkParent(i: i32, byKey: Map<string, i32>): void {
    const ids = this.ids[i];
    let k = ids.length - 1;
    while (k > 0 && !byKey.has(keyOf(ids, k))) k--;
    this.parents.push(k > 0 ? byKey.get(keyOf(ids, k)) : ROOT);
    this.starts.push(k > 0 ? k : 0);
  }
}

/** The first n ids as a map key (one character per id). */
function keyOf(ids: StaticArray<u8>, n: i32): string {
  let s = "";
  for (let k = 0; k < n; k++) s += String.fromCharCode(<i32>ids[k]);
  return s;
}

/** The tree of a ruleset's pipelines. */
export function pipelineTreeOf(rs: Ruleset): PipelineTree {
  const multi = new Uint8Array(rs.pipes.length);
  for (let c = 0, n = rs.prog.condCount; c < n; c++) {
    if ((rs.cond(c, Cond.FLAGS) & CondFlags.MULTI_MATCH) != 0) multi[<i32>rs.cond(c, Cond.PIPELINE)] = 1;
  }
  return new PipelineTree(rs.pipes, multi);
}
