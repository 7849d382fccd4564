#include "registers/authorisation.h"

#include <cstdlib>
#include <map>

#include "formats/cda/header_facts.h"
#include "xml/xml_tree.h"

namespace kanta::registers {
namespace {

using formats::cda::InstanceId;
using xml::Attribute;
using xml::FirstChild;
using xml::kHl7FiNs;
using xml::kHl7V3Ns;

// The form's sections keyed by their code in the OSVA form code system. The
// form nests groups (3, 5, 7, ...) around leaves; leaf codes are unique
// across groups, so a flat index serves every field.
class FormIndex {
 public:
  explicit FormIndex(const xmlNode* clinical_document) {
    const xmlNode* body = xml::V3Path(clinical_document, {"component", "structuredBody"});
    Walk(body);
  }

  bool Has(int code) const { return sections_.count(code) != 0; }

  // The observation value of the first section with `code`, or nullptr.
  const xmlNode* Value(int code) const {
    auto it = sections_.find(code);
    if (it == sections_.end()) return nullptr;
    return xml::V3Path(it->second, {"entry", "observation", "value"});
  }
  // The values of every section with `code` (repeatable fields).
  std::vector<const xmlNode*> Values(int code) const {
    std::vector<const xmlNode*> out;
    auto [b, e] = sections_.equal_range(code);
    for (auto it = b; it != e; ++it) {
      if (const xmlNode* v = xml::V3Path(it->second, {"entry", "observation", "value"})) out.push_back(v);
    }
    return out;
  }
  // The narrative text of the first section with `code`.
  std::string Text(int code) const {
    auto it = sections_.find(code);
    if (it == sections_.end()) return {};
    return xml::TrimmedText(FirstChild(it->second, kHl7V3Ns, "text"));
  }

 private:
  void Walk(const xmlNode* n) {
    if (n == nullptr) return;
    for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      if (xml::IsElement(c, kHl7V3Ns, "section")) {
        const xmlNode* code = FirstChild(c, kHl7V3Ns, "code");
        if (Attribute(code, "codeSystem") == kOsvaFormSystem) {
          const std::string value = Attribute(code, "code");
          char* end = nullptr;
          const long k = std::strtol(value.c_str(), &end, 10);
          if (!value.empty() && end != nullptr && *end == 0) sections_.emplace(static_cast<int>(k), c);
        }
      }
      Walk(c);
    }
  }

  std::multimap<int, const xmlNode*> sections_;
};

Period PeriodOf(const xmlNode* ivl) {
  Period p;
  p.low = Attribute(FirstChild(ivl, kHl7V3Ns, "low"), "value");
  p.high = Attribute(FirstChild(ivl, kHl7V3Ns, "high"), "value");
  return p;
}

// "Family, Given" from a PN value.
std::string PersonName(const xmlNode* pn) {
  if (pn == nullptr) return {};
  std::string family = xml::TrimmedText(FirstChild(pn, kHl7V3Ns, "family"));
  std::string given = xml::TrimmedText(FirstChild(pn, kHl7V3Ns, "given"));
  if (family.empty()) return given;
  return given.empty() ? family : family + ", " + given;
}

RegisterRight ReadRight(const FormIndex& form, int group, int custodian, int reg, int spec,
                        int spec_name) {
  RegisterRight r;
  r.granted = form.Has(group);
  r.custodian = InstanceId(form.Value(custodian));
  r.register_code = Attribute(form.Value(reg), "code");
  r.specifier = InstanceId(form.Value(spec));
  r.specifier_name = form.Text(spec_name);
  return r;
}

const xmlNode* LocalHeaderChild(const xmlNode* doc, const char* name) {
  return FirstChild(FirstChild(doc, kHl7FiNs, "localHeader"), kHl7FiNs, name);
}

}  // namespace

std::string_view OutsourcingTypeName(OutsourcingType t) {
  switch (t) {
    case OutsourcingType::kPatientSpecific: return "patient-specific";
    case OutsourcingType::kRegisterSpecific: return "register-specific";
    case OutsourcingType::kUnknown: break;
  }
  return "unknown";
}

std::string_view AuthorisationFormName(AuthorisationForm f) {
  switch (f) {
    case AuthorisationForm::kOutsourcing: return "osva";
    case AuthorisationForm::kClientRelationship: return "client-relationship";
    case AuthorisationForm::kNone: break;
  }
  return "";
}

bool IsSocialWelfareRegisterSystem(std::string_view s) {
  return s == kSocialWelfareRegisterSystem ||
         (s.size() > kSocialWelfareRegisterSystem.size() &&
          s.substr(0, kSocialWelfareRegisterSystem.size()) == kSocialWelfareRegisterSystem &&
          s[kSocialWelfareRegisterSystem.size()] == '.');
}

AuthorisationForm FormOf(const xmlNode* doc, const RegisterPolicy& policy) {
  const xmlNode* toc = LocalHeaderChild(doc, "tableOfContents");
  const bool social = IsSocialWelfareRegisterSystem(Attribute(xml::V3Path(doc, {"code"}), "codeSystem"));
  for (const xmlNode* c = toc != nullptr ? toc->children : nullptr; c != nullptr; c = c->next) {
    if (!xml::IsElement(c, kHl7FiNs, "contentsCode")) continue;
    const std::string system = Attribute(c, "codeSystem");
    const std::string code = Attribute(c, "code");
    if (system == kViewSystem && code == "362") return AuthorisationForm::kOutsourcing;
    if (social && system == kDocumentGroupSystem && code == policy.client_relationship_group) {
      return AuthorisationForm::kClientRelationship;
    }
  }
  return AuthorisationForm::kNone;
}

int VersionOf(const xmlNode* doc) {
  const std::string v = Attribute(xml::V3Path(doc, {"versionNumber"}), "value");
  char* end = nullptr;
  const long n = std::strtol(v.c_str(), &end, 10);
  return (!v.empty() && end != nullptr && *end == 0 && n > 0 && n < 1000000) ? static_cast<int>(n) : 0;
}

bool IsInvalidation(const xmlNode* doc) {
  return Attribute(LocalHeaderChild(doc, "recordStatus"), "code") == "7";
}

OutsourcingAuthorisation ReadOutsourcingAuthorisation(const xmlNode* doc) {
  OutsourcingAuthorisation a;
  a.id = InstanceId(xml::V3Path(doc, {"id"}));
  a.set_id = InstanceId(xml::V3Path(doc, {"setId"}));
  a.version = VersionOf(doc);
  a.invalidated = IsInvalidation(doc);
  const xmlNode* keeper =
      xml::V3Path(doc, {"custodian", "assignedCustodian", "representedCustodianOrganization"});
  a.custodian = InstanceId(FirstChild(keeper, kHl7V3Ns, "id"));
  a.custodian_name = xml::TrimmedText(FirstChild(keeper, kHl7V3Ns, "name"));

  const FormIndex form(doc);
  a.form_id = InstanceId(form.Value(2));
  const std::string type = Attribute(form.Value(4), "code");
  a.type = type == "1"   ? OutsourcingType::kPatientSpecific
           : type == "2" ? OutsourcingType::kRegisterSpecific
                         : OutsourcingType::kUnknown;
  a.validity = PeriodOf(form.Value(6));
  a.organiser = InstanceId(form.Value(8));
  a.organiser_name = form.Text(9);
  a.organiser_unit = InstanceId(form.Value(10));
  a.organiser_unit_name = form.Text(11);
  a.provider = InstanceId(form.Value(13));
  a.provider_name = form.Text(14);
  a.retrieve = ReadRight(form, 15, 16, 17, 18, 19);
  a.store = ReadRight(form, 20, 21, 22, 23, 24);
  a.patient = InstanceId(form.Value(26));
  a.patient_name = PersonName(form.Value(27));
  a.patient_birth_date = Attribute(form.Value(28), "value");
  a.all_documents = Attribute(form.Value(30), "value") == "true";
  a.disclosed_period = PeriodOf(form.Value(31));
  for (const xmlNode* v : form.Values(32)) a.disclosed_service_events.push_back(InstanceId(v));
  a.recorder = InstanceId(form.Value(34));
  a.recorder_name = PersonName(form.Value(35));
  a.recorder_unit = InstanceId(form.Value(36));
  a.recorded_at = Attribute(form.Value(37), "value");
  return a;
}

RegisterAccessRight ReadRegisterAccessRight(const xmlNode* doc) {
  RegisterAccessRight r;
  r.id = InstanceId(xml::V3Path(doc, {"id"}));
  r.set_id = InstanceId(xml::V3Path(doc, {"setId"}));
  r.version = VersionOf(doc);
  r.invalidated = IsInvalidation(doc);
  const xmlNode* code = xml::V3Path(doc, {"code"});
  r.register_code = Attribute(code, "code");
  r.register_system = Attribute(code, "codeSystem");
  const xmlNode* keeper =
      xml::V3Path(doc, {"custodian", "assignedCustodian", "representedCustodianOrganization"});
  r.custodian = InstanceId(FirstChild(keeper, kHl7V3Ns, "id"));
  r.custodian_name = xml::TrimmedText(FirstChild(keeper, kHl7V3Ns, "name"));
  const xmlNode* encounter = xml::V3Path(doc, {"componentOf", "encompassingEncounter"});
  r.organiser = InstanceId(
      xml::V3Path(encounter, {"responsibleParty", "assignedEntity", "representedOrganization", "id"}));
  const xmlNode* unit =
      xml::V3Path(encounter, {"location", "healthCareFacility", "serviceProviderOrganization"});
  r.provider_unit = InstanceId(FirstChild(unit, kHl7V3Ns, "id"));
  r.provider_unit_name = xml::TrimmedText(FirstChild(unit, kHl7V3Ns, "name"));
  r.client = InstanceId(xml::V3Path(doc, {"recordTarget", "patientRole", "id"}));
  r.relationship = PeriodOf(FirstChild(encounter, kHl7V3Ns, "effectiveTime"));
  return r;
}

bool Covers(const Period& period, std::string_view time) {
  const std::string_view day = time.substr(0, 8);
  if (day.size() < 8) return period.low.empty() && period.high.empty();
  if (!period.low.empty() && day < std::string_view(period.low).substr(0, 8)) return false;
  if (!period.high.empty() && day > std::string_view(period.high).substr(0, 8)) return false;
  return true;
}

std::string DisplayDate(std::string_view ts) {
  if (ts.size() < 8) return std::string(ts);
  return std::string(ts.substr(0, 4)) + "-" + std::string(ts.substr(4, 2)) + "-" +
         std::string(ts.substr(6, 2));
}

}  // namespace kanta::registers
