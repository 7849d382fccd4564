// SchemaValidator: XSD validation of a parsed CDA document.
//
// Two engines implement it: libxml2 (validates the tree the pipeline already
// parsed; the compiled schema is shared, a validation context is made per
// call) and Xerces-C (re-scans the bytes against a grammar pool loaded once
// and locked, a reader per call). Both report each violation as a Finding
// with the message, line, column and XPath of the element concerned.
//
// Thread-safety: immutable after loading; Validate() may run concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/document.h"
#include "core/finding.h"
#include "core/status.h"

namespace kanta::validate {

enum class SchemaEngine { kLibxml2, kXerces };

std::string_view SchemaEngineName(SchemaEngine e);  // "libxml2", "xerces"
Result<SchemaEngine> ParseSchemaEngine(std::string_view name);

struct SchemaOptions {
  SchemaEngine engine = SchemaEngine::kLibxml2;
  std::string schema_file;      // the entry .xsd (see FindSchemaEntry)
  std::size_t max_findings = 100;  // per document; the rest are counted
};

class SchemaValidator {
 public:
  virtual ~SchemaValidator() = default;
  virtual SchemaEngine engine() const = 0;
  // Validates the CDA of `doc` (its tree and, for Xerces, its bytes) and adds
  // one finding per violation to `report` (stage "schema"). Returns non-OK
  // only when the engine itself failed.
  virtual Status Validate(const Document& doc, Report& report) const = 0;
};

// Loads and compiles `options.schema_file` with the chosen engine. Fails with
// a message carrying the engine's own diagnostics when the schema is broken.
Result<std::unique_ptr<SchemaValidator>> LoadSchemaValidator(const SchemaOptions& options);

// The entry schema inside `dir_or_file`: the file itself when it is an .xsd;
// otherwise CDA_Fi.xsd (any letter case), else CDA.xsd, searched in the
// folder and up to three levels below it (shallowest first).
Result<std::string> FindSchemaEntry(const std::string& dir_or_file);

}  // namespace kanta::validate
