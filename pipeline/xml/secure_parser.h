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
// Thread-safety: immutable after construction; Parse() may run concurrently.
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

}  // namespace kanta::xml
