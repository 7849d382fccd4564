#include "xml/node_path.h"

#include <cstring>
#include <vector>

#include "xml/xml_tree.h"

namespace kanta::xml {
namespace {

bool SameName(const xmlNode* a, const xmlNode* b) {
  if (a->type != XML_ELEMENT_NODE || b->type != XML_ELEMENT_NODE) return false;
  if (std::strcmp(reinterpret_cast<const char*>(a->name), reinterpret_cast<const char*>(b->name)) != 0)
    return false;
  const xmlChar* na = a->ns != nullptr ? a->ns->href : nullptr;
  const xmlChar* nb = b->ns != nullptr ? b->ns->href : nullptr;
  if (na == nullptr || nb == nullptr) return na == nb;
  return xmlStrEqual(na, nb) != 0;
}

void AppendStep(std::string& out, const xmlNode* n) {
  const char* uri = n->ns != nullptr ? reinterpret_cast<const char*>(n->ns->href) : nullptr;
  const char* local = reinterpret_cast<const char*>(n->name);
  out += '/';
  if (uri == nullptr || kHl7V3Ns == uri) {
    out += local;
  } else if (n->ns->prefix != nullptr) {
    out += reinterpret_cast<const char*>(n->ns->prefix);
    out += ':';
    out += local;
  } else if (kHl7FiNs == uri) {
    // Kanta documents often declare these as default namespaces; the
    // conventional prefixes read better than local-name() tests.
    out += "hl7fi:";
    out += local;
  } else if (std::strcmp(uri, "http://www.w3.org/2000/09/xmldsig#") == 0) {
    out += "ds:";
    out += local;
  } else {
    out += "*[local-name()='";
    out += local;
    out += "']";
  }
  std::size_t position = 0, same = 0;
  if (n->parent != nullptr) {
    for (const xmlNode* s = n->parent->children; s != nullptr; s = s->next) {
      if (!SameName(s, n)) continue;
      ++same;
      if (s == n) position = same;
    }
  }
  if (same > 1) {
    out += '[';
    out += std::to_string(position);
    out += ']';
  }
}

}  // namespace

std::string NodePath(const xmlNode* node) {
  if (node == nullptr) return {};
  std::string attr;
  if (node->type == XML_ATTRIBUTE_NODE) {
    attr = "/@";
    attr += reinterpret_cast<const char*>(node->name);
    node = node->parent;
  }
  while (node != nullptr && node->type != XML_ELEMENT_NODE) node = node->parent;
  std::vector<const xmlNode*> chain;
  for (const xmlNode* n = node; n != nullptr && n->type == XML_ELEMENT_NODE; n = n->parent) {
    chain.push_back(n);
  }
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) AppendStep(out, *it);
  return out + attr;
}

}  // namespace kanta::xml
