// Differential-test peer: runs inputs through ModSecurity v3's real @detectSQLi / @detectXSS operators (Debian
// libmodsecurity3) and prints what they decided.
//
// Build (tests/libinjection/helpers/peer.ts does this, cached by source hash):
//   g++ -O2 -std=c++17 harness.cc -o harness -lmodsecurity
//
// stdin:  repeated records  [u32 little-endian length][bytes]
// stdout: one line per record:
//   <sqli 0|1> TAB <fingerprint captured into TX:0 via logdata> TAB <xss 0|1>
//   TAB <libinjection_sqli() 0|1> TAB <its fingerprint> TAB <libinjection_xss() 0|1>
// The first three columns come from a full transaction per input: the value is percent-encoded byte by byte into
// the query string (?v=...), so ARGS:v holds exactly the input bytes after ModSecurity's own decoding; phase-1
// rules run in processRequestHeaders() and report through the server log callback (RuleMessage objects). The last
// three call the libinjection entry points the same library exports, as a cross-check of the rule plumbing.
#include <modsecurity/modsecurity.h>
#include <modsecurity/rules_set.h>
#include <modsecurity/transaction.h>
#include <modsecurity/rule_message.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

extern "C" {
int libinjection_sqli(const char* s, size_t slen, char fingerprint[]);
int libinjection_xss(const char* s, size_t slen);
}

namespace {

struct Seen {
  bool sqli = false;
  bool xss = false;
  std::string fingerprint;
};

void onLog(void* data, const void* msg) {
  auto* seen = static_cast<Seen*>(data);
  auto* rm = static_cast<const modsecurity::RuleMessage*>(msg);
  if (seen == nullptr || rm == nullptr) return;
  if (rm->m_ruleId == 1) {
    seen->sqli = true;
    seen->fingerprint = rm->m_data;
  } else if (rm->m_ruleId == 2) {
    seen->xss = true;
  }
}

const char* kRules =
    "SecRuleEngine On\n"
    "SecRule ARGS:v \"@detectSQLi\" \"id:1,phase:1,capture,pass,log,logdata:'%{TX.0}'\"\n"
    "SecRule ARGS:v \"@detectXSS\" \"id:2,phase:1,pass,log\"\n";

bool readRecord(std::string* out) {
  unsigned char hdr[4];
  if (std::fread(hdr, 1, 4, stdin) != 4) return false;
  uint32_t n = uint32_t(hdr[0]) | (uint32_t(hdr[1]) << 8) | (uint32_t(hdr[2]) << 16) | (uint32_t(hdr[3]) << 24);
  out->resize(n);
  if (n > 0 && std::fread(&(*out)[0], 1, n, stdin) != n) return false;
  return true;
}

}  // namespace

int main() {
  auto* ms = new modsecurity::ModSecurity();
  ms->setServerLogCb(onLog, modsecurity::RuleMessageLogProperty);
  auto* rules = new modsecurity::RulesSet();
  if (rules->load(kRules) < 0) {
    std::cerr << "rules: " << rules->getParserError() << "\n";
    return 2;
  }
  static const char* hex = "0123456789ABCDEF";
  std::string input;
  std::string uri;
  std::string out;
  while (readRecord(&input)) {
    uri.assign("/?v=");
    for (unsigned char c : input) {
      uri.push_back('%');
      uri.push_back(hex[c >> 4]);
      uri.push_back(hex[c & 15]);
    }
    Seen seen;
    {
      modsecurity::Transaction tx(ms, rules, &seen);
      tx.processConnection("127.0.0.1", 40000, "127.0.0.1", 80);
      tx.processURI(uri.c_str(), "GET", "1.1");
      tx.processRequestHeaders();
    }
    char fp[8];
    std::memset(fp, 0, sizeof fp);
    int dsqli = libinjection_sqli(input.data(), input.size(), fp);
    int dxss = libinjection_xss(input.data(), input.size());
    out.clear();
    out += seen.sqli ? "1\t" : "0\t";
    out += seen.fingerprint;
    out += seen.xss ? "\t1\t" : "\t0\t";
    out += dsqli ? "1\t" : "0\t";
    out += dsqli ? fp : "";
    out += dxss ? "\t1\n" : "\t0\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  std::fflush(stdout);
  delete rules;
  delete ms;
  return 0;
}
