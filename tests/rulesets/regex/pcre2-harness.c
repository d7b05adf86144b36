/*
 * PCRE2 differential harness for the workload-waf regex compiler.
 * Compiles patterns exactly as libmodsecurity v3 does (pcre2_compile with PCRE2_DOTALL | PCRE2_MULTILINE,
 * 8-bit, non-UTF, default character tables; JIT when available) and matches subjects from offset 0 with no
 * match options, as Regex::searchOneMatch does.
 *
 * stdin: records  'P' <u32 le length> <pattern bytes>   -> prints "C OK <capture_count>\n" or "C ERR <offset> <message>\n"
 *                 'S' <u32 le length> <subject bytes>   -> prints "N\n" (no match), "E <rc>\n" (match error) or
 *                                                          "M s0 e0 s1 e1 ... s9 e9\n" (-1 -1 for unset groups)
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_exact(unsigned char *buf, size_t n) {
  return fread(buf, 1, n, stdin) == n;
}

int main(void) {
  pcre2_code *re = NULL;
  pcre2_match_data *md = NULL;
  unsigned char *buf = NULL;
  size_t cap = 0;
  static char out[1 << 16];
  setvbuf(stdout, out, _IOFBF, sizeof out);
  for (;;) {
    int type = fgetc(stdin);
    if (type == EOF) break;
    unsigned char lenb[4];
    if (!read_exact(lenb, 4)) return 2;
    size_t len = (size_t)lenb[0] | ((size_t)lenb[1] << 8) | ((size_t)lenb[2] << 16) | ((size_t)lenb[3] << 24);
    if (len + 1 > cap) {
      cap = len + 1;
      buf = realloc(buf, cap);
      if (!buf) return 3;
    }
    if (len && !read_exact(buf, len)) return 2;
    buf[len] = 0;
    if (type == 'P') {
      if (md) pcre2_match_data_free(md);
      if (re) pcre2_code_free(re);
      md = NULL;
      int err;
      PCRE2_SIZE off;
      /* ModSecurity passes PCRE2_ZERO_TERMINATED; CRS patterns contain no NUL */
      re = pcre2_compile((PCRE2_SPTR)buf, PCRE2_ZERO_TERMINATED, PCRE2_DOTALL | PCRE2_MULTILINE, &err, &off, NULL);
      if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        printf("C ERR %zu %s\n", (size_t)off, (char *)msg);
        continue;
      }
      pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
      md = pcre2_match_data_create_from_pattern(re, NULL);
      uint32_t cc = 0;
      pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &cc);
      printf("C OK %u\n", cc);
    } else if (type == 'S') {
      if (!re) {
        printf("E no-pattern\n");
        continue;
      }
      int rc = pcre2_match(re, (PCRE2_SPTR)buf, len, 0, 0, md, NULL);
      if (rc == PCRE2_ERROR_NOMATCH) {
        printf("N\n");
      } else if (rc < 0) {
        printf("E %d\n", rc);
      } else {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        uint32_t n = pcre2_get_ovector_count(md);
        printf("M");
        for (uint32_t g = 0; g < 10; g++) {
          if (g < n && g < (uint32_t)rc && ov[2 * g] != PCRE2_UNSET)
            printf(" %zu %zu", (size_t)ov[2 * g], (size_t)ov[2 * g + 1]);
          else
            printf(" -1 -1");
        }
        printf("\n");
      }
    } else {
      return 4;
    }
  }
  fflush(stdout);
  return 0;
}
