// XmlTree: the libxml2 document a Document carries once it has been parsed.
#pragma once

#include <initializer_list>
#include <string_view>

#include "core/document.h"
#include "core/status.h"
#include "xml/xml_ptr.h"

namespace kanta::xml {

class XmlTree final : public ParsedTree {
 public:
  explicit XmlTree(DocPtr doc) : doc_(std::move(doc)) {}
  xmlDoc* doc() const { return doc_.get(); }
  xmlNode* root() const { return xmlDocGetRootElement(doc_.get()); }

 private:
  DocPtr doc_;
};

// The parsed libxml2 tree of `doc`, or nullptr when it has none.
xmlDoc* TreeOf(const Document& doc);

// Namespace URIs used throughout the project.
inline constexpr std::string_view kHl7V3Ns = "urn:hl7-org:v3";
inline constexpr std::string_view kHl7FiNs = "urn:hl7finland";
inline constexpr std::string_view kFhirNs = "http://hl7.org/fhir";
inline constexpr std::string_view kXsiNs = "http://www.w3.org/2001/XMLSchema-instance";

// True when `node` is an element named `local` in namespace `ns`.
bool IsElement(const xmlNode* node, std::string_view ns, std::string_view local);
// First child element named `local` in namespace `ns`, or nullptr.
xmlNode* FirstChild(const xmlNode* parent, std::string_view ns, std::string_view local);
// Value of an attribute without namespace, or "" when absent.
std::string Attribute(const xmlNode* node, const char* name);
// Text content of a node (all descendant text), or "".
std::string TextOf(const xmlNode* node);
// TextOf without leading and trailing white space.
std::string TrimmedText(const xmlNode* node);
// Follows a path of urn:hl7-org:v3 child elements from `from`, taking the
// first match at each step; nullptr as soon as a step is missing.
const xmlNode* V3Path(const xmlNode* from, std::initializer_list<const char*> steps);

// The whole document serialised as UTF-8 XML (with an XML declaration), as a
// stage that changed the tree stores it back into Document::bytes. Fails
// only when libxml2 cannot allocate the output.
Result<std::string> Serialize(xmlDoc* doc);

}  // namespace kanta::xml
