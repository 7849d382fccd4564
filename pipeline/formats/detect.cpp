#include "formats/detect.h"

#include <cstring>

#include "xml/xml_tree.h"

namespace kanta::formats {
namespace {

bool LooksUtf16(std::string_view b) {
  if (b.size() < 2) return false;
  const auto c0 = static_cast<unsigned char>(b[0]), c1 = static_cast<unsigned char>(b[1]);
  return (c0 == 0xFE && c1 == 0xFF) || (c0 == 0xFF && c1 == 0xFE) || (c0 == 0 && c1 == '<') ||
         (c0 == '<' && c1 == 0);
}

// Finds `"resourceType" : "Name"` near the start of a JSON text.
std::string ResourceType(std::string_view b) {
  const std::string_view head = b.substr(0, 1 << 16);
  const std::size_t k = head.find("\"resourceType\"");
  if (k == std::string_view::npos) return {};
  std::size_t p = k + 14;
  while (p < head.size() && (head[p] == ' ' || head[p] == '\t' || head[p] == '\r' || head[p] == '\n')) ++p;
  if (p >= head.size() || head[p] != ':') return {};
  ++p;
  while (p < head.size() && (head[p] == ' ' || head[p] == '\t' || head[p] == '\r' || head[p] == '\n')) ++p;
  if (p >= head.size() || head[p] != '"') return {};
  const std::size_t end = head.find('"', p + 1);
  if (end == std::string_view::npos) return {};
  return std::string(head.substr(p + 1, end - p - 1));
}

}  // namespace

Sniffed SniffBytes(std::string_view b) {
  Sniffed s;
  if (b.empty()) return s;
  if (LooksUtf16(b)) {
    s.family = Sniffed::Family::kXml;
    return s;
  }
  std::size_t p = 0;
  if (b.size() >= 3 && std::memcmp(b.data(), "\xEF\xBB\xBF", 3) == 0) p = 3;
  while (p < b.size() && (b[p] == ' ' || b[p] == '\t' || b[p] == '\r' || b[p] == '\n')) ++p;
  if (p == b.size()) return s;  // only white space: empty
  // NUL or most control bytes in the first kilobyte: not a text document.
  const std::string_view head = b.substr(0, 1024);
  for (unsigned char c : head) {
    if (c == 0 || (c < 0x20 && c != '\t' && c != '\r' && c != '\n' && c != '\f')) {
      s.family = Sniffed::Family::kBinary;
      s.kind = DocumentKind::kBinary;
      return s;
    }
  }
  if (b[p] == '<') {
    s.family = Sniffed::Family::kXml;
  } else if (b[p] == '{' || b[p] == '[') {
    s.family = Sniffed::Family::kJson;
    s.detail = ResourceType(b.substr(p));
    s.kind = s.detail.empty() ? DocumentKind::kOtherJson : DocumentKind::kFhirJson;
  } else {
    s.family = Sniffed::Family::kText;
  }
  return s;
}

DocumentKind ClassifyRoot(const xmlNode* root) {
  if (root == nullptr) return DocumentKind::kUnknown;
  const char* ns = root->ns != nullptr ? reinterpret_cast<const char*>(root->ns->href) : "";
  const char* name = reinterpret_cast<const char*>(root->name);
  if (xml::kHl7V3Ns == ns) {
    if (std::strcmp(name, "ClinicalDocument") == 0) return DocumentKind::kCda;
    if (std::strncmp(name, "RCMR_IN", 7) == 0) return DocumentKind::kArchiveMessage;
  }
  if (xml::kFhirNs == ns) return DocumentKind::kFhirXml;
  return DocumentKind::kOtherXml;
}

}  // namespace kanta::formats
