#include "route/route_stage.h"

#include "registers/authorisation.h"
#include "registers/register_resolver.h"
#include "report/report_writer.h"
#include "xml/xml_tree.h"

namespace kanta::route {
namespace {

// One line naming the first problem, for the quarantine reason.
std::string FirstProblem(const Report& report) {
  std::size_t errors = 0;
  const Finding* first = nullptr;
  for (const Finding& f : report.findings()) {
    if (f.severity < Severity::kError) continue;
    ++errors;
    if (first == nullptr) first = &f;
  }
  if (first == nullptr) {
    return report.internal_error().ok() ? "not processed" : report.internal_error().message();
  }
  std::string s = (report.outcome() == Outcome::kError ? "could not be processed: " : "invalid: ") +
                  std::to_string(errors) + (errors == 1 ? " error" : " errors") + "; first [" +
                  first->stage + "/" + first->rule + "] " + first->message;
  if (s.size() > 400) s = s.substr(0, 397) + "...";
  return s;
}

}  // namespace

Result<Verdict> RouteStage::Process(Document& doc, Report& report) const {
  const bool placed = doc.decision && (doc.decision->action == Action::kPending ||
                                       doc.decision->action == Action::kDuplicate);
  if (placed && report.outcome() == Outcome::kValid && report.stopped_at.empty() &&
      xml::TreeOf(doc) != nullptr) {
    return Store(doc, report);
  }
  if (doc.decision && doc.decision->action == Action::kRefused) {
    if (options_.defer_missing_predecessors && doc.decision->rule == "route.predecessor-missing") {
      doc.decision->action = Action::kDeferred;
      report.decision = doc.decision;
      return Verdict::kContinue;
    }
    return SetAside(doc, report, Action::kRefused, doc.decision->reason);
  }
  return SetAside(doc, report, Action::kQuarantined, FirstProblem(report));
}

Result<Verdict> RouteStage::Store(Document& doc, Report& report) const {
  const xmlNode* root = xmlDocGetRootElement(xml::TreeOf(doc));
  const Decision& d = *doc.decision;
  const registers::Subject subject = registers::ReadSubject(root, doc.facts, policy_);

  archive::StoreRequest request;
  archive::DocumentRecord& r = request.record;
  r.id = doc.facts.id;
  r.set_id = doc.facts.set_id;
  r.version = subject.version;
  r.patient = doc.facts.patient;
  r.custodian = d.custodian;
  r.custodian_name = d.custodian_name;
  r.register_code = d.register_code;
  r.register_system = d.register_system;
  r.specifier = d.specifier;
  r.specifier_name = d.specifier_name;
  r.producer = std::string(registers::OidOf(doc.facts.producer));
  r.organiser = d.organiser;
  r.basis = archive::Basis{d.basis_kind, d.basis_document};
  r.document_time = doc.facts.document_time;
  r.form = std::string(registers::AuthorisationFormName(subject.form));
  r.replaces = subject.replaces;
  r.input_sha256 = doc.input_sha256.empty() ? archive::Sha256Hex(doc.bytes) : doc.input_sha256;
  if (!doc.bytes_rewritten) r.sha256 = r.input_sha256;  // stored as received
  r.run_id = options_.run_id;
  request.bytes = doc.bytes;
  request.source = doc.source;

  std::optional<registers::OutsourcingAuthorisation> osva;
  std::optional<registers::RegisterAccessRight> right;
  if (subject.form == registers::AuthorisationForm::kOutsourcing) {
    osva = registers::ReadOutsourcingAuthorisation(root);
    archive::AuthorisationRecord a;
    a.document_id = osva->id;
    a.set_id = osva->set_id;
    a.version = osva->version;
    a.kind = "outsourcing-authorisation";
    a.scope = std::string(registers::OutsourcingTypeName(osva->type));
    a.organiser = osva->organiser;
    a.provider = osva->provider;
    a.patient = osva->patient;
    a.valid_from = osva->validity.low;
    a.valid_to = osva->validity.high;
    a.store_custodian = osva->store.custodian;
    a.store_register = osva->store.register_code;
    a.store_specifier = osva->store.specifier;
    a.invalidated = osva->invalidated;
    request.authorisation = std::move(a);
  } else if (subject.form == registers::AuthorisationForm::kClientRelationship) {
    right = registers::ReadRegisterAccessRight(root);
    archive::AuthorisationRecord a;
    a.document_id = right->id;
    a.set_id = right->set_id;
    a.version = right->version;
    a.kind = "register-access-right";
    a.organiser = right->organiser;
    a.provider = right->provider_unit;
    a.patient = right->client;
    a.valid_from = right->relationship.low;
    a.valid_to = right->relationship.high;
    a.store_custodian = right->custodian;
    a.store_register = right->register_code;
    a.invalidated = right->invalidated;
    request.authorisation = std::move(a);
  }

  ASSIGN_OR_RETURN(archive::StoreOutcome outcome, archive_->Store(request));
  switch (outcome) {
    case archive::StoreOutcome::kStored:
      doc.decision->action = Action::kStored;
      if (osva) authorisations_->Add(*osva);
      if (right) authorisations_->Add(*right);
      break;
    case archive::StoreOutcome::kDuplicate: {
      // Report where the stored one is (it may have been placed otherwise).
      ASSIGN_OR_RETURN(std::optional<archive::DocumentRecord> stored, archive_->Find(r.id));
      Decision& dup = *doc.decision;
      dup.action = Action::kDuplicate;
      if (stored) {
        dup.custodian = stored->custodian;
        dup.custodian_name = stored->custodian_name;
        dup.register_code = stored->register_code;
        dup.register_system = stored->register_system;
        dup.specifier = stored->specifier;
        dup.specifier_name = stored->specifier_name;
        dup.organiser = stored->organiser;
        dup.basis_kind = stored->basis.kind;
        dup.basis_document = stored->basis.document;
      }
      break;
    }
    case archive::StoreOutcome::kConflict: {
      const std::string reason = "a different document with the same id " + r.id +
                                 " is already in the archive (other input bytes)";
      report.Add(Severity::kError, name(), "route.conflict", "refused: " + reason);
      doc.decision->rule = "route.conflict";
      return SetAside(doc, report, Action::kRefused, reason);
    }
  }
  report.decision = doc.decision;
  return Verdict::kContinue;
}

Result<Verdict> RouteStage::SetAside(Document& doc, Report& report, Action action,
                                     std::string reason) const {
  if (!doc.decision) doc.decision = Decision{};
  doc.decision->action = action;
  doc.decision->reason = reason;
  report.decision = doc.decision;

  archive::QuarantineRequest q;
  q.source = doc.source;
  q.document_id = doc.facts.id;
  q.input_sha256 = doc.input_sha256.empty() && doc.loaded ? archive::Sha256Hex(doc.bytes)
                                                          : doc.input_sha256;
  q.reason = std::move(reason);
  q.report_json = report::DocumentJson(report);
  q.bytes = doc.bytes;
  q.run_id = options_.run_id;
  ASSIGN_OR_RETURN(bool fresh, archive_->Quarantine(q));
  (void)fresh;  // a repeat is counted by the archive (times_seen)
  return Verdict::kQuarantine;
}

}  // namespace kanta::route
