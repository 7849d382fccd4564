#include "route/route_stage.h"

#include "registers/authorisation.h"
#include "registers/register_resolver.h"
#include "report/report_writer.h"
#include "route/archive_lookup.h"
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

archive::AuthorisationRecord Summary(const registers::OutsourcingAuthorisation& a) {
  archive::AuthorisationRecord r;
  r.document_id = a.id;
  r.set_id = a.set_id;
  r.version = a.version;
  r.kind = "outsourcing-authorisation";
  r.scope = std::string(registers::OutsourcingTypeName(a.type));
  r.organiser = a.organiser;
  r.provider = a.provider;
  r.patient = a.patient;
  r.valid_from = a.validity.low;
  r.valid_to = a.validity.high;
  r.store_custodian = a.store.custodian;
  r.store_register = a.store.register_code;
  r.store_specifier = a.store.specifier;
  r.invalidated = a.invalidated;
  return r;
}

archive::AuthorisationRecord Summary(const registers::RegisterAccessRight& a) {
  archive::AuthorisationRecord r;
  r.document_id = a.id;
  r.set_id = a.set_id;
  r.version = a.version;
  r.kind = "register-access-right";
  r.organiser = a.organiser;
  r.provider = a.provider_unit;
  r.patient = a.client;
  r.valid_from = a.relationship.low;
  r.valid_to = a.relationship.high;
  r.store_custodian = a.custodian;
  r.store_register = a.register_code;
  r.invalidated = a.invalidated;
  return r;
}

}  // namespace

// Finishes a stored document's report once its batch has committed.
class StoreCompletion final : public Completion {
 public:
  StoreQueue::Outcome outcome;
  std::shared_ptr<StoreQueue> queue;
  std::shared_ptr<archive::Archive> archive;
  std::shared_ptr<registers::AuthorisationStore> authorisations;
  std::shared_ptr<const Outbox> outbox;
  std::optional<registers::OutsourcingAuthorisation> osva;
  std::optional<registers::RegisterAccessRight> right;
  std::string message;  // the archive message, when there is an outbox
  std::shared_ptr<const archive::StoreRequest> request;  // its bytes go to quarantine on a conflict
  std::string run_id;

  void Complete(Report& report) override {
    const Result<archive::StoreOutcome>& stored = queue->Wait(outcome);
    if (!stored.ok()) {
      Fail(report, "storing failed: " + stored.status().message(), stored.status());
      return;
    }
    Decision& d = *report.decision;
    switch (*stored) {
      case archive::StoreOutcome::kStored:
        d.action = Action::kStored;
        if (osva) authorisations->Add(*osva);
        if (right) authorisations->Add(*right);
        if (outbox) {
          Result<std::string> path = outbox->Write(request->record.id, message);
          if (!path.ok()) {
            Fail(report, path.status().message(), path.status());
            return;
          }
          report.Add(Severity::kInfo, "route", "outbox.message-written",
                     "archive message written: " + *path);
        }
        break;
      case archive::StoreOutcome::kDuplicate: {
        // Report where the stored one is (it may have been placed otherwise).
        d.action = Action::kDuplicate;
        if (d.stored_before) break;  // placed from the stored row already
        Result<std::optional<archive::DocumentRecord>> found = archive->Find(request->record.id);
        if (found.ok() && *found) registers::PlaceAsDuplicate(PlacementOf(**found), d);
        break;
      }
      case archive::StoreOutcome::kConflict: {
        const std::string reason =
            request->known_duplicate
                ? "the document " + request->record.id +
                      " was in the archive when it was read and is no longer (removed during the "
                      "run?): run the batch again to store it"
                : "a different document with the same id " + request->record.id +
                      " is already in the archive (other input bytes)";
        report.Add(Severity::kError, "route", "route.conflict", "refused: " + reason);
        d.rule = "route.conflict";
        Status s = SetAside(*archive, run_id, request->source, request->record.id,
                            request->record.input_sha256, request->bytes, report, Action::kRefused,
                            reason);
        if (!s.ok()) Fail(report, "quarantine failed: " + s.message(), s);
        return;
      }
    }
  }

 private:
  void Fail(Report& report, const std::string& why, const Status& status) {
    report.Add(Severity::kFatal, "route", "internal.route-failed",
               "the document could not be routed: " + why);
    report.SetInternalError(status);
  }
};

Status SetAside(archive::Archive& archive, const std::string& run_id, const std::string& source,
                const std::string& document_id, const std::string& input_sha256, std::string bytes,
                Report& report, Action action, std::string reason) {
  if (!report.decision) report.decision = Decision{};
  report.decision->action = action;
  report.decision->reason = reason;
  archive::QuarantineRequest q;
  q.source = source;
  q.document_id = document_id;
  q.input_sha256 = input_sha256;
  q.reason = std::move(reason);
  q.report_json = report::DocumentJson(report);
  q.bytes = std::move(bytes);
  q.run_id = run_id;
  ASSIGN_OR_RETURN(bool fresh, archive.Quarantine(q));
  (void)fresh;  // a repeat is counted by the archive (times_seen)
  return Status::Ok();
}

Result<Verdict> RouteStage::Process(Document& doc, Report& report) const {
  if (doc.decision && doc.decision->stored_before) return JournalStoredBefore(doc, report);
  const bool placed = doc.decision && (doc.decision->action == Action::kPending ||
                                       doc.decision->action == Action::kDuplicate);
  if (placed && report.outcome() == Outcome::kValid && report.stopped_at.empty() &&
      xml::TreeOf(doc) != nullptr && !doc.facts.id.empty()) {
    return Store(doc, report);
  }
  Action action = Action::kQuarantined;
  std::string reason;
  if (doc.decision && doc.decision->action == Action::kRefused) {
    if (options_.defer_missing_predecessors && doc.decision->rule == "route.predecessor-missing") {
      doc.decision->action = Action::kDeferred;
      report.decision = doc.decision;
      return Verdict::kContinue;
    }
    action = Action::kRefused;
    reason = doc.decision->reason;
  } else {
    reason = FirstProblem(report);
  }
  report.decision = doc.decision;
  const std::string input_sha256 =
      doc.input_sha256.empty() && doc.loaded ? archive::Sha256Hex(doc.bytes) : doc.input_sha256;
  RETURN_IF_ERROR(SetAside(*archive_, options_.run_id, doc.source, doc.facts.id, input_sha256,
                           doc.bytes, report, action, std::move(reason)));
  doc.decision = report.decision;
  return Verdict::kQuarantine;
}

Result<Verdict> RouteStage::Store(Document& doc, Report& report) const {
  const xmlNode* root = xmlDocGetRootElement(xml::TreeOf(doc));
  const Decision& d = *doc.decision;
  const registers::Subject subject = registers::ReadSubject(root, doc.facts, policy_);

  auto completion = std::make_shared<StoreCompletion>();
  auto request = std::make_shared<archive::StoreRequest>();
  archive::DocumentRecord& r = request->record;
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
  // Hashed here, on the worker: left empty, the archive would hash on its
  // one writer thread.
  r.sha256 = doc.bytes_rewritten ? archive::Sha256Hex(doc.bytes) : r.input_sha256;
  r.run_id = options_.run_id;
  request->source = doc.source;
  request->bytes = doc.bytes;
  if (subject.form == registers::AuthorisationForm::kOutsourcing) {
    completion->osva = registers::ReadOutsourcingAuthorisation(root);
    request->authorisation = Summary(*completion->osva);
  } else if (subject.form == registers::AuthorisationForm::kClientRelationship) {
    completion->right = registers::ReadRegisterAccessRight(root);
    request->authorisation = Summary(*completion->right);
  }
  if (outbox_ != nullptr) {
    ASSIGN_OR_RETURN(completion->message, outbox_->Build(doc));
  }
  return Submit(std::move(request), std::move(completion), doc, report);
}

Result<Verdict> RouteStage::JournalStoredBefore(Document& doc, Report& report) const {
  auto request = std::make_shared<archive::StoreRequest>();
  request->known_duplicate = true;
  request->record.id = doc.facts.id;
  request->record.input_sha256 = doc.input_sha256;
  request->record.sha256 = doc.input_sha256;  // nothing to hash: nothing is stored
  request->record.run_id = options_.run_id;
  request->source = doc.source;
  request->bytes = doc.bytes;  // for the quarantine, should the row be gone
  return Submit(std::move(request), std::make_shared<StoreCompletion>(), doc, report);
}

Result<Verdict> RouteStage::Submit(std::shared_ptr<archive::StoreRequest> request,
                                   std::shared_ptr<StoreCompletion> completion, Document& doc,
                                   Report& report) const {
  completion->archive = archive_;
  completion->authorisations = authorisations_;
  completion->outbox = outbox_;
  completion->run_id = options_.run_id;
  completion->request = request;
  completion->queue = queue_;
  completion->outcome = queue_->Submit(std::move(request));
  report.decision = doc.decision;
  report.completion = std::move(completion);
  return Verdict::kContinue;
}

}  // namespace kanta::route
