#include "route/already_stored_stage.h"

#include "core/decision.h"
#include "formats/detect.h"
#include "route/archive_lookup.h"

namespace kanta::route {

Result<Verdict> AlreadyStoredStage::Process(Document& doc, Report& report) const {
  if (!doc.loaded || formats::SniffBytes(doc.bytes).family != formats::Sniffed::Family::kXml) {
    return Verdict::kContinue;
  }
  doc.input_sha256 = archive::Sha256Hex(doc.bytes);
  ASSIGN_OR_RETURN(std::optional<archive::DocumentRecord> found,
                   archive_->FindReceived(doc.source, doc.input_sha256, run_id_));
  if (!found || found->id.empty()) return Verdict::kContinue;
  const archive::DocumentRecord& r = *found;
  doc.kind = DocumentKind::kCda;
  doc.facts.id = r.id;
  doc.facts.set_id = r.set_id;
  doc.facts.version = r.version > 0 ? std::to_string(r.version) : "";
  doc.facts.patient = r.patient;
  doc.facts.custodian = r.custodian;
  doc.facts.custodian_name = r.custodian_name;
  doc.facts.producer = r.producer;
  doc.facts.organiser = r.organiser;
  doc.facts.register_code = r.register_code;
  doc.facts.register_code_system = r.register_system;
  doc.facts.document_time = r.document_time;
  Decision d;
  registers::PlaceAsDuplicate(PlacementOf(r), d);
  d.stored_before = true;
  doc.decision = std::move(d);
  report.Add(Severity::kInfo, name(), "route.already-stored",
             "stored before (run " + r.run_id + ", " + r.stored_at +
                 ") as these very bytes: not parsed or checked again");
  return Verdict::kDone;
}

}  // namespace kanta::route
