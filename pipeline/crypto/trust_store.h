// TrustStore: the CA certificates a signer's certificate must chain to.
//
// Loaded once from PEM (or DER) files given with --trust; immutable after
// loading and shared read-only by all threads. Check() builds and verifies a
// chain with OpenSSL in a fresh X509_STORE_CTX per call, at a given time (the
// signature time), so concurrent checks never interfere.
#pragma once

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "crypto/ossl_ptr.h"

namespace kanta::crypto {

// What a chain check found.
struct ChainCheck {
  enum class Problem {
    kNone,         // the chain reaches a trusted CA and every certificate is valid then
    kExpired,      // a certificate of the chain had expired at that time
    kNotYetValid,  // a certificate of the chain was not yet valid at that time
    kUntrusted,    // no chain to a trusted CA (unknown issuer, self-signed, bad signature)
  };
  Problem problem = Problem::kNone;
  int depth = 0;                   // 0 = the signer's certificate, 1 = its issuer, ...
  std::string subject;             // of the certificate at `depth`
  std::string reason;              // OpenSSL's explanation
  std::vector<std::string> chain;  // subjects, signer first (when built)
  bool ok() const { return problem == Problem::kNone; }
};

class TrustStore {
 public:
  // Loads every certificate in `files` as a trust anchor. An empty list gives
  // a store that trusts nothing. Fails when a file is unreadable or holds no
  // certificate.
  static Result<std::shared_ptr<const TrustStore>> Load(const std::vector<std::string>& files);

  // Checks that `leaf` chains to a trusted CA, using `untrusted` as
  // intermediates, with every certificate valid at `at`. Non-OK only when
  // OpenSSL could not run the check.
  Result<ChainCheck> Check(X509* leaf, const std::vector<X509*>& untrusted, std::time_t at) const;

  std::size_t anchors() const { return anchors_; }
  const std::vector<std::string>& files() const { return files_; }

 private:
  TrustStore() = default;

  X509StorePtr store_;
  std::size_t anchors_ = 0;
  std::vector<std::string> files_;
};

}  // namespace kanta::crypto
