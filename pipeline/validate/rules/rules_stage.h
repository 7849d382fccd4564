// RulesStage ("rules"): business rules in ISO Schematron.
//
// Holds compiled Schematron schemas, each optionally limited to some document
// kinds, and runs them on every document that has a parsed tree — also when
// the schema stage found the document invalid, as long as it is well-formed.
// The document always continues to the next stage.
//
// Thread-safety: immutable; Process() may run concurrently.
#pragma once

#include <memory>
#include <vector>

#include "core/stage.h"
#include "validate/rules/schematron.h"

namespace kanta::validate::rules {

struct RuleSet {
  std::shared_ptr<const CompiledSchematron> schema;
  std::vector<DocumentKind> kinds;  // empty: every kind with a tree
};

class RulesStage final : public Stage {
 public:
  explicit RulesStage(std::vector<RuleSet> sets) : sets_(std::move(sets)) {}
  std::string_view name() const override { return "rules"; }
  Result<Verdict> Process(Document& doc, Report& report) const override;

 private:
  std::vector<RuleSet> sets_;
};

}  // namespace kanta::validate::rules
