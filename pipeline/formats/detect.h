// Kind detection: what a document is, from its first bytes and its root.
#pragma once

#include <libxml/tree.h>

#include <string>
#include <string_view>

#include "core/document.h"

namespace kanta::formats {

// What the raw bytes look like before any parse.
struct Sniffed {
  enum class Family { kXml, kJson, kText, kBinary, kEmpty } family = Family::kEmpty;
  DocumentKind kind = DocumentKind::kUnknown;  // kFhirJson / kOtherJson for JSON
  std::string detail;                          // e.g. the FHIR resourceType
};

// Looks at the first bytes (BOMs and leading white space skipped).
Sniffed SniffBytes(std::string_view bytes);

// Classifies a parsed XML document by its root element.
DocumentKind ClassifyRoot(const xmlNode* root);

}  // namespace kanta::formats
