#include "validate/rules/rules_stage.h"

#include <algorithm>

#include "xml/xml_tree.h"

namespace kanta::validate::rules {

Result<Verdict> RulesStage::Process(Document& doc, Report& report) const {
  xmlDoc* tree = xml::TreeOf(doc);
  if (tree == nullptr) return Verdict::kContinue;
  for (const RuleSet& set : sets_) {
    if (!set.kinds.empty() &&
        std::find(set.kinds.begin(), set.kinds.end(), doc.kind) == set.kinds.end()) {
      continue;
    }
    RETURN_IF_ERROR(set.schema->Validate(tree, report));
  }
  return Verdict::kContinue;
}

}  // namespace kanta::validate::rules
