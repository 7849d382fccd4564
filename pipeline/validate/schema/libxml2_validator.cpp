#include "validate/schema/libxml2_validator.h"

#include <libxml/xmlerror.h>

#include <string>
#include <vector>

#include "xml/node_path.h"
#include "xml/xml_ptr.h"
#include "xml/xml_tree.h"

namespace kanta::validate {
namespace {

std::string Trimmed(const char* msg) {
  std::string s = msg != nullptr ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Collects schema-compilation errors; called from C, so it never throws.
void OnSchemaLoadError(void* user, xmlErrorPtr e) {
  auto* errors = static_cast<std::vector<std::string>*>(user);
  if (e == nullptr || e->level == XML_ERR_WARNING) return;
  try {
    std::string where = e->file != nullptr ? e->file : "";
    if (e->line > 0) where += ":" + std::to_string(e->line);
    errors->push_back(where + ": " + Trimmed(e->message));
  } catch (...) {
  }
}

struct ValidationState {
  Report* report;
  std::size_t max_findings;
  std::size_t seen = 0;
};

void OnValidityError(void* user, xmlErrorPtr e) {
  auto* state = static_cast<ValidationState*>(user);
  if (e == nullptr) return;
  try {
    if (++state->seen > state->max_findings) return;
    const auto* node = static_cast<const xmlNode*>(e->node);
    Location loc;
    loc.xpath = xml::NodePath(node);
    loc.line = e->line > 0 ? e->line : (node != nullptr ? xmlGetLineNo(node) : 0);
    state->report->Add(e->level == XML_ERR_WARNING ? Severity::kWarning : Severity::kError,
                       "schema", "schema.validity", Trimmed(e->message), std::move(loc));
  } catch (...) {
  }
}

class Libxml2Validator final : public SchemaValidator {
 public:
  Libxml2Validator(xml::SchemaPtr schema, std::size_t max_findings)
      : schema_(std::move(schema)), max_findings_(max_findings) {}

  SchemaEngine engine() const override { return SchemaEngine::kLibxml2; }

  Status Validate(const Document& doc, Report& report) const override {
    xmlDoc* tree = xml::TreeOf(doc);
    if (tree == nullptr) return FailedPrecondition("document has no parsed tree");
    xml::SchemaValidCtxtPtr ctxt(xmlSchemaNewValidCtxt(schema_.get()));
    if (!ctxt) return Internal("libxml2 could not create a schema validation context");
    ValidationState state{&report, max_findings_};
    xmlSchemaSetValidStructuredErrors(ctxt.get(), &OnValidityError, &state);
    const int rc = xmlSchemaValidateDoc(ctxt.get(), tree);
    if (rc < 0) return Internal("libxml2 schema validation failed internally (code " +
                                std::to_string(rc) + ")");
    if (state.seen > max_findings_) {
      report.Add(Severity::kInfo, "schema", "schema.more-findings",
                 std::to_string(state.seen - max_findings_) +
                     " further schema findings not listed (limit " +
                     std::to_string(max_findings_) + " per document)");
    }
    if (rc > 0 && state.seen == 0) {
      report.Add(Severity::kError, "schema", "schema.validity",
                 "document is not valid against the schema (libxml2 gave no detail)");
    }
    return Status::Ok();
  }

 private:
  xml::SchemaPtr schema_;  // compiled once; read-only from here on
  std::size_t max_findings_;
};

}  // namespace

Result<std::unique_ptr<SchemaValidator>> LoadLibxml2Validator(const SchemaOptions& options) {
  xml::SchemaParserCtxtPtr pctxt(xmlSchemaNewParserCtxt(options.schema_file.c_str()));
  if (!pctxt) return Internal("libxml2 could not create a schema parser context");
  std::vector<std::string> errors;
  xmlSchemaSetParserStructuredErrors(pctxt.get(), &OnSchemaLoadError, &errors);
  xml::SchemaPtr schema(xmlSchemaParse(pctxt.get()));
  if (!schema) {
    std::string msg = "cannot load schema " + options.schema_file + " with libxml2";
    for (std::size_t i = 0; i < errors.size() && i < 5; ++i) msg += "\n  " + errors[i];
    return FailedPrecondition(msg);
  }
  return std::unique_ptr<SchemaValidator>(
      std::make_unique<Libxml2Validator>(std::move(schema), options.max_findings));
}

}  // namespace kanta::validate
