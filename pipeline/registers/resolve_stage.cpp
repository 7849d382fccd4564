#include "registers/resolve_stage.h"

#include "xml/xml_tree.h"

namespace kanta::registers {

Result<Verdict> ResolveStage::Process(Document& doc, Report& report) const {
  xmlDoc* tree = xml::TreeOf(doc);
  if (tree == nullptr || report.outcome() != Outcome::kValid) return Verdict::kContinue;
  const Subject subject =
      ReadSubject(xmlDocGetRootElement(tree), doc.facts, resolver_->directory().policy());
  ASSIGN_OR_RETURN(Resolution r, resolver_->Resolve(subject, *lookup_));
  for (const ResolutionNote& n : r.notes) report.Add(n.severity, name(), n.rule, n.message);
  if (r.decision.action == Action::kRefused) {
    report.Add(Severity::kError, name(), r.decision.rule, "refused: " + r.decision.reason);
  }
  doc.decision = std::move(r.decision);
  return Verdict::kContinue;
}

}  // namespace kanta::registers
