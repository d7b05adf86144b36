// Differential peer: evaluates SecLang transformation chains with libmodsecurity (the reference engine).
//
// usage: harness <rules.conf>
// The rules file holds one rule per chain k:
//   SecRule ARGS:a<k> "@rx ^.*" "id:<k+1>,phase:2,t:none,t:...,capture,pass,nolog"
// stdin:  records  u32 k | u32 len | len bytes        (little endian)
// stdout: records  u8 status (1 = TX:0 set, 0 = not set) | u32 len | len bytes
// Each record runs in its own transaction; the value reaches ARGS byte-exact through addArgument and the
// transformed value is read back byte-exact from TX:0 (PCRE2 with DOTALL, so "^.*" captures it all).
#include <modsecurity/modsecurity.h>
#include <modsecurity/rules_set.h>
#include <modsecurity/transaction.h>
#include <modsecurity/collection/collection.h>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

static bool readAll(void *p, size_t n) { return fread(p, 1, n, stdin) == n; }

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: harness rules.conf\n"); return 2; }
  modsecurity::ModSecurity modsec;
  modsecurity::RulesSet rules;
  if (rules.loadFromUri(argv[1]) < 0) {
    fprintf(stderr, "rules: %s\n", rules.getParserError().c_str());
    return 3;
  }
  std::string value;
  for (;;) {
    uint32_t k, len;
    if (!readAll(&k, 4)) break;
    if (!readAll(&len, 4)) return 4;
    value.resize(len);
    if (len && !readAll(&value[0], len)) return 4;
    modsecurity::Transaction t(&modsec, &rules, nullptr);
    t.processConnection("127.0.0.1", 12345, "127.0.0.1", 80);
    t.processURI("/", "GET", "1.1");
    t.addArgument("GET", "a" + std::to_string(k), value, 0);
    t.processRequestHeaders();
    t.processRequestBody();
    std::unique_ptr<std::string> r = t.m_collections.m_tx_collection->resolveFirst("0");
    uint8_t status = r ? 1 : 0;
    uint32_t olen = r ? static_cast<uint32_t>(r->size()) : 0;
    fwrite(&status, 1, 1, stdout);
    fwrite(&olen, 4, 1, stdout);
    if (olen) fwrite(r->data(), 1, olen, stdout);
  }
  fflush(stdout);
  return 0;
}
