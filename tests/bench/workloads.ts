// The benchmark workloads, as check-jsonl transactions (../shared/design/check-jsonl.md): a request and a
// recorded 200 response, so every phase of the filter runs. All content is deterministic (a seeded PRNG), so two
// runs — and the two engines — see byte-identical traffic.

/** One input line of `waf check --jsonl` / modsec-check. */
export interface CheckTx {
  id?: string;
  method?: string;
  uri?: string;
  headers?: Array<[string, string]>;
  body?: string;
  response?: { status: number; headers: Array<[string, string]>; body: string };
}

export interface Workload {
  name: string;
  description: string;
  /** The transactions, used in turn (one for the single-request workloads, a recorded-style sequence for mixed). */
  txs: CheckTx[];
}

export const CHROME_UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const URI = "/some_path/with?parameters=and&other=Stuff";
const JSON_RESPONSE = { status: 200, headers: [["Content-Type", "application/json"], ["Content-Length", "27"]] as Array<[string, string]>, body: '{"status":"ok","items":[]}\n' };

function baseHeaders(extra: Array<[string, string]> = []): Array<[string, string]> {
  return [["Host", "localhost"], ["User-Agent", CHROME_UA], ["Accept", "application/json"], ...extra];
}

function post(id: string, uri: string, contentType: string, body: string, extra: Array<[string, string]> = []): CheckTx {
  return {
    id,
    method: "POST",
    uri,
    headers: baseHeaders([["Content-Type", contentType], ["Content-Length", String(Buffer.byteLength(body))], ...extra]),
    body,
    response: JSON_RESPONSE,
  };
}

import { rng as prng } from "../support/prng";

export { prng };

// Plain words only: the benign workloads are meant to match nothing, so the figures measure inspection, not alerts.
const WORDS = (
  "alpha bravo river stone garden window yellow purple orange market travel summer winter autumn spring " +
  "coffee butter pepper carrot lemon orbit planet rocket silver golden meadow forest valley harbor island " +
  "number letter paper pencil basket candle mirror pillow blanket ladder bridge castle tunnel engine wagon"
).split(" ");

function words(rand: () => number, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)]!);
  return out.join(" ");
}

/** A ~100 KB JSON object with `leaves` leaf values (200 items × 4 fields), deterministic. */
export function json100k(targetBytes = 100_000, items = 200): string {
  const rand = prng(100);
  const make = (descWords: number) => ({
    items: Array.from({ length: items }, (_, i) => ({
      id: i + 1,
      name: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]}`,
      price: Math.round(rand() * 100000) / 100,
      description: words(rand, descWords),
    })),
  });
  // Description length chosen so the document is close to targetBytes (one pass to measure, one to build).
  const probe = JSON.stringify(make(10)).length;
  const perWord = 7; // average word length + space
  const descWords = Math.max(1, 10 + Math.round((targetBytes - probe) / items / perWord));
  return JSON.stringify(make(descWords));
}

function multipart(fileBytes: number): { contentType: string; body: string } {
  const boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
  const rand = prng(1000);
  let file = "";
  while (file.length < fileBytes) file += words(rand, 8) + "\n";
  file = file.slice(0, fileBytes);
  const body =
    `--${boundary}\r\n` +
    `Content-Disposition: form-data; name="description"\r\n\r\n` +
    `quarterly report\r\n` +
    `--${boundary}\r\n` +
    `Content-Disposition: form-data; name="file"; filename="report.txt"\r\n` +
    `Content-Type: text/plain\r\n\r\n` +
    `${file}\r\n` +
    `--${boundary}--\r\n`;
  return { contentType: `multipart/form-data; boundary=${boundary}`, body };
}

export const SQLI_URI = "/search?q=%27%20OR%201%3D1%20UNION%20SELECT%20username%2Cpassword%20FROM%20users--&category=all";

function single(): Record<string, CheckTx> {
  const mp = multipart(1000);
  return {
    simple_get: { id: "simple_get", method: "GET", uri: URI, headers: baseHeaders(), response: JSON_RESPONSE },
    simple_post: post("simple_post", URI, "application/x-www-form-urlencoded", "parameters2=and&other2=Stuff"),
    large_post: post("large_post", URI, "application/x-www-form-urlencoded", "parameters2=and&other2=" + "a".repeat(10_000)),
    sqli_get: { id: "sqli_get", method: "GET", uri: SQLI_URI, headers: baseHeaders(), response: JSON_RESPONSE },
    json_100k_post: post("json_100k_post", "/api/items", "application/json", json100k()),
    multipart_1k: post("multipart_1k", "/upload", mp.contentType, mp.body),
  };
}

/**
 * Recorded-style traffic: a deterministic sequence mostly of benign variations (page and API GETs with varied
 * paths, query strings, cookies and Accept headers; static assets; small form and JSON posts) with the single
 * workloads mixed in at realistic rates — including the occasional SQL injection.
 */
export function mixedTraffic(count = 500, seed = 42): CheckTx[] {
  const rand = prng(seed);
  const s = single();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const paths = ["/", "/index.html", "/products", "/products/list", "/cart", "/account/orders", "/api/v1/users/42", "/api/v1/search", "/blog/2024/05/release-notes", "/help/faq"];
  const statics: Array<[string, string]> = [["/static/app.3f9a1c.js", "application/javascript"], ["/static/site.css", "text/css"], ["/img/logo.png", "image/png"], ["/favicon.ico", "image/x-icon"]];
  const accepts = ["application/json", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "*/*"];
  const out: CheckTx[] = [];
  for (let i = 0; i < count; i++) {
    const r = rand();
    const id = `mixed-${i}`;
    let tx: CheckTx;
    if (r < 0.4) {
      const query = rand() < 0.6 ? `?page=${1 + Math.floor(rand() * 20)}&sort=${pick(["name", "price", "date"])}&q=${encodeURIComponent(words(rand, 2))}` : "";
      const accept = pick(accepts);
      const headers: Array<[string, string]> = [["Host", "localhost"], ["User-Agent", CHROME_UA], ["Accept", accept], ["Accept-Language", "en-US,en;q=0.9"], ["Accept-Encoding", "gzip, deflate, br"]];
      if (rand() < 0.5) headers.push(["Cookie", `session=${Math.floor(rand() * 1e12).toString(36)}; theme=${pick(["dark", "light"])}`]);
      if (rand() < 0.3) headers.push(["Referer", `http://localhost${pick(paths)}`]);
      const html = accept.startsWith("text/html");
      const body = html ? `<html><body><h1>${words(rand, 3)}</h1><p>${words(rand, 40)}</p></body></html>` : JSON.stringify({ items: words(rand, 12).split(" ") });
      tx = { method: "GET", uri: pick(paths) + query, headers, response: { status: 200, headers: [["Content-Type", html ? "text/html; charset=utf-8" : "application/json"]], body } };
    } else if (r < 0.55) {
      const [path, type] = pick(statics);
      tx = { method: "GET", uri: path, headers: [["Host", "localhost"], ["User-Agent", CHROME_UA], ["Accept", "*/*"]], response: { status: 200, headers: [["Content-Type", type]], body: "" } };
    } else if (r < 0.65) {
      tx = { ...s.simple_get! };
    } else if (r < 0.75) {
      const body = `name=${encodeURIComponent(words(rand, 2))}&email=user${Math.floor(rand() * 1000)}%40example.com&qty=${1 + Math.floor(rand() * 9)}`;
      tx = rand() < 0.5 ? { ...s.simple_post! } : post(id, "/cart/add", "application/x-www-form-urlencoded", body);
    } else if (r < 0.88) {
      const body = JSON.stringify({ user: Math.floor(rand() * 1e6), action: pick(["view", "click", "scroll"]), tags: words(rand, 5).split(" "), note: words(rand, 10) });
      tx = post(id, "/api/v1/events", "application/json", body);
    } else if (r < 0.93) {
      tx = { ...s.multipart_1k! };
    } else if (r < 0.96) {
      tx = { ...s.large_post! };
    } else if (r < 0.97) {
      tx = { ...s.json_100k_post! }; // 1%: the heaviest by far
    } else {
      tx = { ...s.sqli_get! };
    }
    tx.id = id;
    out.push(tx);
  }
  return out;
}

export const WORKLOAD_NAMES = ["simple_get", "simple_post", "large_post", "sqli_get", "json_100k_post", "multipart_1k", "mixed"] as const;

export function workloads(): Workload[] {
  const s = single();
  const desc: Record<string, string> = {
    simple_get: `GET ${URI}, Chrome UA, Accept: application/json; 200 application/json`,
    simple_post: "POST, urlencoded body parameters2=and&other2=Stuff",
    large_post: "POST, urlencoded body parameters2=and&other2= + 10,000 'a'",
    sqli_get: "GET /search?q=' OR 1=1 UNION SELECT username,password FROM users--&category=all",
    json_100k_post: `POST application/json, ${s.json_100k_post!.body!.length} bytes, 800 leaf values`,
    multipart_1k: "POST multipart/form-data: one text field + a 1,000-byte file",
    mixed: "recorded-style mix (500 transactions, seed 42): 40% page GETs, 15% static, 10% simple_get, 10% form posts, 13% small JSON, 5% multipart, 3% large_post, 1% json_100k_post, 3% sqli_get",
  };
  return [...Object.entries(s).map(([name, tx]) => ({ name, description: desc[name]!, txs: [tx] })), { name: "mixed", description: desc.mixed!, txs: mixedTraffic() }];
}
