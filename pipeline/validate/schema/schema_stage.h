// SchemaStage ("schema"): validates CDA documents against the XSD.
//
// Runs on documents whose tree is a CDA (directly or unwrapped from an
// archive message); other kinds pass through untouched. A schema-invalid but
// well-formed document continues to the next stage, so later phases still
// report on it.
//
// Thread-safety: immutable; Process() may run concurrently.
#pragma once

#include <memory>

#include "core/stage.h"
#include "validate/schema/schema_validator.h"

namespace kanta::validate {

class SchemaStage final : public Stage {
 public:
  explicit SchemaStage(std::shared_ptr<const SchemaValidator> validator)
      : validator_(std::move(validator)) {}
  std::string_view name() const override { return "schema"; }
  Result<Verdict> Process(Document& doc, Report& report) const override;

 private:
  std::shared_ptr<const SchemaValidator> validator_;
};

}  // namespace kanta::validate
