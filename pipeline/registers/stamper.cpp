#include "registers/stamper.h"

#include <utility>

#include "formats/cda/header_facts.h"
#include "formats/cda/local_header.h"
#include "registers/authorisation.h"
#include "xml/xml_tree.h"

namespace kanta::registers {
namespace {

using formats::cda::EnsureLocalHeader;
using formats::cda::EnsureLocalHeaderChild;
using formats::cda::InstanceId;
using xml::FirstChild;
using xml::kHl7FiNs;
using xml::kHl7V3Ns;

constexpr std::string_view kCustodianTypeSystem = "1.2.246.537.5.40172.2008";

const xmlChar* X(const std::string& s) { return reinterpret_cast<const xmlChar*>(s.c_str()); }

// The v3 child `name` of `parent`, created (appended) when absent.
xmlNode* EnsureChild(xmlNode* parent, const char* name) {
  if (xmlNode* c = FirstChild(parent, kHl7V3Ns, name)) return c;
  return xmlNewChild(parent, parent->ns, reinterpret_cast<const xmlChar*>(name), nullptr);
}

void SetAttribute(xmlNode* n, const char* name, const std::string& value) {
  if (value.empty()) {
    xmlUnsetProp(n, reinterpret_cast<const xmlChar*>(name));
  } else {
    xmlSetProp(n, reinterpret_cast<const xmlChar*>(name), X(value));
  }
}

// Sets an II element from "root^extension"; drops a nullFlavor.
void SetInstanceId(xmlNode* n, std::string_view id) {
  const std::size_t caret = id.find('^');
  SetAttribute(n, "root", std::string(id.substr(0, caret)));
  SetAttribute(n, "extension", caret == std::string_view::npos ? "" : std::string(id.substr(caret + 1)));
  SetAttribute(n, "nullFlavor", "");
}

void SetText(xmlNode* n, const std::string& text) {
  xmlChar* escaped = xmlEncodeSpecialChars(n->doc, X(text));
  xmlNodeSetContent(n, escaped);
  xmlFree(escaped);
}

class Stamp {
 public:
  void InstanceIdAt(xmlNode* n, const std::string& field, const std::string& value) {
    const std::string before = InstanceId(n);
    if (before == value && xml::Attribute(n, "nullFlavor").empty()) return;
    SetInstanceId(n, value);
    changes_.push_back({field, before, value});
  }

  void TextAt(xmlNode* n, const std::string& field, const std::string& value) {
    const std::string before = xml::TrimmedText(n);
    if (before == value) return;
    SetText(n, value);
    changes_.push_back({field, before, value});
  }

  void CodeAt(xmlNode* n, const std::string& field, const std::string& code,
              const std::string& system, const std::string& display) {
    const std::string before = xml::Attribute(n, "code");
    const std::string before_system = xml::Attribute(n, "codeSystem");
    if (before == code && before_system == system) return;
    SetAttribute(n, "nullFlavor", "");
    SetAttribute(n, "code", code);
    SetAttribute(n, "codeSystem", system);
    // A display name or code-system name of the old code would now be wrong.
    SetAttribute(n, "displayName", display);
    SetAttribute(n, "codeSystemName", "");
    changes_.push_back({field, before.empty() ? before : before + " (" + before_system + ")",
                        code + " (" + system + ")"});
  }

  void Remove(xmlNode* header, const char* name) {
    xmlNode* n = FirstChild(header, kHl7FiNs, name);
    if (n == nullptr) return;
    const std::string before = InstanceId(n).empty() ? xml::TrimmedText(n) : InstanceId(n);
    formats::cda::RemoveLocalHeaderChildren(header, name);
    changes_.push_back({std::string("hl7fi:") + name, before, ""});
  }

  std::vector<StampChange> changes() && { return std::move(changes_); }

 private:
  std::vector<StampChange> changes_;
};

}  // namespace

std::string_view HealthRegisterName(std::string_view code) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"1", "Erillissäilytys"},
      {"2", "Julkinen terveydenhuolto"},
      {"3", "Yksityinen terveydenhuolto"},
      {"4", "Työterveyshuolto"},
      {"6", "Ilmoitukset ja tilastorekisterit"},
      {"7", "Potilaan omat asiakirjat"},
      {"8", "Tutkimusrekisterit"},
      {"10", "Ammatinharjoittaja"},
      {"11", "Käytöstä poistetut asiakirjat"},
      {"12", "Tiedonhallintapalvelun asiakirjat"},
      {"13", "Arkistoasiakirjat"},
  };
  for (const auto& [c, name] : kNames) {
    if (c == code) return name;
  }
  return {};
}

std::vector<StampChange> StampHeader(xmlNode* doc, const Decision& d) {
  Stamp stamp;

  xmlNode* org = EnsureChild(
      EnsureChild(EnsureChild(doc, "custodian"), "assignedCustodian"),
      "representedCustodianOrganization");
  stamp.InstanceIdAt(EnsureChild(org, "id"), "custodian/id", d.custodian);
  if (!d.custodian_name.empty()) stamp.TextAt(EnsureChild(org, "name"), "custodian/name", d.custodian_name);

  const std::string display =
      d.register_system == kHealthRegisterSystem ? std::string(HealthRegisterName(d.register_code)) : "";
  stamp.CodeAt(EnsureChild(doc, "code"), "code (register)", d.register_code, d.register_system,
               display);

  xmlNode* header = EnsureLocalHeader(doc);
  if (d.specifier.empty()) {
    stamp.Remove(header, "patientRegistrySpecifier");
    stamp.Remove(header, "patientRegistrySpecifierName");
  } else {
    stamp.InstanceIdAt(EnsureLocalHeaderChild(header, "patientRegistrySpecifier"),
                       "hl7fi:patientRegistrySpecifier", d.specifier);
    if (!d.specifier_name.empty()) {
      stamp.TextAt(EnsureLocalHeaderChild(header, "patientRegistrySpecifierName"),
                   "hl7fi:patientRegistrySpecifierName", d.specifier_name);
    }
  }
  if (!d.custodian_type.empty()) {
    stamp.CodeAt(EnsureLocalHeaderChild(header, "custodianTypeCode"), "hl7fi:custodianTypeCode",
                 d.custodian_type, std::string(kCustodianTypeSystem),
                 d.custodian_type == "1" ? "Julkinen" : "Yksityinen");
  }
  if (!d.organiser.empty()) {
    stamp.InstanceIdAt(EnsureLocalHeaderChild(header, "outsourcingServiceCustomer"),
                       "hl7fi:outsourcingServiceCustomer", d.organiser);
    if (!d.organiser_name.empty()) {
      stamp.TextAt(EnsureLocalHeaderChild(header, "outsourcingServiceCustomerName"),
                   "hl7fi:outsourcingServiceCustomerName", d.organiser_name);
    }
  }
  return std::move(stamp).changes();
}

}  // namespace kanta::registers
