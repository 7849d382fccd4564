#include "xml/secure_parser.h"

#include <libxml/SAX2.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <string>

#include "xml/structure_guard.h"

namespace kanta::xml {
namespace {

// Per-parse state reached from libxml2 callbacks through ctxt->_private.
struct ParseState {
  Report* report = nullptr;
  std::string stage;
  bool saw_dtd = false;
  bool timed_out = false;
  int fatal_count = 0;
  unsigned elements = 0;
  std::chrono::steady_clock::time_point deadline;
};

std::string Trimmed(const char* msg) {
  std::string s = msg != nullptr ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Structured error handler installed on this context only. It must not throw
// through libxml2's C frames; it only appends to a vector.
void OnError(void* user_data, xmlErrorPtr error) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(user_data);
  if (ctxt == nullptr || ctxt->_private == nullptr || error == nullptr) return;
  auto* state = static_cast<ParseState*>(ctxt->_private);
  try {
    Location loc;
    loc.line = error->line;
    loc.column = error->int2;
    if (error->level == XML_ERR_WARNING) {
      state->report->Add(Severity::kWarning, state->stage, "xml.parser-warning",
                         Trimmed(error->message), loc);
      return;
    }
    // A namespace error (an undeclared prefix) leaves the document
    // well-formed XML but breaks its meaning: an error, and parsing goes on.
    if (error->domain == XML_FROM_NAMESPACE) {
      state->report->Add(Severity::kError, state->stage, "xml.namespace-error",
                         "namespace error: " + Trimmed(error->message), loc);
      return;
    }
    // After the first fatal error libxml2 reports follow-on noise; one clear
    // finding is more useful than a cascade.
    if (state->fatal_count++ > 0) return;
    state->report->Add(Severity::kFatal, state->stage, "xml.not-well-formed",
                       "not well-formed XML: " + Trimmed(error->message), loc);
  } catch (...) {
    // Allocation failed while recording: nothing sensible left to do here.
  }
}

// Defence in depth: the structure guard already refuses DOCTYPE; should one
// ever reach libxml2, stop the parse before any declaration is processed.
void OnInternalSubset(void* user_data, const xmlChar*, const xmlChar*, const xmlChar*) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(user_data);
  if (ctxt->_private != nullptr) static_cast<ParseState*>(ctxt->_private)->saw_dtd = true;
  xmlStopParser(ctxt);
}

// Wraps libxml2's own element handler to check the clock every 256
// elements; installed on this context's SAX copy only.
void OnStartElement(void* user_data, const xmlChar* localname, const xmlChar* prefix,
                    const xmlChar* uri, int nb_namespaces, const xmlChar** namespaces,
                    int nb_attributes, int nb_defaulted, const xmlChar** attributes) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(user_data);
  auto* state = static_cast<ParseState*>(ctxt->_private);
  if ((++state->elements & 0xFF) == 0 && std::chrono::steady_clock::now() > state->deadline) {
    state->timed_out = true;
    xmlStopParser(ctxt);
    return;
  }
  xmlSAX2StartElementNs(user_data, localname, prefix, uri, nb_namespaces, namespaces,
                        nb_attributes, nb_defaulted, attributes);
}

std::string SizeText(std::size_t bytes) {
  if (bytes >= (1u << 20)) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= 1024) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

Result<std::unique_ptr<XmlTree>> SecureParser::Parse(std::string_view bytes, std::string_view name,
                                                     std::string_view stage,
                                                     Report& report) const {
  const std::string stage_name(stage);
  if (bytes.size() > limits_.max_bytes) {
    report.Add(Severity::kFatal, stage_name, "xml.size-limit",
               "document is " + SizeText(bytes.size()) + ", over the size limit of " +
                   SizeText(limits_.max_bytes) + " (--max-bytes)");
    return std::unique_ptr<XmlTree>();
  }
  if (bytes.empty()) {
    report.Add(Severity::kFatal, stage_name, "xml.empty", "document is empty");
    return std::unique_ptr<XmlTree>();
  }

  const GuardResult guard =
      ScanStructure(bytes, GuardLimits{limits_.max_depth, limits_.max_attributes});
  switch (guard.problem) {
    case GuardResult::Problem::kNone:
      break;
    case GuardResult::Problem::kDoctype:
      report.Add(Severity::kFatal, stage_name, "xml.dtd-forbidden",
                 "document has a DOCTYPE declaration; DTDs and entity declarations are "
                 "refused (no DTD loading, no entity expansion)",
                 Location{"", guard.line, 0});
      return std::unique_ptr<XmlTree>();
    case GuardResult::Problem::kDepth:
      report.Add(Severity::kFatal, stage_name, "xml.depth-limit",
                 "element nesting exceeds the depth limit of " +
                     std::to_string(limits_.max_depth) + " (--max-depth)",
                 Location{"", guard.line, 0});
      return std::unique_ptr<XmlTree>();
    case GuardResult::Problem::kAttributes:
      report.Add(Severity::kFatal, stage_name, "xml.attribute-limit",
                 "an element has more than " + std::to_string(limits_.max_attributes) +
                     " attributes (--max-attributes)",
                 Location{"", guard.line, 0});
      return std::unique_ptr<XmlTree>();
  }

  ParseState state;
  state.report = &report;
  state.stage = stage_name;
  state.deadline = std::chrono::steady_clock::now() + limits_.max_time;
  // One in-memory parse (faster than the push parser on text-heavy CDA).
  ParserCtxtPtr ctxt(xmlCreateMemoryParserCtxt(bytes.data(), static_cast<int>(bytes.size())));
  if (!ctxt) return Internal("libxml2 could not create a parser context");
  // Everything below is per context: the SAX handler is this context's own copy.
  xmlCtxtUseOptions(ctxt.get(), XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES |
                                    XML_PARSE_COMPACT);
  ctxt->_private = &state;
  ctxt->sax->initialized = XML_SAX2_MAGIC;
  ctxt->sax->serror = &OnError;
  ctxt->sax->startElementNs = &OnStartElement;
  ctxt->sax->internalSubset = &OnInternalSubset;
  ctxt->sax->externalSubset = nullptr;
  ctxt->sax->resolveEntity = nullptr;
  ctxt->userData = ctxt.get();
  xmlParseDocument(ctxt.get());
  const bool timed_out = state.timed_out;

  DocPtr doc(ctxt->myDoc);
  ctxt->myDoc = nullptr;
  if (timed_out) {
    report.Add(Severity::kFatal, stage_name, "xml.time-limit",
               "parsing took longer than the time limit of " +
                   std::to_string(limits_.max_time.count()) + " ms (--max-parse-ms)");
    return std::unique_ptr<XmlTree>();
  }
  if (state.saw_dtd) {
    report.Add(Severity::kFatal, stage_name, "xml.dtd-forbidden",
               "document has a DOCTYPE declaration; DTDs are refused");
    return std::unique_ptr<XmlTree>();
  }
  if (ctxt->wellFormed == 0 || !doc) {
    if (state.fatal_count == 0) {
      report.Add(Severity::kFatal, stage_name, "xml.not-well-formed",
                 "not well-formed XML (libxml2 gave no detail)");
    }
    return std::unique_ptr<XmlTree>();
  }
  if (xmlDocGetRootElement(doc.get()) == nullptr) {
    report.Add(Severity::kFatal, stage_name, "xml.no-root", "document has no root element");
    return std::unique_ptr<XmlTree>();
  }
  if (guard.uses_xinclude) {
    report.Add(Severity::kWarning, stage_name, "xml.xinclude-ignored",
               "document uses the XInclude namespace; XInclude is never processed, the "
               "include elements stay as they are");
  }
  return std::make_unique<XmlTree>(std::move(doc));
}

}  // namespace kanta::xml
