// `Include` path expansion: globs relative to the including file, sorted by byte order as
// glob(3) in the C locale and Apache's Include do.
import * as fs from "node:fs";
import * as path from "node:path";

export function hasGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

/** fnmatch-style pattern for one path segment → RegExp (`*`, `?`, `[...]`, `[!...]`). */
function segmentRegex(seg: string): RegExp {
  let re = "^";
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const close = seg.indexOf("]", i + 2);
      if (close < 0) {
        re += "\\[";
        continue;
      }
      let body = seg.slice(i + 1, close);
      if (body.startsWith("!") || body.startsWith("^")) body = "^" + body.slice(1);
      re += "[" + body.replace(/\\/g, "\\\\") + "]";
      i = close;
    } else if (c === "\\" && i + 1 < seg.length) {
      re += seg[i + 1]!.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
      i++;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(re + "$");
}

function byteOrder(a: string, b: string): number {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return Buffer.compare(ba, bb);
}

/**
 * Expands an Include argument. `base` is the directory of the including file. Returns the
 * absolute paths of the files to read, in order (a directory includes its files, sorted).
 */
export function expandInclude(arg: string, base: string): { files: string[]; glob: boolean; missing: boolean; resolved: string } {
  const resolved = path.resolve(base, arg);
  if (!hasGlob(arg)) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(resolved);
    } catch {
      return { files: [], glob: false, missing: true, resolved };
    }
    if (st.isDirectory()) {
      const files = fs
        .readdirSync(resolved)
        .map((f) => path.join(resolved, f))
        .filter((f) => {
          try {
            return fs.statSync(f).isFile();
          } catch {
            return false;
          }
        })
        .sort(byteOrder);
      return { files, glob: false, missing: false, resolved };
    }
    return { files: [resolved], glob: false, missing: false, resolved };
  }
  // Walk the segments, expanding those with wildcards.
  const root = path.parse(resolved).root;
  const segs = resolved.slice(root.length).split(path.sep).filter((s) => s !== "");
  let current = [root];
  for (let k = 0; k < segs.length; k++) {
    const seg = segs[k]!;
    const last = k === segs.length - 1;
    const next: string[] = [];
    for (const dir of current) {
      if (!hasGlob(seg)) {
        const p = path.join(dir, seg);
        if (fs.existsSync(p)) next.push(p);
        continue;
      }
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch {
        continue;
      }
      const re = segmentRegex(seg);
      for (const name of names) {
        // As glob(3): a leading dot must be matched explicitly.
        if (name.startsWith(".") && !seg.startsWith(".")) continue;
        if (!re.test(name)) continue;
        const p = path.join(dir, name);
        let st: fs.Stats;
        try {
          st = fs.statSync(p);
        } catch {
          continue;
        }
        if (last ? st.isFile() : st.isDirectory()) next.push(p);
      }
    }
    current = next;
  }
  return { files: current.sort(byteOrder), glob: true, missing: current.length === 0, resolved };
}
