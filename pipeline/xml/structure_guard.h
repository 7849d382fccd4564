// StructureGuard: a fast lexical pass over raw XML bytes, run before libxml2.
//
// libxml2 2.9 checks duplicate attributes in quadratic time and has no
// per-context depth setting, so structural limits are enforced here, before
// the real parse, in one linear scan. The guard also refuses DOCTYPE
// declarations (no DTD, hence no entity tricks) and notes XInclude use.
// It does not judge well-formedness: that is libxml2's job.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kanta::xml {

struct GuardLimits {
  std::size_t max_depth = 256;
  std::size_t max_attributes = 256;
};

struct GuardResult {
  enum class Problem { kNone, kDoctype, kDepth, kAttributes } problem = Problem::kNone;
  std::int64_t line = 0;        // line of the offending construct (1-based)
  std::size_t value = 0;        // depth or attribute count reached
  bool uses_xinclude = false;   // an XInclude namespace was seen
  std::string encoding;         // "UTF-8", "UTF-16LE", "UTF-16BE"
};

GuardResult ScanStructure(std::string_view bytes, const GuardLimits& limits);

}  // namespace kanta::xml
