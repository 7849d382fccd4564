#include "formats/cda/local_header.h"

#include <algorithm>
#include <string>

#include "xml/xml_tree.h"

namespace kanta::formats::cda {
namespace {

const xmlChar* X(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

std::size_t OrderOf(std::string_view name) {
  return static_cast<std::size_t>(
      std::find(kLocalHeaderOrder.begin(), kLocalHeaderOrder.end(), name) -
      kLocalHeaderOrder.begin());
}

// The urn:hl7finland namespace in scope at `node`, declared on `node` when
// none is: declaring it locally leaves every other element's canonical form
// (and so existing signatures) untouched.
xmlNs* FinnishNs(xmlNode* node) {
  const std::string href(xml::kHl7FiNs);
  if (xmlNs* ns = xmlSearchNsByHref(node->doc, node, X(href.c_str()))) return ns;
  return xmlNewNs(node, X(href.c_str()), X("hl7fi"));
}

}  // namespace

xmlNode* EnsureLocalHeader(xmlNode* doc) {
  if (xmlNode* existing = xml::FirstChild(doc, xml::kHl7FiNs, "localHeader")) return existing;
  xmlNode* header = xmlNewNode(nullptr, X("localHeader"));
  if (xmlNode* component = xml::FirstChild(doc, xml::kHl7V3Ns, "component")) {
    xmlAddPrevSibling(component, header);
  } else {
    xmlAddChild(doc, header);
  }
  const std::string href(xml::kHl7FiNs);
  xmlNs* ns = xmlSearchNsByHref(doc->doc, doc, X(href.c_str()));
  if (ns == nullptr) ns = xmlNewNs(header, X(href.c_str()), X("hl7fi"));
  xmlSetNs(header, ns);
  return header;
}

xmlNode* EnsureLocalHeaderChild(xmlNode* header, std::string_view name) {
  if (xmlNode* existing = xml::FirstChild(header, xml::kHl7FiNs, name)) return existing;
  const std::size_t order = OrderOf(name);
  xmlNode* next = nullptr;  // the first child that comes after `name` in schema order
  for (xmlNode* c = header->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || c->ns == nullptr ||
        std::string_view(reinterpret_cast<const char*>(c->ns->href)) != xml::kHl7FiNs) {
      continue;
    }
    if (OrderOf(reinterpret_cast<const char*>(c->name)) > order) {
      next = c;
      break;
    }
  }
  const std::string local(name);
  xmlNode* element = xmlNewNode(FinnishNs(header), X(local.c_str()));
  if (next != nullptr) {
    xmlAddPrevSibling(next, element);
  } else {
    xmlAddChild(header, element);
  }
  return element;
}

int RemoveLocalHeaderChildren(xmlNode* header, std::string_view name) {
  int removed = 0;
  for (xmlNode* c = header->children; c != nullptr;) {
    xmlNode* next = c->next;
    if (xml::IsElement(c, xml::kHl7FiNs, name)) {
      xmlUnlinkNode(c);
      xmlFreeNode(c);
      ++removed;
    }
    c = next;
  }
  return removed;
}

}  // namespace kanta::formats::cda
