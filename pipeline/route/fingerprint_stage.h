// FingerprintStage ("fingerprint"): remembers the input bytes' SHA-256.
//
// Ingest tells a re-stored document (duplicate) from a different document
// with the same id (conflict) by the bytes as received, because stamping and
// signing change the bytes that are stored. This stage runs before stamping
// and records the hash in Document::input_sha256.
//
// Thread-safety: stateless; Process() may run concurrently.
#pragma once

#include "core/stage.h"

namespace kanta::route {

class FingerprintStage final : public Stage {
 public:
  std::string_view name() const override { return "fingerprint"; }
  Result<Verdict> Process(Document& doc, Report& report) const override;
};

}  // namespace kanta::route
