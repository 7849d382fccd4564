#include "registers/stamp_stage.h"

#include "registers/stamper.h"
#include "xml/xml_tree.h"

namespace kanta::registers {

Result<Verdict> StampStage::Process(Document& doc, Report& report) const {
  xmlDoc* tree = xml::TreeOf(doc);
  if (tree == nullptr || !doc.decision || doc.decision->action != Action::kPending) {
    return Verdict::kContinue;
  }
  const std::vector<StampChange> changes = StampHeader(xmlDocGetRootElement(tree), *doc.decision);
  if (changes.empty()) return Verdict::kContinue;
  for (const StampChange& c : changes) {
    std::string message = c.field + ": ";
    if (c.before.empty()) {
      message += "set to " + c.after;
    } else if (c.after.empty()) {
      message += "removed (was " + c.before + ")";
    } else {
      message += c.before + " -> " + c.after;
    }
    report.Add(Severity::kInfo, name(), "stamp.changed", std::move(message));
  }
  ASSIGN_OR_RETURN(doc.bytes, xml::Serialize(tree));
  doc.bytes_rewritten = true;

  // The stamped header must still validate; findings go to a scratch report
  // so that they can be told apart from the input's own schema findings.
  Report check;
  RETURN_IF_ERROR(schema_->Validate(doc, check));
  for (const Finding& f : check.findings()) {
    if (f.severity < Severity::kError) continue;
    report.Add(Severity::kError, name(), "stamp.schema-invalid",
               "the stamped document no longer validates against the schema: " + f.message,
               f.location);
  }
  return Verdict::kContinue;
}

}  // namespace kanta::registers
