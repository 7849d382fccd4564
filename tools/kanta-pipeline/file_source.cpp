#include "file_source.h"

#include "formats/intake_stage.h"

namespace kanta::cli {

std::optional<Document> FileSource::Next() {
  std::optional<std::string> path = walk_.Next();
  if (!path) return std::nullopt;
  Document doc;
  doc.source = std::move(*path);
  if (doc.source == "-") {
    Result<std::string> bytes = formats::ReadStandardInput(max_bytes_);
    // A read failure leaves the document unloaded; the intake stage then
    // reports it as unreadable like any other input.
    if (bytes.ok()) {
      doc.bytes = std::move(*bytes);
      doc.loaded = true;
    }
  }
  return doc;
}

}  // namespace kanta::cli
