// StampStage ("stamp"): writes the register decision into the header.
//
// For a document the resolver placed (decision pending), stamps custodian,
// register, specifier, custodian type and organiser into the header
// (StampHeader), reports each changed field as an info finding, stores the
// serialised tree back into Document::bytes, and checks the stamped document
// against the schema again: a stamped document that no longer validates gets
// an error finding (stamp.schema-invalid) and is set aside by the route stage.
// Only the header is checked again (with an empty body in place of the
// body): only valid documents are stamped, and stamping changes the header
// alone.
//
// Thread-safety: immutable; Process() may run concurrently.
#pragma once

#include <memory>

#include "core/stage.h"
#include "validate/schema/schema_validator.h"

namespace kanta::registers {

class StampStage final : public Stage {
 public:
  explicit StampStage(std::shared_ptr<const validate::SchemaValidator> schema)
      : schema_(std::move(schema)) {}
  std::string_view name() const override { return "stamp"; }
  Result<Verdict> Process(Document& doc, Report& report) const override;

 private:
  std::shared_ptr<const validate::SchemaValidator> schema_;
};

}  // namespace kanta::registers
