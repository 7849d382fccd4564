#include "route/fingerprint_stage.h"

#include "archive/archive.h"

namespace kanta::route {

Result<Verdict> FingerprintStage::Process(Document& doc, Report&) const {
  if (doc.input_sha256.empty() && doc.loaded) doc.input_sha256 = archive::Sha256Hex(doc.bytes);
  return Verdict::kContinue;
}

}  // namespace kanta::route
