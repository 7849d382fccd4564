// Helpers shared by the signature tests: a test PKI made once per build, a
// fixed clock, parsing into a Document, signing and verifying in memory.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/document.h"
#include "core/finding.h"
#include "crypto/clock.h"
#include "crypto/credentials.h"
#include "crypto/signature_stage.h"
#include "crypto/system_signer.h"
#include "crypto/test_pki.h"

namespace kanta::testing {

// The test PKI (crypto/test_pki.h), generated at test time into the build
// tree on first use and reused by later test processes for a day. Fails the
// calling test when it cannot be made.
const crypto::TestPkiFiles& TestPki();

// The valid system-signature credentials of TestPki() (loaded once).
std::shared_ptr<const crypto::SigningCredentials> SystemCredentials();
// Credentials from another key/certificate pair of TestPki().
std::shared_ptr<const crypto::SigningCredentials> Credentials(const std::string& key,
                                                              const std::string& cert);
// A trust store holding TestPki().ca_cert.
std::shared_ptr<const crypto::TrustStore> TestTrust();

// SignatureOptions trusting TestTrust().
crypto::SignatureOptions Trusted();

// A clock that always says `t`.
class FixedClock final : public crypto::Clock {
 public:
  explicit FixedClock(std::chrono::system_clock::time_point t) : t_(t) {}
  std::chrono::system_clock::time_point Now() const override { return t_; }

 private:
  std::chrono::system_clock::time_point t_;
};

// A sample document of the project (samples/documents/valid/<name>).
std::string Sample(const std::string& name = "01-narrative-public-register.xml");

// Parses `bytes` with the parse stage (tree and header facts). Fails the
// calling test when the parse stage rejects it.
Document Parse(const std::string& bytes, const std::string& source = "test.xml");

// Signs `bytes` with `credentials` (default SystemCredentials()) through the
// SignStage; returns the signed bytes. Fails the test when signing fails.
std::string SignBytes(const std::string& bytes,
                      std::shared_ptr<const crypto::SigningCredentials> credentials = nullptr);

// Parses `bytes` and runs the SignatureStage with `options`.
Report VerifyBytes(const std::string& bytes, const crypto::SignatureOptions& options = {});

// The rule ids of the findings of `report` with at least `min` severity.
std::vector<std::string> Rules(const Report& report, Severity min = Severity::kWarning);
bool HasRule(const Report& report, const std::string& rule);
// All findings as text, for failure messages.
std::string Dump(const Report& report);

// Replaces the first occurrence of `from` in `s` (the test fails when absent).
std::string ReplaceOnce(std::string s, const std::string& from, const std::string& to);

}  // namespace kanta::testing
