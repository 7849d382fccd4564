// SignatureVerifier: verifies one XML-DSig ds:Signature with xmlsec and
// OpenSSL and says exactly what failed.
//
// It knows XML-DSig, not Kanta: the Kanta rules (which signatures, which
// references may point where, who may sign) are the SignatureStage's. For one
// ds:Signature it checks, in order:
//  1. structure: SignedInfo, CanonicalizationMethod, SignatureMethod, at
//     least one Reference, SignatureValue;
//  2. algorithms against an allow-list (RSA PKCS#1 v1.5 with SHA-1/-224/-256/
//     -384/-512; those digests; inclusive, exclusive and 1.1 c14n with or
//     without comments; enveloped-signature, XPath, XPath Filter 2.0, XSLT);
//     SHA-1 is a warning, or an error under the refuse-SHA-1 policy;
//  3. references: only same-document URIs ("" or "#id");
//  4. the SignatureValue decodes and is as long as the key;
//  5. the signer's key is taken from KeyInfo/X509Data/X509Certificate and
//     nowhere else (never X509SubjectName, KeyName or KeyValue); with a trust
//     store, the certificate must chain to it, be valid at the signature time
//     and carry the required key usage; without one the chain is reported as
//     not checked (a warning);
//  6. cryptography by xmlsec (xmlSecDSigCtxVerify) with that key. When xmlsec
//     says no, every Reference is digested on its own and the SignatureValue
//     checked on its own, so the findings name each failing Reference
//     (digest mismatch, or why it could not be processed) and say whether the
//     SignatureValue holds.
// Same-document IDs ("#x") must be registered on the tree by the caller
// (RegisterId) before Verify(): the caller decides which attributes are IDs.
//
// Thread-safety: the policy is immutable after construction; Verify() may
// run concurrently on different documents (a fresh xmlsec context per call).
// Decoded certificates are cached (a batch is usually signed by few
// certificates, and decoding one costs as much as a c14n of the body); the
// cache is guarded by a mutex and holds at most kCertificateCacheSize.
#pragma once

#include <libxml/tree.h>

#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/finding.h"
#include "core/status.h"
#include "crypto/certificate.h"
#include "crypto/ossl_ptr.h"
#include "crypto/trust_store.h"

namespace kanta::crypto {

// Configuration shared by every verification, set once.
struct VerifierPolicy {
  bool refuse_sha1 = false;  // SHA-1 (digest or signature) is an error, not a warning
};

// Which keyUsage bits the signer's certificate needs when the chain is checked.
struct KeyUsageRule {
  bool digital_signature = false;
  bool non_repudiation = false;
  // When false, a certificate without the keyUsage extension is accepted
  // (X.509: no extension, no restriction).
  bool extension_required = false;
};

// What one verification needs besides the signature itself.
struct VerifyRequest {
  const TrustStore* trust = nullptr;      // null: the chain is not checked
  std::time_t time = 0;                   // when the certificate must be valid; 0 = now
  std::vector<X509*> extra_certificates;  // further intermediates (not trusted; borrowed)
  KeyUsageRule key_usage;
  // Keep the canonical bytes of every reference and of SignedInfo (for
  // coverage checks and --explain). Off, they are kept only when needed.
  bool keep_canonical = false;
};

enum class ReferenceStatus {
  kValid,           // the digest matches
  kDigestMismatch,  // processed; the digest differs
  kFailed,          // could not be processed (unresolved URI, transform error)
  kNotChecked,      // not reached (an earlier check stopped the verification)
};

struct ReferenceOutcome {
  xmlNode* node = nullptr;    // the ds:Reference
  std::string uri;            // as written ("" for the whole document)
  std::string digest_method;  // algorithm URI
  ReferenceStatus status = ReferenceStatus::kNotChecked;
  std::string error;            // why it failed, when kFailed
  std::string computed_digest;  // base64, when processed
  std::string signed_digest;    // DigestValue as written
  std::string canonical;        // pre-digest bytes, when kept
};

struct SignatureOutcome {
  // Problems found, as findings of stage "signature" located at the
  // ds:Signature (or the Reference concerned).
  std::vector<Finding> findings;
  std::vector<ReferenceOutcome> references;
  bool cryptography_checked = false;  // xmlsec ran
  bool cryptography_valid = false;    // xmlsec verified every reference and the value
  bool value_valid = false;           // the SignatureValue holds over SignedInfo
  bool chain_checked = false;         // a trust store was given and the chain was checked
  bool uses_sha1 = false;
  std::string signature_method;  // algorithm URI
  X509Ptr signer;                // the certificate the key came from
  CertificateInfo signer_info;
  std::string canonical_signed_info;  // when kept and the value failed

  // No finding of severity error or fatal.
  bool valid() const;
};

class SignatureVerifier {
 public:
  explicit SignatureVerifier(VerifierPolicy policy = {}) : policy_(policy) {}
  SignatureVerifier(const SignatureVerifier&) = delete;
  SignatureVerifier& operator=(const SignatureVerifier&) = delete;

  // Verifies the ds:Signature element `signature` of `doc`. Data problems are
  // findings in the outcome; a non-OK Result means xmlsec or OpenSSL could
  // not run at all (e.g. out of memory).
  Result<SignatureOutcome> Verify(xmlDoc* doc, xmlNode* signature,
                                  const VerifyRequest& request) const;

  const VerifierPolicy& policy() const { return policy_; }

  static constexpr std::size_t kCertificateCacheSize = 256;

 private:
  struct DecodedCertificate {
    X509Ptr certificate;
    CertificateInfo info;
  };
  // The certificate in the base64 text of an X509Certificate element, decoded
  // once per distinct text. Fails as CertificateFromBase64 does.
  Result<std::shared_ptr<const DecodedCertificate>> Decode(const std::string& base64) const;

  // Constant after construction.
  VerifierPolicy policy_;

  mutable std::mutex mu_;
  // Guarded by mu_: base64 text (whitespace removed) -> decoded certificate.
  mutable std::unordered_map<std::string, std::shared_ptr<const DecodedCertificate>> cache_;
};

// Short names for algorithm URIs in messages ("RSA-SHA256", "exclusive c14n").
std::string AlgorithmName(std::string_view uri);

}  // namespace kanta::crypto
