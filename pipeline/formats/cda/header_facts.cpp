#include "formats/cda/header_facts.h"

#include "xml/xml_tree.h"

namespace kanta::formats::cda {
namespace {

using xml::Attribute;
using xml::kHl7V3Ns;

}  // namespace

std::string InstanceId(const xmlNode* ii) {
  if (ii == nullptr) return {};
  std::string root = Attribute(ii, "root");
  const std::string ext = Attribute(ii, "extension");
  if (!ext.empty()) root += "^" + ext;
  return root;
}

HeaderFacts ReadHeaderFacts(const xmlNode* doc) {
  HeaderFacts f;
  if (doc == nullptr) return f;
  f.id = InstanceId(xml::V3Path(doc, {"id"}));
  f.set_id = InstanceId(xml::V3Path(doc, {"setId"}));
  f.version = Attribute(xml::V3Path(doc, {"versionNumber"}), "value");
  f.document_time = Attribute(xml::V3Path(doc, {"effectiveTime"}), "value");
  if (const xmlNode* code = xml::V3Path(doc, {"code"})) {
    f.register_code = Attribute(code, "code");
    f.register_code_system = Attribute(code, "codeSystem");
  }
  f.patient = InstanceId(xml::V3Path(doc, {"recordTarget", "patientRole", "id"}));
  const xmlNode* org =
      xml::V3Path(doc, {"custodian", "assignedCustodian", "representedCustodianOrganization"});
  f.custodian = InstanceId(xml::FirstChild(org, kHl7V3Ns, "id"));
  f.custodian_name = xml::TextOf(xml::FirstChild(org, kHl7V3Ns, "name"));
  const xmlNode* producer = xml::V3Path(doc, {"componentOf", "encompassingEncounter", "responsibleParty",
                                       "assignedEntity", "representedOrganization", "id"});
  if (producer == nullptr) {
    producer = xml::V3Path(doc, {"author", "assignedAuthor", "representedOrganization", "id"});
  }
  f.producer = InstanceId(producer);
  const xmlNode* local = xml::FirstChild(doc, xml::kHl7FiNs, "localHeader");
  f.organiser = InstanceId(xml::FirstChild(local, xml::kHl7FiNs, "outsourcingServiceCustomer"));
  f.organiser_name =
      xml::TextOf(xml::FirstChild(local, xml::kHl7FiNs, "outsourcingServiceCustomerName"));
  return f;
}

}  // namespace kanta::formats::cda
