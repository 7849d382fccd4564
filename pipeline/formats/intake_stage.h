// IntakeStage ("intake"): reads a document's bytes and recognises its family.
//
// Reads the file named by Document::source (unless the bytes arrived with the
// document, as from standard input), refusing files over the size limit
// before reading them. Then sniffs the bytes: XML goes on to the parse stage;
// FHIR JSON is reported as not supported yet; other JSON, plain text, binary
// data and empty files are refused with a finding saying what they are.
//
// Thread-safety: immutable; Process() may run concurrently.
#pragma once

#include <cstddef>

#include "core/stage.h"

namespace kanta::formats {

struct IntakeOptions {
  std::size_t max_bytes = 64u << 20;  // refuse larger inputs unread
};

class IntakeStage final : public Stage {
 public:
  explicit IntakeStage(IntakeOptions options) : options_(options) {}
  std::string_view name() const override { return "intake"; }
  Result<Verdict> Process(Document& doc, Report& report) const override;

 private:
  IntakeOptions options_;
};

// Reads at most `max_bytes` + 1 bytes of standard input (one more than the
// limit, so an oversize input is still recognised as such).
Result<std::string> ReadStandardInput(std::size_t max_bytes);

}  // namespace kanta::formats
