// SystemSigner: adds the current Kanta system signature to a CDA document.
//
// The signature is type 3 ("Järjestelmäallekirjoitus / perusjärjestelmä",
// code system 1.2.246.537.5.40127.2006), placed as
//   hl7fi:localHeader/hl7fi:signatureCollection/hl7fi:signature[@ID]
//     hl7fi:signatureDescription, hl7fi:signatureTimestamp[@ID], ds:Signature
// with exclusive c14n, RSA-SHA256, SHA-256 digests, one Reference to
// "#<signatureTimestamp/@ID>" and one to "#<structuredBody/@ID>" (each with
// an exclusive c14n transform), and KeyInfo/X509Data/X509Certificate. The
// body gets ID "OID" + the document id when it has none; localHeader and
// signatureCollection are created in schema order when missing; signatures
// already present are kept (the new one is appended). xmlsec computes the
// digests and the value.
//
// Thread-safety: immutable after construction; the credentials are shared
// read-only and Sign() makes a fresh xmlsec context per call, so Sign() may
// run concurrently on different documents.
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <string>

#include "core/status.h"
#include "crypto/clock.h"
#include "crypto/credentials.h"

namespace kanta::crypto {

// What Sign() did. When the document cannot be signed as it is, `refused`
// names the rule and says why; the tree is then unchanged.
struct SignOutcome {
  bool refused = false;
  std::string rule;  // e.g. "sign.no-structured-body"
  std::string message;
  const xmlNode* location = nullptr;  // where the problem is, when known

  xmlNode* signature = nullptr;  // the new ds:Signature
  std::string signature_id;      // hl7fi:signature/@ID
  std::string timestamp;         // hl7fi:signatureTimestamp text
  std::string body_id;
  bool body_id_added = false;  // the body had no ID and got "OID" + document id
};

class SystemSigner {
 public:
  // Fails when the credentials cannot make Kanta system signatures: the key
  // is not RSA, or the certificate subject has no serialNumber (the
  // organisation OID). `clock` defaults to the system clock.
  static Result<std::unique_ptr<SystemSigner>> Create(
      std::shared_ptr<const SigningCredentials> credentials,
      std::shared_ptr<const Clock> clock = nullptr);

  // Signs the ClinicalDocument in `doc` in place. Data problems (not a CDA,
  // no structuredBody, no document id, duplicate IDs) give a refused outcome
  // and leave the tree as it was; a non-OK Result means xmlsec or OpenSSL
  // failed, and any node added is removed again.
  Result<SignOutcome> Sign(xmlDoc* doc) const;

  const SigningCredentials& credentials() const { return *credentials_; }

 private:
  SystemSigner(std::shared_ptr<const SigningCredentials> credentials,
               std::shared_ptr<const Clock> clock)
      : credentials_(std::move(credentials)), clock_(std::move(clock)) {}

  std::shared_ptr<const SigningCredentials> credentials_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace kanta::crypto
