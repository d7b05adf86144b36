// Inputs of the parser differential test: CRS regression-test requests (read from WAF_SHARED_DIR, never
// copied into the repository), hand-written edge cases and seeded random mutations.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";

export const b = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));
export const crlf = (s: string) => s.replace(/\r?\n/g, "\r\n");

export interface CrsInputs {
  query: Uint8Array[];
  cookie: Uint8Array[];
  urlencoded: Uint8Array[];
  multipart: { ct: Uint8Array; body: Uint8Array }[];
  json: Uint8Array[];
  xml: Uint8Array[];
}

export function sharedDir(repoRoot: string): string {
  return process.env.WAF_SHARED_DIR ?? resolve(repoRoot, "../shared");
}

function* yamlFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* yamlFiles(p);
    else if (e.name.endsWith(".yaml") || e.name.endsWith(".yml")) yield p;
  }
}

/** Request pieces of every CRS regression test (v4.28.0 and v3.3.4) that has them. */
export function crsInputs(repoRoot: string): CrsInputs {
  const out: CrsInputs = { query: [], cookie: [], urlencoded: [], multipart: [], json: [], xml: [] };
  const root = sharedDir(repoRoot);
  for (const ver of ["v4.28.0", "v3.3.4"]) {
    const dir = join(root, "crs", ver, "tests");
    if (!existsSync(dir)) continue;
    for (const f of yamlFiles(dir)) {
      let doc: any;
      try {
        doc = parseYaml(readFileSync(f, "utf8"));
      } catch {
        continue;
      }
      for (const t of doc?.tests ?? []) {
        for (const st of t?.stages ?? []) {
          const inp = st?.input ?? st?.stage?.input;
          if (!inp) continue;
          const uri = typeof inp.uri === "string" ? inp.uri : "";
          const q = uri.indexOf("?");
          if (q >= 0 && !uri.includes("\0")) out.query.push(b(uri.slice(q + 1)));
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(inp.headers ?? {})) headers[k.toLowerCase()] = String(v);
          if (headers["cookie"] !== undefined) out.cookie.push(b(headers["cookie"]));
          const data = typeof inp.data === "string" ? inp.data : Array.isArray(inp.data) ? inp.data.join("\r\n") : null;
          const ct = headers["content-type"] ?? "";
          if (data === null) continue;
          const lc = ct.toLowerCase();
          if (lc.startsWith("multipart/form-data")) {
            out.multipart.push({ ct: b(ct), body: b(data) });
            out.multipart.push({ ct: b(ct), body: b(crlf(data)) });
          } else if (lc.startsWith("application/json") || lc.includes("+json")) out.json.push(b(data));
          else if (lc.includes("xml")) out.xml.push(b(data));
          else out.urlencoded.push(b(data));
        }
      }
    }
  }
  return out;
}

/** Deterministic PRNG (mulberry32). */
export { rng } from "../support/prng";

/** 1..3 random edits drawn from the given alphabet of interesting fragments. */
export function mutate(src: Uint8Array, r: () => number, alphabet: string[]): Uint8Array {
  let s = Buffer.from(src).toString("latin1");
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (s.length + 1));
    const op = Math.floor(r() * 5);
    const frag = alphabet[Math.floor(r() * alphabet.length)];
    if (op === 0) s = s.slice(0, at) + frag + s.slice(at);
    else if (op === 1) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 4));
    else if (op === 2) s = s.slice(0, at) + String.fromCharCode(Math.floor(r() * 256)) + s.slice(at + 1);
    else if (op === 3) s = s.slice(0, at);
    else {
      const len = Math.floor(r() * 12);
      s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at);
    }
  }
  return b(s);
}

// ---------------------------------------------------------------- hand-written cases

export const QUERY_CASES = [
  "", "a=1", "a=1&b=2", "a=1&a=2&a=3", "a", "a=", "=b", "=", "&", "&&", "a=1&", "&a=1", "a=1&&b=2", "a==b=c",
  "%41%42=%43", "a+b=c+d", "a=%", "a=%4", "a=%4g", "a=%%41", "%=%", "a=%zz&b=%41%", "%u0041=1", "a=%2B%2b%20",
  "a=\x01\x7f\xff", "a=1;b=2", "k%3Dv=1", "a=%0", "x=%E2%82%AC", "a=1&b", "a&b&c", "+=+", "a=b%26c=d",
];

export const COOKIE_CASES = [
  "", "a=1", "a=1; b=2", "a=1;b=2", " a=1 ; b = 2 ", "a", "=1", "  =1; b=2", ";;a=1", "a=1;", "a=1; ", "a=1 ;",
  "a=1;;", "a=b=c", "a=1; a=2", "\ta=1", "a=1\t", "a=1 ; ", ";", " ", "a= 1 ", "a=%41", "$Version=1; a=1; $Path=/",
  "a=\"q;x\"", "a=1\r\n", "x;y;z", "a =1", " \x0b a=1", "a=1;\x0b", "k=v; =; k2=v2",
];

const BND = "XyZ";
export const MP_CT = [
  `multipart/form-data; boundary=${BND}`,
  `multipart/form-data; boundary="${BND}"`,
  `multipart/form-data; boundary = ${BND}`,
  `multipart/form-data; boundary= ${BND}`,
  `multipart/form-data boundary=${BND}`,
  `multipart/form-data; boundary=${BND}; charset=utf-8`,
  `multipart/form-data; boundary="${BND}`,
  `multipart/form-data; boundary=${BND}"`,
  `multipart/form-data; boundary=`,
  `multipart/form-data; boundary=""`,
  `multipart/form-data; Boundary=${BND}`,
  `multipart/form-data; boundary=${BND}; boundary=abc`,
  `multipart/form-datax; boundary=${BND}`,
  `multipart/form-data; boundary=${BND}` + " ".repeat(1100),
  `multipart/form-data; boundary=a b`,
  `multipart/form-data; boundary=${BND} `,
  `multipart/form-data;; boundary=${BND}`,
  `multipart/form-data; x; boundary=${BND}`,
  `multipart/form-data; boundaryx=${BND}`,
  `multipart/form-data; boundary=my_boundary`,
  `multipart/form-data; boundary=${BND}[`,
  `multipart/form-data; boundary=;x`,
  `multipart/form-data`,
  `Multipart/Form-Data; boundary=${BND}`,
];

const part = (cd: string, value: string, extra = "") => `--${BND}\r\nContent-Disposition: ${cd}\r\n${extra}\r\n${value}\r\n`;
const end = `--${BND}--\r\n`;

export const MP_BODIES: string[] = [
  part('form-data; name="a"', "1") + end,
  part('form-data; name="a"', "1") + part('form-data; name="f"; filename="x.txt"', "file\r\ncontent", "Content-Type: text/plain\r\n") + end,
  "preamble\r\n" + part('form-data; name="a"', "1") + end,
  part('form-data; name="a"', "1") + end + "epilogue",
  part('form-data; name="a"', "1") + end + "\r\n",
  `--${BND}\r\nContent-Disposition: form-data;\r\n name="a"\r\n\r\nv\r\n` + end,
  `--${BND}\r\nContent-Disposition: form-data;\r\n\tname="a"\r\n\r\nv\r\n` + end,
  `--${BND}\r\nContent-Disposition: form-data;\r\n\x0bname="a"\r\n\r\nv\r\n` + end,
  `--${BND}\r\n name="a"\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n` + end,
  `--${BND}\nContent-Disposition: form-data; name="a"\n\nv\n--${BND}--\n`,
  `--${BND}\r\nContent-Disposition: form-data; name="a"\n\r\nv\r\n` + end,
  part("form-data; name='a'", "1") + end,
  part('form-data; name="a"; filename="it\'s.txt"', "x") + end,
  part("form-data; name=a", "1") + end,
  part('form-data; name="a\\"b"', "1") + end,
  part('form-data; name="a\\\\b"', "1") + end,
  part('form-data; name="a\\xb"', "1") + end,
  part("form-data", "1") + end,
  part('form-data; filename="x"', "1") + end,
  part('form-data; name="a"; name="b"', "1") + end,
  part('form-data; name="a"; filename="x"; filename="y"', "1") + end,
  part('form-data; name="a"; foo="x"', "1") + end,
  part('attachment; name="a"', "1") + end,
  part('form-data; name="a" x', "1") + end,
  part('form-data; name="a"x', "1") + end,
  part("form-data; name='a'x", "1") + end,
  part('form-data; name="a"; filename*=UTF-8\'\'x%41.txt', "1") + end,
  part('form-data; name="a"; filename="f"; filename*=UTF-8\'en\'x.txt', "1") + end,
  part('form-data; name="a"; filename*=\'\'x', "1") + end,
  part('form-data; name="a"; filename*=UTF-8\'x', "1") + end,
  part('form-data; name="a"; filename*=UTF-8\'\'x%4', "1") + end,
  part('form-data; name="a"; filename*=UTF-8\'\'x y', "1") + end,
  part('form-data; name="a"; filename *="x"', "1") + end,
  part('form-data; name="a";', "1") + end,
  part('form-data; name="a"; ', "1") + end,
  part('form-data; name', "1") + end,
  part('form-data; name ', "1") + end,
  part('form-data; name=', "1") + end,
  part('form-data; name="', "1") + end,
  part('form-data; name="abc', "1") + end,
  part('form-data; name = "a"', "1") + end,
  part('form-data ; name="a"', "1") + end,
  part('form-data; name="a"; filename =x', "1") + end,
  part('form-data; name="a"; filename=""', "1") + end,
  `--${BND}\r\nContent-Type: text/plain\r\n\r\nv\r\n` + end,
  `--${BND}\r\nContent-Disposition: form-data; name="a"\r\nContent-Disposition: form-data; name="b"\r\n\r\nv\r\n` + end,
  `--${BND}\r\nContent-Disposition: form-data; name="a"\r\nX-A: 1\r\nx-a: 2\r\n\r\nv\r\n` + end,
  `--${BND}\r\nContent-Disposition: form-data; name="a"\r\nnocolon\r\n\r\nv\r\n` + end,
  `--${BND}\r\nContent-Disposition: form-data; name="a"\r\n: empty\r\n\r\nv\r\n` + end,
  `--${BND}\r\nContent-Disposition: form-data; name="a"\r\nX: a\x00b\r\n\r\nv\r\n` + end,
  `--${BND}\r\nContent-Disposition: form-data; name="a"\r\nX: ${"h".repeat(4200)}\r\n\r\nv\r\n` + end,
  `--${BND}\r\nContent-Disposition: form-data; name="a"\r\nX: ${"h".repeat(3000)}\r\n ${"g".repeat(1500)}\r\n\r\nv\r\n` + end,
  `--${BND}\r\nContent-Disposition: form-data; name="a"\r\nX:\r\n\r\nv\r\n` + end,
  part('form-data; name="a"', "line1\r\nline2\r\nline3") + end,
  part('form-data; name="a"', "line1\nline2\rline3\r") + end,
  part('form-data; name="a"', "") + end,
  part('form-data; name="a"', `--${BND}x`) + end,
  part('form-data; name="a"', `x--${BND}`) + end,
  part('form-data; name="a"', `--other`) + end,
  part('form-data; name="a"', "v") + `--  ${BND}\r\n` + end,
  part('form-data; name="a"', "v") + `--"${BND}"\r\n` + end,
  part('form-data; name="a"', "v") + `--${BND} \r\n` + end,
  part('form-data; name="a"', "v") + `--${BND}--x\r\n`,
  part('form-data; name="a"', "v"),
  part('form-data; name="a"', "v") + `--${BND}--`,
  part('form-data; name="a"', "v") + `--${BND}--\n`,
  `--${BND}\r\nContent-Disposition: form-data; name="a"\r\n\r\n--${BND}--`,
  `--${BND}\r\nContent-Disposition: form-data; name="a"\r\n\r\n` + end,
  `--${BND}\r\nContent-Disposition: form-data; name="a"\r\n\r\n--${BND}\r\n` + part('form-data; name="b"', "2") + end,
  `--${BND}\r\n` + end,
  `--${BND}\r\n--${BND}\r\n` + end,
  end,
  end + end,
  "no boundary here\r\n",
  "",
  `--${BND}--\r\n` + part('form-data; name="a"', "1"),
  part('form-data; name="a"', "x".repeat(5000)) + end,
  part('form-data; name="a"', "x".repeat(4095) + "\r\ny") + end,
  part('form-data; name="a"', "x".repeat(4094) + "\r\ny") + end,
  part('form-data; name="f"; filename="a.bin"', "\x00\x01\r\n\r\n\xff".repeat(900)) + end,
  part('form-data; name="f"; filename="a"', "1") + part('form-data; name="g"; filename="b"', "22") + part('form-data; name="h"; filename="c"', "") + end,
  part('form-data; name="a"', "1") + part('form-data; name="a"', "2") + end,
  part('form-data; name="a\x01b"', "v\x00w") + end,
  `--${BND}\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--${BND}\n` + part('form-data; name="b"', "2") + end,
  `--${BND}\r\ncontent-disposition: form-data; name="a"\r\n\r\nv\r\n` + end,
  `--${BND}\r\n\r\n\r\nv\r\n` + end,
  `--${BND}\r\nContent-Disposition: form-data; name="a"\r\n\r\n\r\n` + end,
  `--${BND}\r\nContent-Disposition: form-data; name="a"\r\n\r\r\n\r\nv\r\n` + end,
];

export const JSON_CASES = [
  "", " ", "{}", "[]", "1", '"s"', "true", "null", "-0.5e10", '{"a":1}', '{"a":{"b":"c"}}', '{"a":[1,2,[3,{"x":4}]]}',
  '[1,[2,[3]],{"k":[]},{}]', '{"":1}', '{"":{"":2}}', '{"a":null,"b":true,"c":false}', '{"a":"\\u0041\\n\\t\\"\\\\\\/"}',
  '{"a":"\\ud83d\\ude00"}', '{"a":"\\ud83dx"}', '{"a":"\\ud83d"}', '{"a":"\\ud83d\\n"}', '{"a":"\\u0000b"}', '{"a":"\\uDC00"}',
  '{"a\\u0062":1}', '{"a":1,}', "[1,]", "[,1]", '{"a" 1}', '{"a":1 "b":2}', "[1 2]", '{1:2}', "{", "[", '{"a":', '{"a"',
  '"abc', "tru", "nul", "truex", "01", "-", "1.", "1e", "1e+", ".5", "+1", "1 2", "{} x", '{} "', "{}}", "[]]", "/* c */1",
  '{"a":"\x01"}', '{"a":"\xc3\xa9"}', '{"a":"\xc3"}', '{"a":"\xff"}', '{"a":"\xe2\x82"}', '{"a":"\xf0\x9f\x98\x80"}',
  '{"a":"\\x"}', '{"a":"\\u12g4"}', "\xef\xbb\xbf{}", "[" + "1,".repeat(50) + "1]", '{"a":[{"b":[{"c":1}]}]}',
  '{"a":1,"a":2}', "[[[[[[[[[[1]]]]]]]]]]", '{"a":{"b":{"c":{"d":{}}}}}', "1 ", " 1", '"\\u00e9"', "[true,false,null]",
  '{"a":-1.5E-3,"b":0,"c":-0}', "[1,2]  \n", "\t{\n}\r\n", '{"a":[[]]}', '{"a":[{}]}', '{"a":[[1],[2]]}',
  "[" .repeat(300) + "]".repeat(300), "{\"a\":".repeat(200) + "1" + "}".repeat(200), "[".repeat(20000),
];

export const XML_CASES = [
  "", " ", "<a/>", "<a>t</a>", "<a>x<b>y</b>z</a>", "<?xml version=\"1.0\"?><a>1</a>", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>é</a>",
  "<?xml version='1.0' encoding='ISO-8859-1'?><a>\xe9</a>", "<a>\xe9</a>", "<a>&lt;&gt;&amp;&quot;&apos;</a>", "<a>&#65;&#x42;&#x1F600;</a>",
  "<a>&#0;</a>", "<a>&#xD800;</a>", "<a>&foo;</a>", "<!DOCTYPE a [<!ENTITY e \"ent\">]><a>&e;</a>",
  "<!DOCTYPE a [<!ENTITY e \"<b>x</b>y\">]><a>&e;</a>", "<!DOCTYPE a SYSTEM \"x.dtd\"><a>&undefined;</a>",
  "<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><a>&e;</a>", "<a><![CDATA[<x>&amp;]]></a>", "<a><!-- c --></a>",
  "<a><!-- c -- d --></a>", "<a><?pi data?></a>", "<?pi?><a/>", "<?xml-stylesheet href=\"x\"?><a/>", "<a><?xml x?></a>",
  "<a>\r\nx\ry</a>", "<a b=\"1\" c='2'>t</a>", "<a b=\"1\" b=\"2\"/>", "<a b=\"<\"/>", "<a b=\"&amp;\"/>", "<a b=1/>", "<a b=\"1\"c=\"2\"/>",
  "<a></b>", "<a>", "<a>x", "</a>", "<a/><b/>", "<a/>x", "x<a/>", "<a>]]></a>", "<a>x]]y</a>", "<1a/>", "<a:b xmlns:a=\"u\">t</a:b>",
  "<a:b>t</a:b>", "<a>\x01</a>", "<a>\xff</a>", "<a>\xc3</a>", "\xef\xbb\xbf<a>bom</a>", "<a>  </a>", "  <a>t</a>  ", "<a>t</a><!--x-->",
  "<?xml version=\"1.0\" standalone=\"yes\"?><a>&x;</a>", "<?xml encoding=\"UTF-8\"?><a/>", "<?xml version=\"1.0\"encoding=\"UTF-8\"?><a/>",
  " <?xml version=\"1.0\"?><a/>", "<a>x</a >", "<a >x</a>", "<a\n>x</a>", "<a>t<b/>u</a>", "<a><b>1</b><c>2<d>3</d></c></a>",
  "<r>" + "<x>".repeat(255) + "t" + "</x>".repeat(255) + "</r>", "<r>" + "<x>".repeat(256) + "t" + "</x>".repeat(256) + "</r>",
  "<r>" + "<x>".repeat(257) + "t" + "</x>".repeat(257) + "</r>", "<!DOCTYPE a><a/>", "<!DOCTYPE a [<!ELEMENT a (#PCDATA)>]><a>x</a>",
  "<!DOCTYPE a PUBLIC \"p\" \"s\"><a/>", "<!DOCTYPE a [<!ENTITY % p \"x\">]><a>&u;</a>", "<a>&#x110000;</a>", "<a>&#;</a>", "<a>& b</a>",
  "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><m:x xmlns:m=\"u\">1' OR 1=1</m:x></soap:Body></soap:Envelope>",
  // attributes (XML://@*)
  "<a x=\"1\" y='2'><b z=\"3\"/>t<c w=\"\"/></a>", "<a x=\"a\tb\nc\rd\r\ne  f\"/>", "<a x=\"&#9;&#10;&#13;&#32;\"/>",
  "<a x=\"&lt;&gt;&amp;&quot;&apos;\" y=\"&#x41;&#66;&#x1F600;\"/>", "<a x=\"&amp;lt;\" y=\"&#38;#60;\" z=\"&#38;\"/>",
  "<a x=\"\xc3\xa9\"/>", "<?xml version='1.0' encoding='ISO-8859-1'?><a x=\"\xe9\"/>",
  "<a xmlns=\"u\" xmlns:p=\"v\" p:x=\"1\" q:y=\"2\" xmlnsx=\"3\"/>", "<a xmlns:p=\"\" x=\"1\"/>", "<p:a xmlns:p=\"u\"><p:b p:c=\"d\"/></p:a>",
  "<a x=\"1\" x=\"2\"/>", "<a x=\"1\"><b y=\"2\" y=\"3\"/></a>", "<a x=\"1\" y=\"<\"/>", "<a x=\"1\" y=2/>", "<a x=\"1\"y=\"2\"/>",
  "<a x=\"1\">", "<a x=\"1\"><b y=\"2\">", "<a x=\"1\"><b y=\"2\"", "<a x=\"1\"><b y=\"2\" z", "<a x=\"1\"><b y=\"2", "<a x=\"1\" y=\"2\"",
  "<a x=\"1\"></b>", "<a x=\"1\"/><b y=\"2\"/>", "<a x=\"1\"><b y=\"2\" \x01/></a>",
  "<!DOCTYPE a [<!ENTITY e \"v&#9;w x\">]><a x=\"&e;\" y=\"[&e;]\"/>", "<!DOCTYPE a [<!ENTITY e \"1\"><!ENTITY f \"&e;&amp;&#38;#65;2\">]><a x=\"&f;\"/>",
  "<!DOCTYPE a [<!ENTITY e \"<b y='1'/>\">]><a x=\"2\">&e;</a>", "<!DOCTYPE a [<!ENTITY e \"<b>\">]><a x=\"&e;\"/>",
  "<!DOCTYPE a SYSTEM \"x.dtd\"><a x=\"[&u;]\"/>", "<!DOCTYPE a [<!ENTITY e SYSTEM \"x\">]><a x=\"&e;\"/>", "<a x=\"&u;\"/>",
  "<!DOCTYPE a [<!ENTITY e \"a\nb\tc\">]><a x=\"&e;\">&e;</a>", "<!DOCTYPE a [<!ENTITY e \"q\">]><a>&e;<b x=\"&e;\"/></a>",
  "<a x='\"' y=\"'\"/>", "<a\tx=\"1\"\ny=\"2\"\r\nz=\"3\"/>", "<a x = \"1\" />", "<a x=\"1\"/>\n<!-- c -->", "<a x=\"1\"/>x",
  "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" soap:encodingStyle=\"' OR 1=1--\"><soap:Body/></soap:Envelope>",
  "<r>" + "<x a=\"1\">".repeat(257) + "</x>".repeat(257) + "</r>",
];
