// Native libinjection port: the @detectSQLi and @detectXSS operators over raw bytes.
//
//   detectSQLi(ptr, len, fingerprintOut): bool  -- SQLi verdict; on a match the fingerprint (1-5 bytes + NUL) is
//                                                 written to fingerprintOut (8 bytes of room), which ModSecurity
//                                                 v3 stores into TX:0 when the rule has `capture`.
//   detectXSS(ptr, len): bool                   -- XSS verdict. (ModSecurity v3.0.9 captures the whole input into
//                                                 TX:0 for `capture` rules; that is the caller's business.)
//
// Behaviour matches libinjection 3.9.2 as bundled in ModSecurity v3.0.9 (see tests/libinjection/).
export { detectSQLi, lastFingerprintLength } from "./sqli";
export { detectXSS } from "./xss";
