#include "formats/rcmr/archive_message_writer.h"

#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>

#include <sstream>

#include "formats/cda/header_facts.h"
#include "xml/xml_tree.h"

namespace kanta::formats::rcmr {
namespace {

using xml::Attribute;
using xml::FirstChild;
using xml::kHl7V3Ns;

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// <name root="..." extension="..."/> from "root^extension".
std::string Ii(const char* name, std::string_view id) {
  const std::size_t caret = id.find('^');
  std::string s = std::string("<") + name + " root=\"" + Escape(id.substr(0, caret)) + "\"";
  if (caret != std::string_view::npos) s += " extension=\"" + Escape(id.substr(caret + 1)) + "\"";
  return s + "/>";
}

// The element `n` re-emitted with the attributes the metadata copy needs.
std::string CodeLike(const char* name, const xmlNode* n) {
  if (n == nullptr) return {};
  std::string s = std::string("<") + name;
  for (const char* a : {"code", "codeSystem", "displayName", "value", "nullFlavor"}) {
    const std::string v = Attribute(n, a);
    if (!v.empty()) s += std::string(" ") + a + "=\"" + Escape(v) + "\"";
  }
  return s + "/>";
}

Result<std::string> Base64Lines(std::string_view bytes) {
  try {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(76);
    encoder.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    encoder.close();
    return out.str();
  } catch (const Poco::Exception& e) {
    return Internal("base64 encoding failed: " + e.displayText());
  }
}

}  // namespace

Result<std::string> WrapArchiveMessage(const xmlNode* doc, std::string_view cda,
                                       const MessageOptions& o) {
  const std::string id = cda::InstanceId(FirstChild(doc, kHl7V3Ns, "id"));
  if (id.empty()) return InvalidArgument("the document has no id; no archive message can name it");
  const xmlNode* related = nullptr;
  for (const xmlNode* c = doc->children; c != nullptr; c = c->next) {
    if (xml::IsElement(c, kHl7V3Ns, "relatedDocument") && Attribute(c, "typeCode") == "RPLC") {
      related = c;
      break;
    }
  }
  const bool replacement = related != nullptr;
  const std::string interaction = replacement ? "RCMR_IN100016FI01" : "RCMR_IN100002FI01";
  const std::string trigger = replacement ? "RCMR_TE000910UV01" : "RCMR_TE000102UV01";
  const std::string device = o.sender_device.empty() ? o.sender_organisation : o.sender_device;
  const std::string boundary = "----=_Part_kanta_" + id;
  ASSIGN_OR_RETURN(std::string base64, Base64Lines(cda));

  std::string m = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  m += "<" + interaction + " xmlns=\"urn:hl7-org:v3\" ITSVersion=\"XML_1.0\">\n";
  m += "  " + Ii("id", device + ".13^" + id) + "\n";
  m += "  <creationTime value=\"" + Escape(o.creation_time) + "\"/>\n";
  m += "  <versionCode code=\"V3-2006\"/>\n";
  m += "  <interactionId root=\"2.16.840.1.113883.1.6\" extension=\"" + interaction + "\"/>\n";
  m += "  <profileId root=\"1.2.246.777.11.2015.5\"/>\n  <profileId root=\"1.2.246.777.11.2008.10\"/>\n";
  m += "  <processingCode code=\"D\"/>\n  <processingModeCode code=\"T\"/>\n  <acceptAckCode code=\"ER\"/>\n";
  m += "  <receiver typeCode=\"RCV\"><device><id root=\"1.2.246.556.18007.2\"/></device></receiver>\n";
  m += "  <sender typeCode=\"SND\"><device>" + Ii("id", device) + "</device></sender>\n";
  m += "  <controlActProcess moodCode=\"RQO\">\n";
  m += "    <code code=\"" + trigger + "\" codeSystem=\"2.16.840.1.113883.1.18\"/>\n";
  m += "    <reasonCode code=\"PP1\" codeSystem=\"1.2.246.537.5.40157.2008\" "
       "displayName=\"Arkistoi palvelujen antajan omia asiakirjoja\"/>\n";
  m += "    <authorOrPerformer typeCode=\"PRF\"><assignedPerson><representedOrganization>" +
       Ii("id", o.sender_organisation) + "</representedOrganization></assignedPerson></authorOrPerformer>\n";
  m += "    <subject typeCode=\"SUBJ\">\n      <clinicalDocument>\n";
  m += "        " + Ii("id", id) + "\n";
  m += "        " + CodeLike("code", FirstChild(doc, kHl7V3Ns, "code")) + "\n";
  m += "        <text mediaType=\"multipart/related\">MIME-Version: 1.0\n";
  m += "Content-Type: multipart/related; boundary=\"" + Escape(boundary) + "\"\n\n";
  m += "--" + Escape(boundary) + "\nContent-Type: text/xml; charset=UTF-8\n";
  m += "Content-Transfer-Encoding: BASE64\nContent-ID: &lt;" + Escape(id) + "&gt;\n\n";
  m += base64 + "\n--" + Escape(boundary) + "--\n</text>\n";
  m += "        <statusCode code=\"completed\"/>\n";
  m += "        " + CodeLike("effectiveTime", FirstChild(doc, kHl7V3Ns, "effectiveTime")) + "\n";
  m += "        " + CodeLike("confidentialityCode", FirstChild(doc, kHl7V3Ns, "confidentialityCode")) + "\n";
  if (replacement) {
    m += "        <reasonCode code=\"1\" codeSystem=\"1.2.246.537.5.40178.2008\" displayName=\"Korjaus\"/>\n";
  }
  m += "        " + CodeLike("languageCode", FirstChild(doc, kHl7V3Ns, "languageCode")) + "\n";
  m += "        " + Ii("setId", cda::InstanceId(FirstChild(doc, kHl7V3Ns, "setId"))) + "\n";
  m += "        " + CodeLike("versionNumber", FirstChild(doc, kHl7V3Ns, "versionNumber")) + "\n";
  m += "        <completionCode code=\"LA\" codeSystem=\"1.2.246.537.5.40115.2006\"/>\n";
  m += "        <storageCode code=\"AC\" codeSystem=\"1.2.246.537.5.40116.2006\"/>\n";
  const HeaderFacts facts = cda::ReadHeaderFacts(doc);
  if (!facts.patient.empty()) {
    m += "        <recordTarget><patient>" + Ii("id", facts.patient) +
         "<statusCode code=\"active\"/></patient></recordTarget>\n";
  }
  if (!facts.custodian.empty()) {
    m += "        <custodian><assignedCustodian><representedCustodianOrganization>" +
         Ii("id", facts.custodian) + "<name>" + Escape(facts.custodian_name) +
         "</name></representedCustodianOrganization></assignedCustodian></custodian>\n";
  }
  if (replacement) {
    const xmlNode* parent = FirstChild(related, kHl7V3Ns, "parentDocument");
    m += "        <relatedDocument typeCode=\"RPLC\"><parentDocument>" +
         Ii("id", cda::InstanceId(FirstChild(parent, kHl7V3Ns, "id"))) + Ii("setId", facts.set_id) +
         CodeLike("versionNumber", FirstChild(parent, kHl7V3Ns, "versionNumber")) +
         "</parentDocument></relatedDocument>\n";
  }
  m += "      </clinicalDocument>\n    </subject>\n  </controlActProcess>\n</" + interaction + ">\n";
  return m;
}

}  // namespace kanta::formats::rcmr
