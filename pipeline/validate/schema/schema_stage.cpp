#include "validate/schema/schema_stage.h"

namespace kanta::validate {

Result<Verdict> SchemaStage::Process(Document& doc, Report& report) const {
  if (doc.tree == nullptr ||
      (doc.kind != DocumentKind::kCda && doc.kind != DocumentKind::kArchiveMessage)) {
    return Verdict::kContinue;
  }
  RETURN_IF_ERROR(validator_->Validate(doc, report));
  return Verdict::kContinue;
}

}  // namespace kanta::validate
