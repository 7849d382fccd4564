#include "crypto/kanta_signature.h"

#include <libxml/valid.h>

#include <cstring>

#include "xml/xml_ptr.h"
#include "xml/xml_tree.h"

namespace kanta::crypto {
namespace {

bool IsIdAttribute(const xmlAttr* a) {
  const char* name = reinterpret_cast<const char*>(a->name);
  if (a->ns == nullptr) return std::strcmp(name, "ID") == 0 || std::strcmp(name, "Id") == 0;
  return std::strcmp(name, "id") == 0 && a->ns->href != nullptr &&
         std::strcmp(reinterpret_cast<const char*>(a->ns->href),
                     "http://www.w3.org/XML/1998/namespace") == 0;
}

int Digits(std::string_view s, std::size_t pos, std::size_t n, bool& ok) {
  int v = 0;
  if (pos + n > s.size()) {
    ok = false;
    return 0;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') ok = false;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

xmlNode* DocumentBody(const xmlNode* clinical_document) {
  return xml::FirstChild(xml::FirstChild(clinical_document, xml::kHl7V3Ns, "component"),
                         xml::kHl7V3Ns, "structuredBody");
}

xmlNode* SignatureCollection(const xmlNode* clinical_document) {
  return xml::FirstChild(xml::FirstChild(clinical_document, xml::kHl7FiNs, "localHeader"),
                         xml::kHl7FiNs, "signatureCollection");
}

DocumentScan::DocumentScan(xmlDoc* doc) {
  xmlNode* root = xmlDocGetRootElement(doc);
  std::vector<std::string> order;
  // Iterative walk: documents may be deep, and recursion is not needed.
  for (xmlNode* n = root; n != nullptr;) {
    if (n->type == XML_ELEMENT_NODE) {
      for (xmlAttr* a = n->properties; a != nullptr; a = a->next) {
        if (!IsIdAttribute(a)) continue;
        std::string v = AttributeValue(a);
        auto& list = ids_[v];
        if (list.empty()) order.push_back(v);
        list.push_back(a);
      }
      if (xml::IsElement(n, xml::kHl7V3Ns, "structuredBody") ||
          xml::IsElement(n, xml::kHl7V3Ns, "nonXMLBody")) {
        bodies_.push_back(n);
      } else if (xml::IsElement(n, kDsigNs, "Signature")) {
        signatures_.push_back(n);
      }
      if (n->children != nullptr) {
        n = n->children;
        continue;
      }
    }
    while (n != root && n->next == nullptr) n = n->parent;
    if (n == root) break;
    n = n->next;
  }
  for (const std::string& v : order) {
    const auto& list = ids_[v];
    if (list.size() > 1) duplicates_.emplace_back(v, list);
  }
}

xmlAttr* DocumentScan::UniqueIdAttribute(std::string_view value) const {
  auto it = ids_.find(std::string(value));
  if (it == ids_.end() || it->second.size() != 1) return nullptr;
  return it->second.front();
}

xmlNode* DocumentScan::ElementWithId(std::string_view value) const {
  xmlAttr* a = UniqueIdAttribute(value);
  return a != nullptr ? a->parent : nullptr;
}

std::string AttributeValue(const xmlAttr* attr) {
  if (attr == nullptr) return {};
  xml::XmlCharPtr v(xmlNodeListGetString(attr->doc, attr->children, 1));
  return v ? std::string(reinterpret_cast<const char*>(v.get())) : std::string();
}

void RegisterId(xmlAttr* attr) {
  if (attr == nullptr || attr->doc == nullptr) return;
  const std::string v = AttributeValue(attr);
  if (v.empty()) return;
  if (xmlGetID(attr->doc, reinterpret_cast<const xmlChar*>(v.c_str())) != nullptr) return;
  // Without a validation context libxml2 reports nothing; a clash (already
  // checked above) would only make the call a no-op.
  xmlAddID(nullptr, attr->doc, reinterpret_cast<const xmlChar*>(v.c_str()), attr);
}

xmlAttr* FindAttribute(const xmlNode* node, const char* name) {
  if (node == nullptr) return nullptr;
  for (xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    if (a->ns == nullptr && std::strcmp(reinterpret_cast<const char*>(a->name), name) == 0) {
      return a;
    }
  }
  return nullptr;
}

std::string FormatDateTime(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<std::time_t> ParseDateTime(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  bool ok = true;
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = Digits(s, 0, 4, ok) - 1900;
  tm.tm_mon = Digits(s, 5, 2, ok) - 1;
  tm.tm_mday = Digits(s, 8, 2, ok);
  tm.tm_hour = Digits(s, 11, 2, ok);
  tm.tm_min = Digits(s, 14, 2, ok);
  tm.tm_sec = Digits(s, 17, 2, ok);
  if (!ok || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
      tm.tm_hour > 24 || tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  long offset = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      // UTC
    } else if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.size() && s[pos + 3] == ':') {
      const int h = Digits(s, pos + 1, 2, ok);
      const int m = Digits(s, pos + 4, 2, ok);
      if (!ok || h > 14 || m > 59) return std::nullopt;
      offset = (h * 60L + m) * 60L * (s[pos] == '+' ? 1 : -1);
    } else {
      return std::nullopt;
    }
  }
  return timegm(&tm) - offset;
}

std::string_view OidOf(std::string_view instance_id) {
  const std::size_t caret = instance_id.find('^');
  return caret == std::string_view::npos ? instance_id : instance_id.substr(0, caret);
}

std::string_view OrganisationRoot(std::string_view oid) {
  // "<root>.10.<n>" or "<root>.19.<n>": drop the last two arcs.
  const std::size_t last = oid.rfind('.');
  if (last == std::string_view::npos || last + 1 >= oid.size()) return oid;
  const std::size_t second = oid.rfind('.', last - 1);
  if (second == std::string_view::npos) return oid;
  const std::string_view kind = oid.substr(second + 1, last - second - 1);
  if (kind != "10" && kind != "19") return oid;
  return oid.substr(0, second);
}

bool SameOrganisation(std::string_view signer_oid, std::string_view named_oid) {
  signer_oid = OidOf(signer_oid);
  named_oid = OidOf(named_oid);
  if (signer_oid.empty() || named_oid.empty()) return false;
  if (signer_oid == named_oid) return true;
  const std::string_view root = OrganisationRoot(signer_oid);
  return root != signer_oid && root == OrganisationRoot(named_oid);
}

}  // namespace kanta::crypto
