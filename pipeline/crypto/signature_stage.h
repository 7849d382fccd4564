// SignatureStage ("signature"): verifies every Kanta signature of a document.
//
// Runs on documents whose tree is a CDA (directly or unwrapped from an
// archive message). A document without hl7fi:signatureCollection has nothing
// to verify and gets no finding (unless `require_signature` is set, as the
// verify command does). Otherwise, before any cryptography:
//  - every ID-like attribute value (ID, Id, xml:id) must be unique in the
//    whole document (signature.duplicate-id);
//  - the only structuredBody/nonXMLBody is /ClinicalDocument/component/...
//    (a second one elsewhere, e.g. in an hl7fi:product wildcard, is a moved
//    signed body: signature.wrapping);
//  - ID attributes are registered only on the body, on signatureTimestamp and
//    on multipleDocumentSignature, so a "#id" reference can reach nothing
//    else; a reference that names any other element is signature.wrapping.
// Then every ds:Signature inside hl7fi:signatureCollection/hl7fi:signature is
// verified by SignatureVerifier (key from X509Certificate; chain, validity at
// the signatureTimestamp time and key usage checked against --trust when
// given), and the Kanta policy applied: some reference must cover the body
// (signature.body-not-covered), the signatureTimestamp must be a valid
// xs:dateTime (signature.timestamp), and for system signatures (types 3, 4
// or unmarked) the certificate's serialNumber must be the OID of an
// organisation the document names: custodian, producer or organiser, or one
// under the same organisation root (signature.signer-not-named). A verified
// signature gets an info finding saying what was checked. With an explain
// folder, the canonical bytes of every failing reference (and of SignedInfo
// when the value fails) are written there. docs/signatures.md lists every
// rule id.
//
// Thread-safety: immutable; Process() may run concurrently (the trust store
// is shared read-only; every verification has its own xmlsec context).
#pragma once

#include <memory>
#include <string>

#include "core/stage.h"
#include "crypto/signature_verifier.h"
#include "crypto/trust_store.h"

namespace kanta::crypto {

struct SignatureOptions {
  std::shared_ptr<const TrustStore> trust;  // null: chains not checked (a warning each)
  bool refuse_sha1 = false;                 // SHA-1 is an error instead of a warning
  std::string explain_dir;                  // "" = do not write canonical bytes
  bool require_signature = false;           // an unsigned document is an error
};

class SignatureStage final : public Stage {
 public:
  explicit SignatureStage(SignatureOptions options)
      : options_(std::move(options)), verifier_(VerifierPolicy{options_.refuse_sha1}) {}
  std::string_view name() const override { return "signature"; }
  Result<Verdict> Process(Document& doc, Report& report) const override;

 private:
  SignatureOptions options_;
  SignatureVerifier verifier_;
};

}  // namespace kanta::crypto
