// SecureParser: parses untrusted XML into a libxml2 tree, safely.
//
// Never loads a DTD, never expands or fetches entities, never touches the
// network, never processes XInclude; a DOCTYPE declaration is refused
// outright (Kanta documents never carry one). Limits on size, nesting depth,
// attributes per element and parse time are checked per call; all settings
// live in the parser context, so concurrent parses never interfere and no
// process-wide libxml2 state is changed. UTF-8, UTF-16 (with or without BOM)
// and a UTF-8 BOM are accepted.
//
// Each thread keeps one libxml2 parser context and reuses it for the next
// document, so its dictionary of names persists (no rebuilding per
// document); a context whose dictionary has grown large (a document with
// many unique names) is dropped, so memory stays bounded. A tree refers to
// the dictionary of the thread that parsed it: modify and free it on that
// thread (the batch runner does: a document stays on one worker).
//
// Thread-safety: immutable after construction; Parse() may run concurrently
// on different threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

#include "core/finding.h"
#include "core/status.h"
#include "xml/xml_tree.h"

namespace kanta::xml {

struct ParseLimits {
  std::size_t max_bytes = 64u << 20;        // 64 MiB per document
  std::size_t max_depth = 256;              // element nesting
  std::size_t max_attributes = 256;         // attributes on one element
  std::chrono::milliseconds max_time{10000};// wall-clock parse time
};

class SecureParser {
 public:
  explicit SecureParser(ParseLimits limits = {}) : limits_(limits) {}

  // Parses `bytes` (named `name` in messages). On success returns the tree.
  // When the input is refused or is not well-formed, adds findings (stage
  // `stage`) to `report` and returns nullptr. A non-OK Result means libxml2
  // itself failed (e.g. out of memory).
  Result<std::unique_ptr<XmlTree>> Parse(std::string_view bytes, std::string_view name,
                                         std::string_view stage, Report& report) const;

  const ParseLimits& limits() const { return limits_; }

 private:
  ParseLimits limits_;
};

// Frees the calling thread's reusable parser context, if any. LibraryScope
// calls it before libxml2 shuts down; other threads free theirs on exit.
void ReleaseThreadParserContext();

}  // namespace kanta::xml
