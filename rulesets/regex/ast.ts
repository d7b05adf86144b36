import type { ByteSet } from "./byteset";

/** Zero-width assertions that the DFA resolves with one byte of look-ahead. */
export type AssertKind =
  | "bol" // ^ under MULTILINE: at start, or after an internal \n (not after a final one)
  | "eol" // $ under MULTILINE: before any \n, or at the end
  | "start" // \A, ^ without MULTILINE
  | "end" // \z
  | "endZ" // \Z, $ without MULTILINE: at end or before a final \n
  | "wordb" // \b
  | "nwordb"; // \B

export type Node =
  | { type: "empty" }
  | { type: "set"; set: ByteSet }
  | { type: "concat"; items: Node[] }
  | { type: "alt"; items: Node[] }
  | { type: "repeat"; min: number; max: number /* -1 = unbounded */; greedy: boolean; possessive: boolean; item: Node }
  | { type: "group"; index: number /* capture number, 0 = non-capturing */; name?: string; item: Node }
  | { type: "assert"; kind: AssertKind }
  | { type: "look"; behind: boolean; negate: boolean; item: Node; offset: number }
  | { type: "backref"; index: number; icase: boolean };

export interface ParsedRegex {
  pattern: string;
  ast: Node;
  /** number of capturing groups */
  groups: number;
  names: Map<string, number>;
}

export const EMPTY: Node = { type: "empty" };

export function concat(items: Node[]): Node {
  const flat: Node[] = [];
  for (const it of items) {
    if (it.type === "empty") continue;
    if (it.type === "concat") flat.push(...it.items);
    else flat.push(it);
  }
  if (flat.length === 0) return EMPTY;
  if (flat.length === 1) return flat[0]!;
  return { type: "concat", items: flat };
}

export function alt(items: Node[]): Node {
  if (items.length === 1) return items[0]!;
  return { type: "alt", items };
}

/** True when the subtree contains a node satisfying `pred`. */
export function someNode(n: Node, pred: (n: Node) => boolean): boolean {
  if (pred(n)) return true;
  switch (n.type) {
    case "concat":
    case "alt":
      return n.items.some((x) => someNode(x, pred));
    case "repeat":
    case "group":
    case "look":
      return someNode(n.item, pred);
    default:
      return false;
  }
}

/** True when the node can match the empty string. */
export function nullable(n: Node): boolean {
  switch (n.type) {
    case "empty":
    case "assert":
    case "look":
    case "backref":
      return true;
    case "set":
      return false;
    case "concat":
      return n.items.every(nullable);
    case "alt":
      return n.items.some(nullable);
    case "repeat":
      return n.min === 0 || nullable(n.item);
    case "group":
      return nullable(n.item);
  }
}

/**
 * True when an unbounded repeat has a body that can match empty and contains a capture group that is
 * visible as TX:1..9. PCRE lets such a body match empty once (recording the capture) and then leaves the
 * loop; a Pike VM cannot express that, so captures for these patterns come from the backtracker.
 */
export function hasNullableCaptureLoop(n: Node): boolean {
  return someNode(
    n,
    (x) =>
      x.type === "repeat" &&
      x.max === -1 &&
      nullable(x.item) &&
      someNode(x.item, (y) => y.type === "group" && y.index > 0 && y.index <= 9),
  );
}
