#include "registers/stamp_stage.h"

#include "registers/stamper.h"
#include "xml/xml_tree.h"

namespace kanta::registers {
namespace {

// A copy of the ClinicalDocument with its body replaced by an empty
// nonXMLBody. The body was validated before stamping and stamping never
// touches it (nor adds an ID), so the stamped document is valid exactly when
// this copy is; checking it costs a fraction of the whole document.
Result<std::unique_ptr<xml::XmlTree>> HeaderCopy(xmlDoc* doc) {
  const xmlNode* root = xmlDocGetRootElement(doc);
  xml::DocPtr copy(xmlNewDoc(reinterpret_cast<const xmlChar*>("1.0")));
  if (copy == nullptr) return Internal("libxml2 could not allocate a document");
  xmlNode* top = xmlDocCopyNode(const_cast<xmlNode*>(root), copy.get(), 2);
  if (top == nullptr) return Internal("libxml2 could not copy the header");
  xmlDocSetRootElement(copy.get(), top);
  for (const xmlNode* c = root->children; c != nullptr; c = c->next) {
    if (xml::IsElement(c, xml::kHl7V3Ns, "component")) {
      xmlNode* component = xmlNewChild(top, top->ns, reinterpret_cast<const xmlChar*>("component"), nullptr);
      xmlNode* body = xmlNewChild(component, top->ns, reinterpret_cast<const xmlChar*>("nonXMLBody"), nullptr);
      xmlNewChild(body, top->ns, reinterpret_cast<const xmlChar*>("text"), nullptr);
      continue;
    }
    xmlNode* child = xmlDocCopyNode(const_cast<xmlNode*>(c), copy.get(), 1);
    if (child == nullptr) return Internal("libxml2 could not copy the header");
    xmlAddChild(top, child);
  }
  return std::make_unique<xml::XmlTree>(std::move(copy));
}

}  // namespace

Result<Verdict> StampStage::Process(Document& doc, Report& report) const {
  xmlDoc* tree = xml::TreeOf(doc);
  if (tree == nullptr || !doc.decision || doc.decision->action != Action::kPending) {
    return Verdict::kContinue;
  }
  const std::vector<StampChange> changes = StampHeader(xmlDocGetRootElement(tree), *doc.decision);
  if (changes.empty()) return Verdict::kContinue;
  for (const StampChange& c : changes) {
    std::string message = c.field + ": ";
    if (c.before.empty()) {
      message += "set to " + c.after;
    } else if (c.after.empty()) {
      message += "removed (was " + c.before + ")";
    } else {
      message += c.before + " -> " + c.after;
    }
    report.Add(Severity::kInfo, name(), "stamp.changed", std::move(message));
  }
  ASSIGN_OR_RETURN(doc.bytes, xml::Serialize(tree));
  doc.bytes_rewritten = true;

  // The stamped header must still validate; findings go to a scratch report
  // so that they can be told apart from the input's own schema findings.
  Document header;
  header.kind = DocumentKind::kCda;
  ASSIGN_OR_RETURN(header.tree, HeaderCopy(tree));
  if (schema_->engine() == validate::SchemaEngine::kXerces) {  // it re-scans bytes; libxml2 the tree
    ASSIGN_OR_RETURN(header.bytes, xml::Serialize(xml::TreeOf(header)));
  }
  header.loaded = true;
  Report check;
  RETURN_IF_ERROR(schema_->Validate(header, check));
  for (const Finding& f : check.findings()) {
    if (f.severity < Severity::kError) continue;
    report.Add(Severity::kError, name(), "stamp.schema-invalid",
               "the stamped document no longer validates against the schema: " + f.message,
               f.location);
  }
  return Verdict::kContinue;
}

}  // namespace kanta::registers
