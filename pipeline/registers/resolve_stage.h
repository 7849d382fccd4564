// ResolveStage ("resolve"): decides the register of each valid document.
//
// Runs the RegisterResolver on documents that reached it without an error
// (invalid documents are left to the route stage, which sets them aside) and
// records the decision on the Document. A refusal becomes an error finding
// with the exact reason (rule ids route.*); the document continues so the
// route stage can keep it in quarantine with its report.
//
// Thread-safety: immutable; Process() may run concurrently.
#pragma once

#include <memory>

#include "core/stage.h"
#include "registers/register_resolver.h"

namespace kanta::registers {

class ResolveStage final : public Stage {
 public:
  ResolveStage(std::shared_ptr<const RegisterResolver> resolver,
               std::shared_ptr<const PlacementLookup> lookup)
      : resolver_(std::move(resolver)), lookup_(std::move(lookup)) {}
  std::string_view name() const override { return "resolve"; }
  Result<Verdict> Process(Document& doc, Report& report) const override;

 private:
  std::shared_ptr<const RegisterResolver> resolver_;
  std::shared_ptr<const PlacementLookup> lookup_;
};

}  // namespace kanta::registers
