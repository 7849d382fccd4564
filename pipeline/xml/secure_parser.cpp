#include "xml/secure_parser.h"

#include <libxml/SAX2.h>
#include <libxml/parserInternals.h>
#include <libxml/xinclude.h>
#include <libxml/xmlerror.h>

#include <climits>
#include <string>

#include "xml/structure_guard.h"

namespace kanta::xml {
namespace {

// A reused context is dropped once its dictionary holds more than this: a
// document with many unique names must not keep its memory for the rest
// of the batch. Real CDA documents share a few hundred names (a few KiB).
constexpr std::size_t kMaxReusedDictBytes = 1u << 20;

constexpr int kParseOptions =
    XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES | XML_PARSE_COMPACT;

// Per-parse state reached from libxml2 callbacks through ctxt->_private.
struct ParseState {
  Report* report = nullptr;
  std::string stage;
  std::size_t max_depth = 0;
  bool saw_dtd = false;
  bool timed_out = false;
  bool too_deep = false;
  bool stopped = false;         // we stopped the parser; later errors are noise
  bool uses_xinclude = false;   // an XInclude namespace was declared
  std::int64_t too_deep_line = 0;
  int fatal_count = 0;
  unsigned elements = 0;
  std::chrono::steady_clock::time_point deadline;
};

std::string Trimmed(const char* msg) {
  std::string s = msg != nullptr ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void Stop(xmlParserCtxtPtr ctxt, ParseState* state) {
  state->stopped = true;
  xmlStopParser(ctxt);
}

// Structured error handler installed on this context only. It must not throw
// through libxml2's C frames; it only appends to a vector.
void OnError(void* user_data, xmlErrorPtr error) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(user_data);
  if (ctxt == nullptr || ctxt->_private == nullptr || error == nullptr) return;
  auto* state = static_cast<ParseState*>(ctxt->_private);
  if (state->stopped) return;
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
  if (ctxt->_private != nullptr) {
    auto* state = static_cast<ParseState*>(ctxt->_private);
    state->saw_dtd = true;
    Stop(ctxt, state);
    return;
  }
  xmlStopParser(ctxt);
}

// Line of the '<' that opened the start tag the cursor is at the end of.
std::int64_t StartTagLine(const xmlParserCtxtPtr ctxt) {
  const xmlParserInputPtr in = ctxt->input;
  std::int64_t line = in->line;
  for (const xmlChar* p = in->cur; p > in->base;) {
    --p;
    if (*p == '<') break;
    if (*p == '\n') --line;
  }
  return line;
}

// Wraps libxml2's own element handler; installed on this context's SAX copy
// only. libxml2 calls it once a start tag is read, before it opens the
// element (ctxt->nameNr counts the open ancestors) and with the cursor on
// the tag's "/>" or ">". Checks the depth limit (an empty element opens no
// level), notes XInclude namespaces, and checks the clock every 256
// elements.
void OnStartElement(void* user_data, const xmlChar* localname, const xmlChar* prefix,
                    const xmlChar* uri, int nb_namespaces, const xmlChar** namespaces,
                    int nb_attributes, int nb_defaulted, const xmlChar** attributes) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(user_data);
  auto* state = static_cast<ParseState*>(ctxt->_private);
  if (static_cast<std::size_t>(ctxt->nameNr) >= state->max_depth) {
    const xmlChar* cur = ctxt->input->cur;
    if (!(cur[0] == '/' && cur[1] == '>')) {
      state->too_deep = true;
      state->too_deep_line = StartTagLine(ctxt);
      Stop(ctxt, state);
      return;
    }
  }
  for (int i = 0; i < nb_namespaces; ++i) {
    const xmlChar* ns = namespaces[2 * i + 1];
    if (xmlStrEqual(ns, XINCLUDE_NS) || xmlStrEqual(ns, XINCLUDE_OLD_NS)) state->uses_xinclude = true;
  }
  if ((++state->elements & 0xFF) == 0 && std::chrono::steady_clock::now() > state->deadline) {
    state->timed_out = true;
    Stop(ctxt, state);
    return;
  }
  xmlSAX2StartElementNs(user_data, localname, prefix, uri, nb_namespaces, namespaces,
                        nb_attributes, nb_defaulted, attributes);
}

// A new parser context with our handlers on its own SAX copy (never the
// process-wide default handler).
ParserCtxtPtr NewContext() {
  ParserCtxtPtr ctxt(xmlNewParserCtxt());
  if (!ctxt || ctxt->sax == nullptr || ctxt->dict == nullptr) return nullptr;
  xmlSAXHandler* sax = ctxt->sax;
  sax->initialized = XML_SAX2_MAGIC;
  sax->serror = &OnError;
  sax->startElementNs = &OnStartElement;
  sax->internalSubset = &OnInternalSubset;
  sax->externalSubset = nullptr;
  sax->resolveEntity = nullptr;
  ctxt->userData = ctxt.get();
  return ctxt;
}

// This thread's reusable context. Taken out while in use, so a nested parse
// on the same thread would simply get a fresh one.
thread_local ParserCtxtPtr t_context;

ParserCtxtPtr TakeContext() {
  ParserCtxtPtr ctxt = std::move(t_context);
  if (ctxt && xmlDictGetUsage(ctxt->dict) > kMaxReusedDictBytes) ctxt.reset();
  if (!ctxt) return NewContext();
  return ctxt;
}

std::string SizeText(std::size_t bytes) {
  if (bytes >= (1u << 20)) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= 1024) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

void ReleaseThreadParserContext() { t_context.reset(); }

Result<std::unique_ptr<XmlTree>> SecureParser::Parse(std::string_view bytes,
                                                     std::string_view name,
                                                     std::string_view stage,
                                                     Report& report) const {
  const std::string stage_name(stage);
  if (bytes.size() > limits_.max_bytes || bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    report.Add(Severity::kFatal, stage_name, "xml.size-limit",
               "document is " + SizeText(bytes.size()) + ", over the size limit of " +
                   SizeText(limits_.max_bytes) + " (--max-bytes)");
    return std::unique_ptr<XmlTree>();
  }
  if (bytes.empty()) {
    report.Add(Severity::kFatal, stage_name, "xml.empty", "document is empty");
    return std::unique_ptr<XmlTree>();
  }

  const GuardResult guard = ScanStructure(bytes, GuardLimits{limits_.max_attributes});
  switch (guard.problem) {
    case GuardResult::Problem::kNone:
      break;
    case GuardResult::Problem::kDoctype:
      report.Add(Severity::kFatal, stage_name, "xml.dtd-forbidden",
                 "document has a DOCTYPE declaration; DTDs and entity declarations are "
                 "refused (no DTD loading, no entity expansion)",
                 Location{"", guard.line, 0});
      return std::unique_ptr<XmlTree>();
    case GuardResult::Problem::kAttributes:
      report.Add(Severity::kFatal, stage_name, "xml.attribute-limit",
                 "an element has more than " + std::to_string(limits_.max_attributes) +
                     " attributes (--max-attributes)",
                 Location{"", guard.line, 0});
      return std::unique_ptr<XmlTree>();
  }

  ParserCtxtPtr ctxt = TakeContext();
  if (!ctxt) return Internal("libxml2 could not create a parser context");
  // Every document gets the dictionary budget of a fresh context.
  xmlDictSetLimit(ctxt->dict, xmlDictGetUsage(ctxt->dict) + XML_MAX_DICTIONARY_LIMIT);
  ParseState state;
  state.report = &report;
  state.stage = stage_name;
  state.max_depth = limits_.max_depth;
  state.deadline = std::chrono::steady_clock::now() + limits_.max_time;
  ctxt->_private = &state;
  // One in-memory parse (faster than the push parser on text-heavy CDA).
  // libxml2 2.9 copies the bytes into its own buffer: its in-place
  // ("static") memory input loses its place when the parser shrinks the
  // buffer near the end of a document, so it cannot be used.
  DocPtr doc(xmlCtxtReadMemory(ctxt.get(), bytes.data(), static_cast<int>(bytes.size()),
                               nullptr, nullptr, kParseOptions));
  ctxt->_private = nullptr;
  const bool well_formed = ctxt->wellFormed != 0;
  // Frees the input copy now; keeps the dictionary for the next document.
  xmlCtxtReset(ctxt.get());
  t_context = std::move(ctxt);

  if (state.timed_out) {
    report.Add(Severity::kFatal, stage_name, "xml.time-limit",
               "parsing took longer than the time limit of " +
                   std::to_string(limits_.max_time.count()) + " ms (--max-parse-ms)");
    return std::unique_ptr<XmlTree>();
  }
  if (state.too_deep) {
    report.Add(Severity::kFatal, stage_name, "xml.depth-limit",
               "element nesting exceeds the depth limit of " +
                   std::to_string(limits_.max_depth) + " (--max-depth)",
               Location{"", state.too_deep_line, 0});
    return std::unique_ptr<XmlTree>();
  }
  if (state.saw_dtd) {
    report.Add(Severity::kFatal, stage_name, "xml.dtd-forbidden",
               "document has a DOCTYPE declaration; DTDs are refused");
    return std::unique_ptr<XmlTree>();
  }
  if (!well_formed || !doc) {
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
  if (state.uses_xinclude) {
    report.Add(Severity::kWarning, stage_name, "xml.xinclude-ignored",
               "document uses the XInclude namespace; XInclude is never processed, the "
               "include elements stay as they are");
  }
  return std::make_unique<XmlTree>(std::move(doc));
}

}  // namespace kanta::xml
