#include "formats/parse_stage.h"

#include "formats/cda/header_facts.h"
#include "formats/detect.h"
#include "formats/rcmr/archive_message.h"
#include "xml/node_path.h"

namespace kanta::formats {
namespace {

std::string RootName(const xmlNode* root) {
  std::string s;
  if (root->ns != nullptr && root->ns->href != nullptr) {
    s += "{";
    s += reinterpret_cast<const char*>(root->ns->href);
    s += "}";
  }
  s += reinterpret_cast<const char*>(root->name);
  return s;
}

}  // namespace

Result<Verdict> ParseStage::Process(Document& doc, Report& report) const {
  ASSIGN_OR_RETURN(auto tree, parser_.Parse(doc.bytes, doc.source, name(), report));
  if (!tree) return Verdict::kReject;

  const xmlNode* root = tree->root();
  const DocumentKind kind = ClassifyRoot(root);
  switch (kind) {
    case DocumentKind::kCda:
      doc.kind = kind;
      doc.tree = std::move(tree);
      doc.facts = cda::ReadHeaderFacts(xmlDocGetRootElement(xml::TreeOf(doc)));
      return Verdict::kContinue;

    case DocumentKind::kArchiveMessage: {
      doc.kind = kind;
      Result<rcmr::UnwrappedMessage> m = rcmr::UnwrapArchiveMessage(root);
      doc.envelope.kind = reinterpret_cast<const char*>(root->name);
      doc.envelope.id = cda::InstanceId(xml::FirstChild(root, xml::kHl7V3Ns, "id"));
      if (!m.ok()) {
        report.Add(Severity::kFatal, name(), "message.unwrap-failed",
                   "archive message " + doc.envelope.id +
                       ": cannot unwrap the CDA: " + m.status().message(),
                   Location{"/" + doc.envelope.kind + "/controlActProcess/subject/"
                                                      "clinicalDocument/text",
                            0, 0});
        return Verdict::kReject;
      }
      // From here on the document is the CDA; findings refer to its lines,
      // and a hash of the message's bytes no longer describes it.
      doc.bytes = std::move(m->cda);
      doc.input_sha256.clear();
      tree.reset();
      ASSIGN_OR_RETURN(auto inner, parser_.Parse(doc.bytes, doc.source + "#cda", name(), report));
      if (!inner) return Verdict::kReject;
      if (ClassifyRoot(inner->root()) != DocumentKind::kCda) {
        report.Add(Severity::kFatal, name(), "message.no-cda",
                   "archive message " + doc.envelope.id + " carries " +
                       RootName(inner->root()) + ", not a CDA ClinicalDocument");
        return Verdict::kReject;
      }
      doc.tree = std::move(inner);
      doc.facts = cda::ReadHeaderFacts(xmlDocGetRootElement(xml::TreeOf(doc)));
      if (!m->content_id.empty() && !doc.facts.id.empty() && m->content_id != doc.facts.id) {
        report.Add(Severity::kWarning, name(), "message.content-id-mismatch",
                   "the MIME Content-ID <" + m->content_id +
                       "> differs from the CDA document id " + doc.facts.id);
      }
      return Verdict::kContinue;
    }

    case DocumentKind::kFhirXml:
      doc.kind = kind;
      report.Add(Severity::kError, name(), "intake.fhir-not-supported",
                 "FHIR XML resource (" + std::string(reinterpret_cast<const char*>(root->name)) +
                     ") recognised; FHIR validation is not supported yet, so the document was "
                     "not checked");
      report.MarkUnprocessable();
      return Verdict::kReject;

    default: {
      doc.kind = DocumentKind::kOtherXml;
      std::string why = "root element " + RootName(root) +
                        " is not a CDA R2 ClinicalDocument (urn:hl7-org:v3), an HL7 V3 "
                        "archive message (RCMR_IN...) or a FHIR resource";
      if (root->ns == nullptr &&
          std::string_view(reinterpret_cast<const char*>(root->name)) == "ClinicalDocument") {
        why = "root element ClinicalDocument has no namespace; a CDA R2 document must be in "
              "the namespace urn:hl7-org:v3 (add xmlns=\"urn:hl7-org:v3\")";
      }
      report.Add(Severity::kFatal, name(), "intake.unknown-kind", why,
                 Location{xml::NodePath(root), xmlGetLineNo(root), 0});
      return Verdict::kReject;
    }
  }
}

}  // namespace kanta::formats
