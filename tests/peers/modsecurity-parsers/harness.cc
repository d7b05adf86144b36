// Differential peer for the argument / body parsers: feeds requests to libmodsecurity (the reference engine)
// and dumps, byte-exact, what it extracted.
//
// usage: harness <rules.conf>
// stdin records (little endian):
//   u32 len method | u32 len uri | u32 nheaders { u32 len name | u32 len value }* | u32 len body
// stdout per record: u32 count, then count entries { u32 len var | u32 len key | u32 len value }
// Collections are read straight from the Transaction (all members are public in v3.0.9); XML:/* is read
// from TX:0, captured by a rule of the configuration ("@rx ^.*" on XML:/*), XML://@* from TX:xattrs, where
// another rule appends each value (MATCHED_VAR) and a \x1f terminator.
#include <modsecurity/modsecurity.h>
#include <modsecurity/rules_set.h>
#include <modsecurity/transaction.h>
#include <modsecurity/collection/collection.h>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using modsecurity::VariableValue;

static bool readAll(void *p, size_t n) { return n == 0 || fread(p, 1, n, stdin) == n; }
static bool readStr(std::string *s) {
  uint32_t n;
  if (!readAll(&n, 4)) return false;
  s->resize(n);
  return readAll(n ? &(*s)[0] : nullptr, n);
}

struct Out {
  std::string buf;
  uint32_t count = 0;
  void put(const std::string &s) {
    uint32_t n = static_cast<uint32_t>(s.size());
    buf.append(reinterpret_cast<const char *>(&n), 4);
    buf.append(s);
  }
  void add(const std::string &var, const std::string &key, const std::string &value) {
    put(var);
    put(key);
    put(value);
    count++;
  }
};

static void dumpSet(Out *o, const char *name, modsecurity::AnchoredSetVariable &v) {
  std::vector<const VariableValue *> l;
  v.resolve(&l);
  for (auto *x : l) {
    o->add(name, x->getKey(), x->getValue());
    delete x;
  }
}

static void dumpOne(Out *o, const char *name, modsecurity::AnchoredVariable &v) {
  std::unique_ptr<std::string> s = v.resolveFirst();
  if (s) o->add(name, "", *s);
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: harness rules.conf\n"); return 2; }
  modsecurity::ModSecurity modsec;
  modsecurity::RulesSet rules;
  if (rules.loadFromUri(argv[1]) < 0) {
    fprintf(stderr, "rules: %s\n", rules.getParserError().c_str());
    return 3;
  }
  for (;;) {
    std::string method, uri, body;
    if (!readStr(&method)) break;
    if (!readStr(&uri)) return 4;
    uint32_t nh;
    if (!readAll(&nh, 4)) return 4;
    std::vector<std::pair<std::string, std::string>> headers(nh);
    for (auto &h : headers) if (!readStr(&h.first) || !readStr(&h.second)) return 4;
    if (!readStr(&body)) return 4;
    Out o;
    {
      modsecurity::Transaction t(&modsec, &rules, nullptr);
      t.processConnection("127.0.0.1", 12345, "127.0.0.1", 80);
      t.processURI(uri.c_str(), method.c_str(), "1.1");
      for (auto &h : headers) t.addRequestHeader(h.first, h.second);
      t.processRequestHeaders();
      if (!body.empty()) t.appendRequestBody(reinterpret_cast<const unsigned char *>(body.data()), body.size());
      t.processRequestBody();
      dumpSet(&o, "ARGS", t.m_variableArgs);
      dumpSet(&o, "ARGS_GET", t.m_variableArgsGet);
      dumpSet(&o, "ARGS_POST", t.m_variableArgsPost);
      dumpSet(&o, "REQUEST_COOKIES", t.m_variableRequestCookies);
      dumpSet(&o, "REQUEST_COOKIES_NAMES", t.m_variableRequestCookiesNames);
      dumpSet(&o, "FILES", t.m_variableFiles);
      dumpSet(&o, "FILES_NAMES", t.m_variableFilesNames);
      dumpSet(&o, "FILES_SIZES", t.m_variableFilesSizes);
      dumpSet(&o, "FILES_TMP_CONTENT", t.m_variableFilesTmpContent);
      dumpSet(&o, "MULTIPART_FILENAME", t.m_variableMultipartFileName);
      dumpSet(&o, "MULTIPART_NAME", t.m_variableMultipartName);
      dumpSet(&o, "MULTIPART_PART_HEADERS", t.m_variableMultipartPartHeaders);
      dumpOne(&o, "FILES_COMBINED_SIZE", t.m_variableFilesCombinedSize);
      dumpOne(&o, "MULTIPART_BOUNDARY_QUOTED", t.m_variableMultipartBoundaryQuoted);
      dumpOne(&o, "MULTIPART_BOUNDARY_WHITESPACE", t.m_variableMultipartBoundaryWhiteSpace);
      dumpOne(&o, "MULTIPART_CRLF_LF_LINES", t.m_variableMultipartCrlfLFLines);
      dumpOne(&o, "MULTIPART_DATA_AFTER", t.m_variableMultipartDataAfter);
      dumpOne(&o, "MULTIPART_DATA_BEFORE", t.m_variableMultipartDataBefore);
      dumpOne(&o, "MULTIPART_FILE_LIMIT_EXCEEDED", t.m_variableMultipartFileLimitExceeded);
      dumpOne(&o, "MULTIPART_HEADER_FOLDING", t.m_variableMultipartHeaderFolding);
      dumpOne(&o, "MULTIPART_INVALID_HEADER_FOLDING", t.m_variableMultipartInvalidHeaderFolding);
      dumpOne(&o, "MULTIPART_INVALID_PART", t.m_variableMultipartInvalidPart);
      dumpOne(&o, "MULTIPART_INVALID_QUOTING", t.m_variableMultipartInvalidQuoting);
      dumpOne(&o, "MULTIPART_LF_LINE", t.m_variableMultipartLFLine);
      dumpOne(&o, "MULTIPART_MISSING_SEMICOLON", t.m_variableMultipartMissingSemicolon);
      dumpOne(&o, "MULTIPART_STRICT_ERROR", t.m_variableMultipartStrictError);
      dumpOne(&o, "MULTIPART_UNMATCHED_BOUNDARY", t.m_variableMultipartUnmatchedBoundary);
      dumpOne(&o, "REQBODY_ERROR", t.m_variableReqbodyError);
      dumpOne(&o, "REQBODY_ERROR_MSG", t.m_variableReqbodyErrorMsg);
      dumpOne(&o, "REQBODY_PROCESSOR_ERROR", t.m_variableReqbodyProcessorError);
      dumpOne(&o, "URLENCODED_ERROR", t.m_variableUrlEncodedError);
      std::unique_ptr<std::string> x = t.m_collections.m_tx_collection->resolveFirst("0");
      if (x) o.add("XML", "/*", *x);
      std::unique_ptr<std::string> xa = t.m_collections.m_tx_collection->resolveFirst("xattrs");
      if (xa) {
        size_t s = 0;
        for (size_t e; (e = xa->find('\x1f', s)) != std::string::npos; s = e + 1) o.add("XML", "//@*", xa->substr(s, e - s));
      }
    }
    fwrite(&o.count, 4, 1, stdout);
    fwrite(o.buf.data(), 1, o.buf.size(), stdout);
  }
  fflush(stdout);
  return 0;
}
