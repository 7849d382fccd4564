// Readable XPath locations for findings.
#pragma once

#include <libxml/tree.h>

#include <string>

namespace kanta::xml {

// The XPath of `node` from the document root, in the style of the Kanta
// validation service: /ClinicalDocument/component/structuredBody/component[2].
// Elements in urn:hl7-org:v3 (or no namespace) appear unprefixed; others with
// their prefix (hl7fi:localHeader); unprefixed ones in urn:hl7finland or the
// XML-DSig namespace with the conventional hl7fi: or ds:, any other as
// *[local-name()='x']. A position predicate is added only where same-named siblings exist.
// Attribute nodes end in /@name. Returns "" for nullptr.
std::string NodePath(const xmlNode* node);

}  // namespace kanta::xml
