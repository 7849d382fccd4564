#include "xml/xml_tree.h"

#include <cstring>
#include <string>

namespace kanta::xml {

xmlDoc* TreeOf(const Document& doc) {
  const auto* tree = dynamic_cast<const XmlTree*>(doc.tree.get());
  return tree != nullptr ? tree->doc() : nullptr;
}

bool IsElement(const xmlNode* node, std::string_view ns, std::string_view local) {
  if (node == nullptr || node->type != XML_ELEMENT_NODE) return false;
  if (local != reinterpret_cast<const char*>(node->name)) return false;
  const char* uri = node->ns != nullptr ? reinterpret_cast<const char*>(node->ns->href) : "";
  return ns == uri;
}

xmlNode* FirstChild(const xmlNode* parent, std::string_view ns, std::string_view local) {
  if (parent == nullptr) return nullptr;
  for (xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (IsElement(c, ns, local)) return c;
  }
  return nullptr;
}

std::string Attribute(const xmlNode* node, const char* name) {
  if (node == nullptr) return {};
  for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    if (a->ns == nullptr && std::strcmp(reinterpret_cast<const char*>(a->name), name) == 0) {
      XmlCharPtr v(xmlNodeListGetString(node->doc, a->children, 1));
      return v ? std::string(reinterpret_cast<const char*>(v.get())) : std::string();
    }
  }
  return {};
}

std::string TextOf(const xmlNode* node) {
  if (node == nullptr) return {};
  XmlCharPtr v(xmlNodeGetContent(node));
  return v ? std::string(reinterpret_cast<const char*>(v.get())) : std::string();
}

std::string TrimmedText(const xmlNode* node) {
  const std::string s = TextOf(node);
  const std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

const xmlNode* V3Path(const xmlNode* from, std::initializer_list<const char*> steps) {
  const xmlNode* n = from;
  for (const char* step : steps) {
    n = FirstChild(n, kHl7V3Ns, step);
    if (n == nullptr) return nullptr;
  }
  return n;
}

Result<std::string> Serialize(xmlDoc* doc) {
  xmlChar* out = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc, &out, &size, "UTF-8");
  if (out == nullptr) return Internal("libxml2 could not serialise the document");
  XmlCharPtr owned(out);
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(size));
}

}  // namespace kanta::xml
