// ParseStage ("parse"): one secure parse, the document kind, header facts.
//
// Parses the bytes with xml::SecureParser, classifies the root element, and:
//  - CDA R2: keeps the tree and reads the header facts;
//  - archive message (RCMR_IN...): records the message id, unwraps the CDA
//    from its MIME body, parses that and continues with the CDA as the tree
//    (the kind stays kArchiveMessage so reports say how it arrived);
//  - FHIR XML: reported as not supported yet;
//  - any other root: refused with a finding naming the root.
//
// Thread-safety: immutable; Process() may run concurrently.
#pragma once

#include "core/stage.h"
#include "xml/secure_parser.h"

namespace kanta::formats {

class ParseStage final : public Stage {
 public:
  explicit ParseStage(xml::ParseLimits limits) : parser_(limits) {}
  std::string_view name() const override { return "parse"; }
  Result<Verdict> Process(Document& doc, Report& report) const override;

 private:
  xml::SecureParser parser_;
};

}  // namespace kanta::formats
