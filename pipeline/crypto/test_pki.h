// A test PKI shaped like Kanta's: a CA and organisation system-signature
// certificates, plus the broken variants the signature tests need.
//
// MakeTestPki() writes, into one folder (created if needed):
//   ca.pem, ca.key.pem                 the test CA (self-signed, RSA)
//   system.pem, system.key.pem         a valid system-signature certificate:
//                                      subject C=FI, O=<organisation name>,
//                                      serialNumber=<organisation OID>,
//                                      CN=<system name>; keyUsage
//                                      digitalSignature + nonRepudiation
//   system.p12, system.p12.pass        the same key and certificate (with the
//                                      CA) as PKCS#12, and its password
//   expired.pem / .key.pem             expired a day ago
//   not-yet-valid.pem / .key.pem       valid from a year ahead
//   wrong-key-usage.pem / .key.pem     keyUsage keyEncipherment only
//   unknown-ca.pem / .key.pem          issued by unknown-ca-root.pem, a CA
//                                      nobody trusts
// Every certificate is generated at run time (nothing to commit, nothing
// that expires in the repository). Private keys are written unencrypted with
// mode 0600: they are test keys.
#pragma once

#include <ctime>
#include <string>

#include "core/status.h"

namespace kanta::crypto {

struct TestPkiOptions {
  std::string organisation_oid = "1.2.246.10.90000011.10.0";
  std::string organisation_name = "Pohjanmaan testihyvinvointialue";
  std::string system_name = "kanta-pipeline test system";
  std::string ca_name =
      "kanta-pipeline TEST CA for Service Providers";  // CN: at most 64 characters
  int key_bits = 2048;
  std::time_t now = 0;     // 0 = the current time
  bool overwrite = false;  // replace files that exist; otherwise refuse
};

// Paths of what MakeTestPki wrote.
struct TestPkiFiles {
  std::string dir;
  std::string ca_cert, ca_key;
  std::string system_cert, system_key, system_p12, system_p12_password;
  std::string expired_cert, expired_key;
  std::string not_yet_valid_cert, not_yet_valid_key;
  std::string wrong_key_usage_cert, wrong_key_usage_key;
  std::string unknown_ca_cert, unknown_ca_key, unknown_ca_root;
};

// Generates the keys and certificates into `dir`. Fails when the folder
// cannot be written, when files exist and `overwrite` is off, or when OpenSSL
// fails (the message carries its reasons).
Result<TestPkiFiles> MakeTestPki(const std::string& dir, const TestPkiOptions& options = {});

}  // namespace kanta::crypto
