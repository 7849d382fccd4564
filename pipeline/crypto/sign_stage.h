// SignStage ("sign"): signs each CDA document with a SystemSigner.
//
// Runs on documents whose tree is a CDA (directly or unwrapped from an
// archive message). The signer (key and certificate loaded once) is shared
// read-only; each call makes its own xmlsec context. Contract relied on by
// the pipelines that use this stage: after signing, the stage re-serialises
// the tree into Document::bytes (UTF-8, no re-indentation) before returning,
// so bytes and tree always agree, and the signature verifies after the bytes
// are parsed again. In ingest, a document the resolver did not place for
// storing (refused, already stored) is left unsigned. A document that cannot be signed as it is (no body, no
// document id, duplicate IDs) is rejected with a finding saying why; a
// signer certificate whose organisation OID the document does not name is a
// warning (verification would refuse it).
//
// Thread-safety: immutable; Process() may run concurrently.
#pragma once

#include <memory>

#include "core/stage.h"
#include "crypto/system_signer.h"

namespace kanta::crypto {

class SignStage final : public Stage {
 public:
  explicit SignStage(std::shared_ptr<const SystemSigner> signer) : signer_(std::move(signer)) {}
  std::string_view name() const override { return "sign"; }
  Result<Verdict> Process(Document& doc, Report& report) const override;

 private:
  std::shared_ptr<const SystemSigner> signer_;
};

}  // namespace kanta::crypto
