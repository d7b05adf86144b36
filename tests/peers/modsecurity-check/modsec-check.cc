// modsec-check: the ModSecurity v3 side of `waf check --jsonl` (../shared/design/check-jsonl.md).
//
//   modsec-check [--mode detect|block] [--directive 'SecLang line']... --jsonl FILE|- CONF [CONF...]
//
// Same command line, input lines and output lines as `waf check`, evaluated by libmodsecurity 3.0.9 instead of
// our filter, so both engines can be fed the same file and compared line by line. Per input line, one
// Transaction goes through the full API as a connector drives it: connection, URI, request headers, request
// body, then response headers and body when `response` is present, then logging. After each phase the
// intervention is read; a disruptive one stops the stream (later phases do not run, logging still does).
//
//  - The rule set is one RulesSet::load of a generated main text: `Include CONF` for each CONF in order, the
//    --directive lines, then `SecRuleEngine On|DetectionOnly` for --mode (so it overrides the files).
//  - matched: what ModSecurity writes to its error log. Non-disruptive messages reach the server log
//    callback (RuleMessageLogProperty); the message of the rule that disrupted is not sent there (the
//    connector logs intervention.log instead) and is taken from the transaction's saved RuleMessages
//    (m_rulesMessages), which honour `nolog` exactly like the callback. A chain is logged under its head's id.
//  - time_us: wall time spent inside libmodsecurity calls for the transaction, from constructing the
//    Transaction to destroying it.
//  - Blank input lines are skipped and take no index. Diagnostics (load time) go to standard error.
//
// Build: g++ -O2 -std=c++17 modsec-check.cc -lmodsecurity -o modsec-check (Debian: g++ libmodsecurity-dev).
#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

// (modsecurity/intervention.h uses NULL and free without including their headers: keep it after them.)
#include <modsecurity/intervention.h>
#include <modsecurity/modsecurity.h>
#include <modsecurity/rule_message.h>
#include <modsecurity/rules_set.h>
#include <modsecurity/transaction.h>

namespace {

// ---------------------------------------------------------------------------------------------------------
// Minimal JSON. Strings are held as WTF-8 (lone surrogates from \u escapes encoded as 3-byte sequences) so
// an echoed id round-trips like JSON.stringify(JSON.parse(...)); as HTTP data they become UTF-8 with U+FFFD.
struct JVal {
  enum Type { Null, Bool, Num, Str, Arr, Obj } type = Null;
  bool b = false;
  double num = 0;
  std::string str;
  std::vector<JVal> arr;
  std::vector<std::pair<std::string, JVal>> obj;  // first position of a key, value of its last occurrence

  const JVal *get(const char *key) const {
    for (auto &kv : obj) if (kv.first == key) return &kv.second;
    return nullptr;
  }
};

struct JsonError { std::string msg; };

void putUtf8(std::string *out, unsigned cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes bytes as a WHATWG UTF-8 decoder does (what node does reading the file): each maximal invalid
// subpart becomes U+FFFD.
std::string sanitizeUtf8(const std::string &in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0, n = in.size();
  while (i < n) {
    unsigned char c = in[i];
    if (c < 0x80) { out.push_back(static_cast<char>(c)); i++; continue; }
    int need = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c >= 0xE0 && c <= 0xEF) { need = 2; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 3; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
    size_t j = i + 1;
    int got = 0;
    while (got < need && j < n) {
      unsigned char d = in[j];
      if (d < lo || d > hi) break;
      lo = 0x80; hi = 0xBF;
      j++; got++;
    }
    if (need > 0 && got == need) out.append(in, i, j - i);
    else out.append("\xEF\xBF\xBD");
    i = need > 0 ? j : i + 1;
  }
  return out;
}

class JsonParser {
 public:
  explicit JsonParser(const std::string &s) : s_(s) {}
  JVal parseDocument() {
    ws();
    JVal v = value(0);
    ws();
    if (p_ != s_.size()) fail("unexpected character after the JSON value");
    return v;
  }

 private:
  const std::string &s_;
  size_t p_ = 0;

  [[noreturn]] void fail(const std::string &what) {
    throw JsonError{what + " at position " + std::to_string(p_)};
  }
  void ws() { while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\n' || s_[p_] == '\r')) p_++; }
  bool lit(const char *w) {
    size_t n = strlen(w);
    if (s_.compare(p_, n, w) != 0) return false;
    p_ += n;
    return true;
  }
  JVal value(int depth) {
    if (depth > 500) fail("nesting too deep");
    if (p_ >= s_.size()) fail("unexpected end of input");
    JVal v;
    char c = s_[p_];
    if (c == '{') {
      v.type = JVal::Obj;
      p_++; ws();
      if (p_ < s_.size() && s_[p_] == '}') { p_++; return v; }
      for (;;) {
        ws();
        if (p_ >= s_.size() || s_[p_] != '"') fail("expected a property name");
        std::string key = string();
        ws();
        if (p_ >= s_.size() || s_[p_] != ':') fail("expected ':'");
        p_++; ws();
        JVal item = value(depth + 1);
        auto it = std::find_if(v.obj.begin(), v.obj.end(), [&](auto &kv) { return kv.first == key; });
        if (it != v.obj.end()) it->second = std::move(item);
        else v.obj.emplace_back(std::move(key), std::move(item));
        ws();
        if (p_ < s_.size() && s_[p_] == ',') { p_++; continue; }
        if (p_ < s_.size() && s_[p_] == '}') { p_++; return v; }
        fail("expected ',' or '}'");
      }
    }
    if (c == '[') {
      v.type = JVal::Arr;
      p_++; ws();
      if (p_ < s_.size() && s_[p_] == ']') { p_++; return v; }
      for (;;) {
        ws();
        v.arr.push_back(value(depth + 1));
        ws();
        if (p_ < s_.size() && s_[p_] == ',') { p_++; continue; }
        if (p_ < s_.size() && s_[p_] == ']') { p_++; return v; }
        fail("expected ',' or ']'");
      }
    }
    if (c == '"') { v.type = JVal::Str; v.str = string(); return v; }
    if (lit("true")) { v.type = JVal::Bool; v.b = true; return v; }
    if (lit("false")) { v.type = JVal::Bool; return v; }
    if (lit("null")) return v;
    if (c == '-' || (c >= '0' && c <= '9')) { v.type = JVal::Num; v.num = number(); return v; }
    fail("unexpected character");
  }
  double number() {
    size_t start = p_;
    auto digits = [&] { size_t d = p_; while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') p_++; return p_ - d; };
    if (s_[p_] == '-') p_++;
    if (p_ < s_.size() && s_[p_] == '0') p_++;
    else if (digits() == 0) fail("invalid number");
    if (p_ < s_.size() && s_[p_] == '.') { p_++; if (digits() == 0) fail("invalid number"); }
    if (p_ < s_.size() && (s_[p_] == 'e' || s_[p_] == 'E')) {
      p_++;
      if (p_ < s_.size() && (s_[p_] == '+' || s_[p_] == '-')) p_++;
      if (digits() == 0) fail("invalid number");
    }
    return strtod(s_.substr(start, p_ - start).c_str(), nullptr);
  }
  unsigned hex4() {
    if (p_ + 4 > s_.size()) fail("bad unicode escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
      char h = s_[p_++];
      v <<= 4;
      if (h >= '0' && h <= '9') v |= h - '0';
      else if (h >= 'a' && h <= 'f') v |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F') v |= h - 'A' + 10;
      else fail("bad unicode escape");
    }
    return v;
  }
  std::string string() {
    std::string out;
    p_++;  // opening quote
    for (;;) {
      if (p_ >= s_.size()) fail("unterminated string");
      unsigned char c = s_[p_++];
      if (c == '"') return out;
      if (c < 0x20) { p_--; fail("bad control character in string"); }
      if (c != '\\') { out.push_back(static_cast<char>(c)); continue; }
      if (p_ >= s_.size()) fail("unterminated string");
      char e = s_[p_++];
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF && s_.compare(p_, 2, "\\u") == 0) {
            size_t save = p_;
            p_ += 2;
            unsigned lo = hex4();
            if (lo >= 0xDC00 && lo <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            else p_ = save;
          }
          putUtf8(&out, cp);  // a lone surrogate stays as its 3-byte (WTF-8) form
          break;
        }
        default: p_--; fail("bad escape");
      }
    }
  }
};

// Number formatting of JSON.stringify (ECMAScript Number::toString): shortest round-trip digits.
std::string jsNumber(double d) {
  if (!std::isfinite(d)) return "null";
  if (d == 0) return "0";
  char buf[40];
  int prec = 1;
  for (; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
    if (strtod(buf, nullptr) == d) break;
  }
  std::string s(buf);
  bool neg = s[0] == '-';
  if (neg) s.erase(0, 1);
  size_t e = s.find('e');
  int exp = atoi(s.c_str() + e + 1);
  std::string digits;
  for (size_t i = 0; i < e; i++) if (s[i] != '.') digits.push_back(s[i]);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int k = static_cast<int>(digits.size()), n = exp + 1;
  std::string out = neg ? "-" : "";
  if (k <= n && n <= 21) {
    out += digits + std::string(n - k, '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, n) + "." + digits.substr(n);
  } else if (-6 < n && n <= 0) {
    out += "0." + std::string(-n, '0') + digits;
  } else {
    out += digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += (n - 1 >= 0 ? "e+" : "e-") + std::to_string(std::abs(n - 1));
  }
  return out;
}

void writeString(std::string *out, const std::string &s) {
  static const char *hex = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < s.size(); i++) {
    unsigned char c = s[i];
    switch (c) {
      case '"': out->append("\\\""); continue;
      case '\\': out->append("\\\\"); continue;
      case '\b': out->append("\\b"); continue;
      case '\f': out->append("\\f"); continue;
      case '\n': out->append("\\n"); continue;
      case '\r': out->append("\\r"); continue;
      case '\t': out->append("\\t"); continue;
    }
    if (c < 0x20) {
      out->append("\\u00");
      out->push_back(hex[c >> 4]);
      out->push_back(hex[c & 15]);
    } else if (c == 0xED && i + 2 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xE0) == 0xA0) {
      unsigned cp = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);  // lone surrogate
      out->append("\\u");
      for (int sh = 12; sh >= 0; sh -= 4) out->push_back(hex[(cp >> sh) & 15]);
      i += 2;
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

bool isArrayIndex(const std::string &k) {
  if (k.empty() || k.size() > 10 || (k.size() > 1 && k[0] == '0')) return false;
  for (char c : k) if (c < '0' || c > '9') return false;
  return std::stoull(k) < 4294967295ULL;
}

void writeValue(std::string *out, const JVal &v) {
  switch (v.type) {
    case JVal::Null: out->append("null"); return;
    case JVal::Bool: out->append(v.b ? "true" : "false"); return;
    case JVal::Num: out->append(jsNumber(v.num)); return;
    case JVal::Str: writeString(out, v.str); return;
    case JVal::Arr:
      out->push_back('[');
      for (size_t i = 0; i < v.arr.size(); i++) {
        if (i) out->push_back(',');
        writeValue(out, v.arr[i]);
      }
      out->push_back(']');
      return;
    case JVal::Obj: {
      // JavaScript property order: array-index keys ascending, then the others in insertion order.
      std::vector<const std::pair<std::string, JVal> *> order;
      for (auto &kv : v.obj) if (isArrayIndex(kv.first)) order.push_back(&kv);
      std::sort(order.begin(), order.end(), [](auto *a, auto *b) { return std::stoull(a->first) < std::stoull(b->first); });
      for (auto &kv : v.obj) if (!isArrayIndex(kv.first)) order.push_back(&kv);
      out->push_back('{');
      for (size_t i = 0; i < order.size(); i++) {
        if (i) out->push_back(',');
        writeString(out, order[i]->first);
        out->push_back(':');
        writeValue(out, order[i]->second);
      }
      out->push_back('}');
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// One input line → one transaction, validated exactly like cli/replay/jsonl.ts (same fields, order, messages).
struct InputError { std::string msg; };

struct Request {
  std::string method = "GET", uri = "/", version = "HTTP/1.1";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string clientIp = "127.0.0.1", serverIp = "127.0.0.1";
  int clientPort = 12345, serverPort = 80;
  bool hasResponse = false;
  int status = 200;
  std::vector<std::pair<std::string, std::string>> responseHeaders;
  std::string responseBody;
};

std::string quoted(const std::string &field) { return "\"" + field + "\""; }
bool absent(const JVal *v) { return v == nullptr || v->type == JVal::Null; }

// JS strings are sent as their UTF-8 bytes: lone surrogates become U+FFFD.
std::string toUtf8(const std::string &wtf8) {
  std::string out;
  for (size_t i = 0; i < wtf8.size(); i++) {
    unsigned char c = wtf8[i];
    if (c == 0xED && i + 2 < wtf8.size() && (static_cast<unsigned char>(wtf8[i + 1]) & 0xE0) == 0xA0) {
      out.append("\xEF\xBF\xBD");
      i += 2;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

// Same acceptance as jsonl.ts: /^[A-Za-z0-9+/]*={0,2}$/, length % 4 != 1, then node's decoder.
std::string decodeBase64(const std::string &field, const std::string &s) {
  size_t end = s.size(), pad = 0;
  while (end > 0 && s[end - 1] == '=' && pad < 2) { end--; pad++; }
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  for (size_t i = 0; i < end; i++) if (val(s[i]) < 0) throw InputError{quoted(field) + " is not valid base64"};
  if (s.size() % 4 == 1) throw InputError{quoted(field) + " is not valid base64"};
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (size_t i = 0; i < end; i++) {
    acc = (acc << 6) | val(s[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

bool optionalBool(const JVal &o, const char *field, bool dflt) {
  const JVal *v = o.get(field);
  if (absent(v)) return dflt;
  if (v->type != JVal::Bool) throw InputError{quoted(field) + " must be true or false"};
  return v->b;
}

std::string optionalString(const JVal &o, const char *field, const char *dflt) {
  const JVal *v = o.get(field);
  if (absent(v)) return dflt;
  if (v->type != JVal::Str || v->str.empty()) throw InputError{quoted(field) + " must be a non-empty string"};
  return toUtf8(v->str);
}

std::string optionalIp(const JVal &o, const char *field, const char *dflt) {
  std::string ip = optionalString(o, field, dflt);
  unsigned char buf[16];
  std::string addr = ip;
  bool zoneOk = true;
  size_t pct = ip.find('%');  // node's isIP accepts an IPv6 zone id
  if (pct != std::string::npos) {
    addr = ip.substr(0, pct);
    std::string zone = ip.substr(pct + 1);
    zoneOk = !zone.empty() && zone.find_first_not_of(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-.:") == std::string::npos;
  }
  bool ok = pct == std::string::npos ? inet_pton(AF_INET, addr.c_str(), buf) == 1 : false;
  ok = ok || (zoneOk && inet_pton(AF_INET6, addr.c_str(), buf) == 1);
  if (!ok) throw InputError{quoted(field) + " must be an IPv4 or IPv6 address, got \"" + ip + "\""};
  return ip;
}

bool isInteger(const JVal *v) { return v->type == JVal::Num && std::isfinite(v->num) && std::trunc(v->num) == v->num; }

int optionalPort(const JVal &o, const char *field, int dflt) {
  const JVal *v = o.get(field);
  if (absent(v)) return dflt;
  if (!isInteger(v) || v->num < 0 || v->num > 65535) throw InputError{quoted(field) + " must be a port number 0..65535"};
  return static_cast<int>(v->num);
}

std::string text(const std::string &field, const JVal *v, const char *dflt, bool b64) {
  if (absent(v)) return dflt;
  if (v->type != JVal::Str) throw InputError{quoted(field) + " must be a string"};
  return b64 ? decodeBase64(field, v->str) : toUtf8(v->str);
}

std::vector<std::pair<std::string, std::string>> headers(const std::string &field, const JVal *v, bool b64) {
  std::vector<std::pair<std::string, std::string>> out;
  if (absent(v)) return out;
  if (v->type != JVal::Arr) throw InputError{quoted(field) + " must be an array of [name, value] pairs"};
  for (size_t i = 0; i < v->arr.size(); i++) {
    const JVal &p = v->arr[i];
    std::string at = field + "[" + std::to_string(i) + "]";
    if (p.type != JVal::Arr || p.arr.size() != 2 || p.arr[0].type != JVal::Str || p.arr[1].type != JVal::Str) {
      throw InputError{quoted(field) + "[" + std::to_string(i) + "] must be a [name, value] pair of strings"};
    }
    out.emplace_back(text(at + "[0]", &p.arr[0], "", b64), text(at + "[1]", &p.arr[1], "", b64));
  }
  return out;
}

Request parseLine(const std::string &line, bool *hasId, JVal *id) {
  JVal o;
  try {
    o = JsonParser(line).parseDocument();
  } catch (const JsonError &e) {
    throw InputError{"not valid JSON: " + e.msg};
  }
  if (o.type != JVal::Obj) throw InputError{"expected a JSON object"};
  Request r;
  bool b64 = optionalBool(o, "b64", false);
  r.method = optionalString(o, "method", "GET");
  r.uri = text("uri", o.get("uri"), "/", b64);
  r.version = optionalString(o, "version", "HTTP/1.1");
  r.headers = headers("headers", o.get("headers"), b64);
  bool bodyB64 = b64 || optionalBool(o, "body_b64", false);
  r.body = text("body", o.get("body"), "", bodyB64);
  r.clientIp = optionalIp(o, "client_ip", "127.0.0.1");
  r.clientPort = optionalPort(o, "client_port", 12345);
  r.serverIp = optionalIp(o, "server_ip", "127.0.0.1");
  r.serverPort = optionalPort(o, "server_port", 80);
  const JVal *resp = o.get("response");
  if (!absent(resp)) {
    if (resp->type != JVal::Obj) throw InputError{"\"response\" must be an object"};
    const JVal *st = resp->get("status");
    if (!absent(st) && (!isInteger(st) || st->num < 100 || st->num > 999)) {
      throw InputError{"\"response.status\" must be an HTTP status code (100..999)"};
    }
    r.hasResponse = true;
    r.status = absent(st) ? 200 : static_cast<int>(st->num);
    r.responseHeaders = headers("response.headers", resp->get("headers"), b64);
    bool rb64 = b64 || optionalBool(*resp, "body_b64", false);
    r.responseBody = text("response.body", resp->get("body"), "", rb64);
  }
  const JVal *idv = o.get("id");
  *hasId = idv != nullptr;
  if (idv) *id = *idv;
  return r;
}

// ---------------------------------------------------------------------------------------------------------
// Running a transaction.
struct Outcome {
  std::vector<int> matched;
  bool disruptive = false;
  int status = 0;
  int ruleId = -1;
  const char *phase = nullptr;
  long long timeUs = 0;

  void match(int id) {
    if (std::find(matched.begin(), matched.end(), id) == matched.end()) matched.push_back(id);
  }
};

// Server log callback: called with the RuleMessage of every logged, non-disruptive match.
void onServerLog(void *data, const void *msg) {
  auto *rm = static_cast<const modsecurity::RuleMessage *>(msg);
  if (data && rm) static_cast<Outcome *>(data)->match(rm->m_ruleId);
}

int ruleIdFromLog(const char *log) {
  if (!log) return -1;
  const char *p = strstr(log, "[id \"");
  return p ? atoi(p + 5) : -1;
}

Outcome runTransaction(modsecurity::ModSecurity *ms, modsecurity::RulesSet *rules, const Request &r) {
  using Clock = std::chrono::steady_clock;
  Outcome out;
  Clock::duration spent{};
  auto timed = [&](auto &&fn) {
    auto t0 = Clock::now();
    auto result = fn();
    spent += Clock::now() - t0;
    return result;
  };
  auto bytes = [](const std::string &s) { return reinterpret_cast<const unsigned char *>(s.data()); };

  modsecurity::Transaction *t = timed([&] { return new modsecurity::Transaction(ms, rules, &out); });
  size_t messagesSeen = 0;
  // After a phase: the logged disruptive message (not sent to the server log), then the intervention; the
  // first disruptive one is the stream's outcome.
  auto intervened = [&](const char *phase) {
    size_t i = 0;
    for (const auto &m : t->m_rulesMessages) {
      if (i++ >= messagesSeen && m.m_isDisruptive) out.match(m.m_ruleId);
    }
    messagesSeen = t->m_rulesMessages.size();
    modsecurity::ModSecurityIntervention it;
    modsecurity::intervention::clean(&it);
    bool disruptive = timed([&] { return t->intervention(&it); });
    if (disruptive && !out.disruptive) {
      out.disruptive = true;
      out.status = it.status;
      out.phase = phase;
      out.ruleId = ruleIdFromLog(it.log);
      if (out.ruleId < 0) {
        for (const auto &m : t->m_rulesMessages) if (m.m_isDisruptive) out.ruleId = m.m_ruleId;
      }
    }
    modsecurity::intervention::free(&it);
    return disruptive;
  };

  std::string httpVersion = r.version.compare(0, 5, "HTTP/") == 0 ? r.version.substr(5) : r.version;
  timed([&] { return t->processConnection(r.clientIp.c_str(), r.clientPort, r.serverIp.c_str(), r.serverPort); });
  timed([&] { return t->processURI(r.uri.c_str(), r.method.c_str(), httpVersion.c_str()); });
  for (auto &h : r.headers) {
    timed([&] { return t->addRequestHeader(bytes(h.first), h.first.size(), bytes(h.second), h.second.size()); });
  }
  timed([&] { return t->processRequestHeaders(); });
  bool stop = intervened("request_headers");
  if (!stop && !r.body.empty()) {
    timed([&] { return t->appendRequestBody(bytes(r.body), r.body.size()); });
    stop = intervened("request_body");
  }
  if (!stop) {
    timed([&] { return t->processRequestBody(); });
    stop = intervened("request_body");
  }
  if (!stop && r.hasResponse) {
    for (auto &h : r.responseHeaders) {
      timed([&] { return t->addResponseHeader(bytes(h.first), h.first.size(), bytes(h.second), h.second.size()); });
    }
    timed([&] { return t->processResponseHeaders(r.status, r.version); });
    stop = intervened("response_headers");
    if (!stop && !r.responseBody.empty()) {
      timed([&] { return t->appendResponseBody(bytes(r.responseBody), r.responseBody.size()); });
      stop = intervened("response_body");
    }
    if (!stop) {
      timed([&] { return t->processResponseBody(); });
      stop = intervened("response_body");
    }
  }
  timed([&] { return t->processLogging(); });
  intervened("logging");
  timed([&] { delete t; return 0; });
  out.timeUs = std::chrono::duration_cast<std::chrono::microseconds>(spent).count();
  return out;
}

std::string resultLine(long index, bool hasId, const JVal &id, const Outcome &o) {
  std::string s = "{\"index\":" + std::to_string(index);
  if (hasId) {
    s += ",\"id\":";
    writeValue(&s, id);
  }
  s += ",\"matched\":[";
  for (size_t i = 0; i < o.matched.size(); i++) s += (i ? "," : "") + std::to_string(o.matched[i]);
  s += "],\"intervention\":{\"disruptive\":";
  s += o.disruptive ? "true" : "false";
  s += ",\"status\":" + std::to_string(o.disruptive ? o.status : 0);
  if (o.disruptive && o.ruleId >= 0) s += ",\"rule_id\":" + std::to_string(o.ruleId);
  if (o.disruptive) s += ",\"phase\":\"" + std::string(o.phase) + "\"";
  s += "},\"time_us\":" + std::to_string(o.timeUs) + "}";
  return s;
}

std::string errorLine(long index, const std::string &msg) {
  std::string s = "{\"index\":" + std::to_string(index) + ",\"error\":";
  writeString(&s, msg);
  return s + "}";
}

int usage(const std::string &why) {
  std::cerr << "modsec-check: " << why << "\n"
            << "usage: modsec-check [--mode detect|block] [--directive 'SecLang line']... --jsonl FILE|- CONF [CONF...]\n";
  return 2;
}

}  // namespace

int main(int argc, char **argv) {
  std::ios::sync_with_stdio(false);
  std::string mode, jsonl;
  bool haveJsonl = false;
  std::vector<std::string> directives, confs;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto value = [&](const std::string &opt, std::string *dst) {
      if (a.size() > opt.size() && a.compare(0, opt.size() + 1, opt + "=") == 0) { *dst = a.substr(opt.size() + 1); return true; }
      if (a != opt) return false;
      if (i + 1 >= argc) throw std::string("option " + opt + " needs a value");
      *dst = argv[++i];
      return true;
    };
    try {
      std::string v;
      if (a == "--") { for (i++; i < argc; i++) confs.push_back(argv[i]); break; }
      if (value("--mode", &mode)) continue;
      if (value("--directive", &v)) { directives.push_back(v); continue; }
      if (value("--jsonl", &jsonl)) { haveJsonl = true; continue; }
      if (a.size() > 1 && a[0] == '-') return usage("unknown option " + a);
      confs.push_back(a);
    } catch (const std::string &e) {
      return usage(e);
    }
  }
  if (!mode.empty() && mode != "detect" && mode != "block") return usage("--mode must be detect or block");
  if (!haveJsonl) return usage("--jsonl FILE|- is required");
  if (confs.empty()) return usage("at least one CONF file is required");

  // One configuration text, as if a main file Included the CONFs in order and ended with the directives:
  // within one parse the last SecRuleEngine etc. wins, while separate RulesSet loads would keep the first.
  std::string main;
  for (auto &c : confs) {
    if (access(c.c_str(), R_OK) != 0) {
      std::cerr << "modsec-check: rule set error: cannot read " << c << ": " << strerror(errno) << "\n";
      return 1;
    }
    std::string path = c;
    if (path[0] != '/') {
      char cwd[4096];
      if (getcwd(cwd, sizeof cwd)) path = std::string(cwd) + "/" + path;
    }
    main += path.find_first_of(" \t") == std::string::npos ? "Include " + path + "\n" : "Include \"" + path + "\"\n";
  }
  for (auto &d : directives) main += d + "\n";
  if (!mode.empty()) main += mode == "block" ? "SecRuleEngine On\n" : "SecRuleEngine DetectionOnly\n";

  modsecurity::ModSecurity ms;
  ms.setServerLogCb(onServerLog, modsecurity::RuleMessageLogProperty);
  modsecurity::RulesSet rules;
  auto t0 = std::chrono::steady_clock::now();
  int total = rules.load(main.c_str(), "<command line>");
  if (total < 0) {
    std::string err = rules.getParserError();
    std::cerr << "modsec-check: rule set error: " << err << "\n";
    if (err.find("<command line>") != std::string::npos) {  // lines of the generated main text
      std::cerr << "modsec-check: <command line> was:\n" << main;
    }
    return 1;
  }
  double loadMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  char msg[200];
  snprintf(msg, sizeof msg, "modsec-check: %s, %d rules loaded in %.1f ms\n", ms.whoAmI().c_str(), total, loadMs);
  std::cerr << msg << std::flush;

  bool streaming = jsonl == "-";
  std::ifstream file;
  if (!streaming) {
    file.open(jsonl, std::ios::binary);
    if (!file) { std::cerr << "modsec-check: cannot read " << jsonl << "\n"; return 1; }
  }
  std::istream &in = streaming ? std::cin : file;
  std::string line, out;
  long index = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    bool hasId = false;
    JVal id;
    try {
      Request r = parseLine(sanitizeUtf8(line), &hasId, &id);
      out = resultLine(index, hasId, id, runTransaction(&ms, &rules, r));
    } catch (const InputError &e) {
      out = errorLine(index, e.msg);
    }
    index++;
    std::cout << out << '\n';
    if (streaming) std::cout.flush();
  }
  std::cout.flush();
  return 0;
}
