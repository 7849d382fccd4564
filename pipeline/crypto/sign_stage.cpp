#include "crypto/sign_stage.h"

#include "crypto/kanta_signature.h"
#include "formats/cda/header_facts.h"
#include "xml/node_path.h"
#include "xml/xml_ptr.h"
#include "xml/xml_tree.h"

namespace kanta::crypto {

Result<Verdict> SignStage::Process(Document& doc, Report& report) const {
  xmlDoc* tree = xml::TreeOf(doc);
  if (tree == nullptr ||
      (doc.kind != DocumentKind::kCda && doc.kind != DocumentKind::kArchiveMessage)) {
    return Verdict::kContinue;
  }
  // In ingest, what will not be stored now (refused, already stored) is not signed.
  if (doc.decision && doc.decision->action != Action::kPending) return Verdict::kContinue;
  ASSIGN_OR_RETURN(SignOutcome outcome, signer_->Sign(tree));
  if (outcome.refused) {
    report.Add(Severity::kError, name(), outcome.rule, "cannot sign: " + outcome.message,
               Location{xml::NodePath(outcome.location),
                        outcome.location != nullptr ? xmlGetLineNo(outcome.location) : 0, 0});
    return Verdict::kReject;
  }
  ASSIGN_OR_RETURN(doc.bytes, xml::Serialize(tree));
  doc.bytes_rewritten = true;

  // The organisations the document names, read afresh: an earlier stage
  // (stamping) may have changed them since parsing.
  const HeaderFacts facts = formats::cda::ReadHeaderFacts(xmlDocGetRootElement(tree));
  const std::string& oid = signer_->credentials().info().subject_serial_number;
  if (!SameOrganisation(oid, facts.custodian) && !SameOrganisation(oid, facts.producer) &&
      !SameOrganisation(oid, facts.organiser)) {
    report.Add(Severity::kWarning, name(), "sign.signer-not-named",
               "the signing certificate's organisation " + oid + " is not the custodian (" +
                   facts.custodian + "), producer (" + facts.producer + ") or organiser (" +
                   facts.organiser + ") of the document; verification will refuse the signature",
               Location{xml::NodePath(outcome.signature), xmlGetLineNo(outcome.signature), 0});
  }
  report.Add(Severity::kInfo, name(), "sign.signed",
             "signed as " + outcome.signature_id + " at " + outcome.timestamp + " by " +
                 signer_->credentials().info().subject +
                 (outcome.body_id_added ? "; the body got the ID " + outcome.body_id : ""),
             Location{xml::NodePath(outcome.signature), 0, 0});
  return Verdict::kContinue;
}

}  // namespace kanta::crypto
