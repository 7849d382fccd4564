// StructureGuard: a fast lexical pass over raw XML bytes, run before libxml2.
//
// It refuses what must never reach libxml2 2.9:
//  - a DOCTYPE declaration (no DTD, hence no entity tricks);
//  - a start tag with more attributes than the limit: libxml2 checks
//    duplicate attributes in quadratic time, before any callback of ours
//    could stop it.
// Comments, CDATA sections and processing instructions are skipped, so a
// DOCTYPE or '=' inside them does not count. UTF-8 (with or without BOM) and
// UTF-16 are scanned. The guard does not judge well-formedness (libxml2's
// job) and does not count depth: SecureParser checks depth as libxml2 opens
// each element, at no extra cost.
//
// Thread-safety: a pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kanta::xml {

struct GuardLimits {
  std::size_t max_attributes = 256;
};

struct GuardResult {
  enum class Problem { kNone, kDoctype, kAttributes } problem = Problem::kNone;
  std::int64_t line = 0;   // line of the offending construct (1-based)
  std::size_t value = 0;   // kAttributes: the count reached (limit + 1)
};

// Scans `bytes` once. A start tag is examined closely only when the span up
// to the next '<' is longer than the attribute limit: libxml2 ends a tag's
// attribute list at a '<', and every attribute needs a '=', so a shorter
// span cannot hold too many. On a document that is not well-formed the
// guard may therefore let libxml2 report the error instead.
GuardResult ScanStructure(std::string_view bytes, const GuardLimits& limits);

}  // namespace kanta::xml
