#include "validate/rules/schematron.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "xml/node_path.h"
#include "xml/xml_ptr.h"
#include "xml/xml_tree.h"

namespace fs = std::filesystem;

namespace kanta::validate::rules {
namespace {

constexpr const char* kSchNs = "http://purl.oclc.org/dsdl/schematron";
constexpr const char* kStage = "rules";

// ---- small helpers over libxml2 --------------------------------------------

bool IsSch(const xmlNode* n, const char* local) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && n->ns != nullptr &&
         std::strcmp(reinterpret_cast<const char*>(n->ns->href), kSchNs) == 0 &&
         (local == nullptr || std::strcmp(reinterpret_cast<const char*>(n->name), local) == 0);
}

std::string Attr(const xmlNode* n, const char* name) { return xml::Attribute(n, name); }

std::vector<xmlNode*> SchChildren(const xmlNode* parent, const char* local) {
  std::vector<xmlNode*> out;
  for (xmlNode* c = parent != nullptr ? parent->children : nullptr; c != nullptr; c = c->next) {
    if (IsSch(c, local)) out.push_back(c);
  }
  return out;
}

std::string Where(const xmlNode* n) {
  std::string s = "<" + std::string(reinterpret_cast<const char*>(n->name));
  for (const char* a : {"id", "context", "test"}) {
    std::string v = Attr(n, a);
    if (v.empty()) continue;
    if (v.size() > 80) v = v.substr(0, 77) + "...";
    s += " " + std::string(a) + "=\"" + v + "\"";
    break;
  }
  return s + "> (line " + std::to_string(xmlGetLineNo(n)) + ")";
}

std::string NormalizeSpace(const std::string& in) {
  std::string out;
  bool space = false;
  for (char c : in) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

Severity SeverityOf(const xmlNode* n) {
  std::string role = Attr(n, "role");
  if (role.empty()) role = Attr(n, "flag");
  std::transform(role.begin(), role.end(), role.begin(), [](unsigned char c) { return std::tolower(c); });
  if (role == "fatal") return Severity::kFatal;
  if (role == "warning" || role == "warn") return Severity::kWarning;
  if (role == "info" || role == "information" || role == "note") return Severity::kInfo;
  return Severity::kError;
}

// ---- XPath checks ------------------------------------------------------------

const std::set<std::string>& AllowedFunctions() {
  static const std::set<std::string> f = {
      // XPath 1.0 core library
      "last", "position", "count", "id", "local-name", "namespace-uri", "name", "string", "concat",
      "starts-with", "contains", "substring-before", "substring-after", "substring",
      "string-length", "normalize-space", "translate", "boolean", "not", "true", "false", "lang",
      "number", "sum", "floor", "ceiling", "round",
      // node tests that look like calls
      "node", "text", "comment", "processing-instruction",
      // XSLT 1.0 functions this engine provides
      "current", "document"};
  return f;
}

// Removes string literals so their content is not mistaken for syntax.
std::string WithoutLiterals(const std::string& e) {
  std::string out;
  char quote = 0;
  for (char c : e) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      out += ' ';
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

// True when every '(' in `bare` (literals removed) is plainly a call of a
// supported function, the operators and/or/div/mod, or a node test after an
// axis ("child::text("). This quick scan lets the exact regex below run
// only on the rare expression that needs it (std::regex is slow: loading
// the C-CDA rule set spent most of its 1.3 G instructions in it).
bool PlainlySupported(const std::string& bare) {
  for (std::size_t p = bare.find('('); p != std::string::npos; p = bare.find('(', p + 1)) {
    std::size_t end = p;
    while (end > 0 && std::isspace(static_cast<unsigned char>(bare[end - 1]))) --end;
    std::size_t begin = end;
    while (begin > 0 && (IsNameChar(bare[begin - 1]) || bare[begin - 1] == ':')) --begin;
    if (begin == end) continue;  // no name before it: a grouping parenthesis
    std::string_view run(bare.data() + begin, end - begin);
    if (const std::size_t axis = run.find("::"); axis != std::string_view::npos) {
      const std::string_view before = run.substr(0, axis), test = run.substr(axis + 2);
      if (before.empty() || before.find(':') != std::string_view::npos) return false;
      if (!(test == "node" || test == "text" || test == "comment" || test == "processing-instruction")) {
        return false;
      }
      continue;
    }
    if (run == "and" || run == "or" || run == "div" || run == "mod") continue;
    if (AllowedFunctions().count(std::string(run)) == 0) return false;
  }
  return true;
}

// The first function name in `expr` this engine does not support, or "".
std::string UnsupportedFunction(const std::string& expr) {
  const std::string bare = WithoutLiterals(expr);
  if (PlainlySupported(bare)) return {};
  static const std::regex call(R"(([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)\s*\()");
  for (auto it = std::sregex_iterator(bare.begin(), bare.end(), call); it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[1];
    if (name == "and" || name == "or" || name == "div" || name == "mod") continue;
    // An axis step like child::x( cannot occur; a preceding "::" means a node test.
    const auto pos = static_cast<std::size_t>(it->position(0));
    if (pos >= 2 && bare.compare(pos - 2, 2, "::") == 0 &&
        (name == "node" || name == "text" || name == "comment" || name == "processing-instruction")) {
      continue;
    }
    if (AllowedFunctions().count(name) == 0) return name;
  }
  return {};
}

// Literal arguments of document('...') calls; `dynamic` set when an argument
// is not a literal.
std::vector<std::string> DocumentArguments(const std::string& expr, bool& dynamic) {
  std::vector<std::string> out;
  dynamic = false;
  if (expr.find("document") == std::string::npos) return out;  // no call: skip the regexes
  static const std::regex call(R"re(document\s*\(\s*(?:'([^']*)'|"([^"]*)")\s*\))re");
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), call); it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[1].matched ? (*it)[1].str() : (*it)[2].str());
  }
  static const std::regex any(R"(document\s*\()");
  const auto n = std::distance(std::sregex_iterator(expr.begin(), expr.end(), any), std::sregex_iterator());
  dynamic = static_cast<std::size_t>(n) != out.size();
  return out;
}

// Replaces $name by value for each param (longest names first), where the
// next character cannot continue a name.
std::string Substitute(std::string s, const std::vector<std::pair<std::string, std::string>>& params) {
  for (const auto& [name, value] : params) {
    const std::string key = "$" + name;
    for (std::size_t p = 0; (p = s.find(key, p)) != std::string::npos;) {
      const std::size_t end = p + key.size();
      const bool continues = end < s.size() && (std::isalnum(static_cast<unsigned char>(s[end])) ||
                                                s[end] == '_' || s[end] == '-' || s[end] == '.');
      if (continues) {
        p = end;
        continue;
      }
      s.replace(p, key.size(), value);
      p += value.size();
    }
  }
  return s;
}

void SubstituteTree(xmlNode* n, const std::vector<std::pair<std::string, std::string>>& params) {
  for (; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    for (xmlAttr* a = n->properties; a != nullptr; a = a->next) {
      xml::XmlCharPtr v(xmlNodeListGetString(n->doc, a->children, 1));
      if (!v) continue;
      const std::string old = reinterpret_cast<const char*>(v.get());
      const std::string now = Substitute(old, params);
      if (now != old) xmlSetProp(n, a->name, BAD_CAST now.c_str());
    }
    SubstituteTree(n->children, params);
  }
}

// Positions of `what` in `s` (from `from` on) that lie outside brackets,
// parentheses and string literals.
std::vector<std::size_t> TopLevelPositions(const std::string& s, char what, std::size_t from = 0) {
  std::vector<std::size_t> out;
  int depth = 0;
  char quote = 0;
  for (std::size_t i = from; i < s.size(); ++i) {
    const char c = s[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '[' || c == '(') {
      ++depth;
    } else if (c == ']' || c == ')') {
      --depth;
    } else if (c == what && depth == 0) {
      out.push_back(i);
    }
  }
  return out;
}

// Splits an XPath union at top level ("a | b").
std::vector<std::string> SplitUnion(const std::string& e) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  for (std::size_t bar : TopLevelPositions(e, '|')) {
    out.push_back(e.substr(begin, bar - begin));
    begin = bar + 1;
  }
  out.push_back(e.substr(begin));
  return out;
}

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// ---- compiled form -------------------------------------------------------------

struct MessagePart {
  enum class Kind { kText, kValueOf, kName } kind;
  std::string text;
  std::shared_ptr<xmlXPathCompExpr> expr;  // value-of select / name path
};
using Message = std::vector<MessagePart>;

struct Assertion {
  bool is_report = false;
  std::string id;
  Severity severity = Severity::kError;
  std::string test_text;
  std::shared_ptr<xmlXPathCompExpr> test;
  Message message;
  std::vector<Message> diagnostics;
  bool needs_missing_document = false;
};

struct Let {
  std::string name;
  std::shared_ptr<xmlXPathCompExpr> expr;
  // Set when the value is string(@attribute): read from the element
  // directly, without an XPath evaluation (rules often start with one).
  std::string attribute;
};

// One branch of a rule context. Indexed: "prefix:local[predicates]" matched
// against the element index, optionally pre-filtered by a templateId root.
struct Branch {
  bool indexed = false;
  std::string uri, local;
  std::shared_ptr<xmlXPathCompExpr> self_test;  // null: every element of that name
  std::string template_root;                     // non-empty: pre-filter
  // First predicate [@attr_name = 'attr_value']: checked on the node before
  // the XPath self-test, which most candidates then never need.
  std::string attr_name, attr_value;
  std::shared_ptr<xmlXPathCompExpr> tail;        // "first-step/tail": rest of the path
  std::shared_ptr<xmlXPathCompExpr> full;        // not indexed: evaluated from the root
  // "BASE/descendant-or-self::*/@NAME/parent::*[predicates]": BASE is
  // evaluated as XPath, its subtrees are walked here for elements carrying
  // @NAME, and the predicates are the self-test. libxml2 spends ~1,500
  // instructions per element on the attribute step; the walk a few.
  std::shared_ptr<xmlXPathCompExpr> subtree_base;
  std::string subtree_attr;
};

struct Rule {
  std::string id;
  std::string context_text;
  std::vector<Branch> branches;
  std::vector<Let> lets;
  std::vector<Assertion> assertions;
};

struct Pattern {
  std::string id;
  std::vector<Let> lets;
  std::vector<Rule> rules;
  // Keep track of the nodes rules have claimed: needed with several rules
  // (the first that matches a node wins) and where the templateId index
  // may list an element twice.
  bool claims = false;
};

}  // namespace

struct CompiledSchematron::Impl {
  std::string path, dir, title;
  std::vector<std::pair<std::string, std::string>> namespaces;  // prefix, uri
  std::vector<Let> schema_lets;
  std::vector<Pattern> patterns;
  std::map<std::string, xml::DocPtr> documents;  // document() files, preloaded
  std::set<std::string> missing_documents;
  std::size_t skipped_for_missing = 0;
  std::vector<std::string> warnings;
  std::size_t rules = 0, assertions = 0;
  bool uses_index = false;           // some rule context is matched via the index
  bool uses_template_index = false;  // some is pre-filtered by templateId root
  std::set<std::string> indexed_names;  // local names indexed branches look up
  std::set<std::string> let_names;      // every variable Validate() may set

  // XPath contexts ready for Validate(): namespaces, functions and the
  // object cache set up once, no document. Creating one costs as much as
  // a dozen rule evaluations (libxml2 registers every XPath function in a
  // new hash), so they are kept between documents. Guarded by pool_mu.
  mutable std::mutex pool_mu;
  mutable std::vector<xml::XPathContextPtr> pool;
};

namespace {

// Collects XPath compilation errors on the compile context.
void OnXPathError(void* user, xmlErrorPtr e) {
  auto* out = static_cast<std::string*>(user);
  if (e != nullptr && out->empty() && e->message != nullptr) {
    try {
      *out = NormalizeSpace(e->message);
    } catch (...) {
    }
  }
}

class Compiler {
 public:
  Compiler(CompiledSchematron::Impl& impl) : impl_(impl) {
    ctxt_.reset(xmlXPathNewContext(nullptr));
    ctxt_->error = &OnXPathError;
    ctxt_->userData = &error_;
  }

  // Compiles `expr` found on `where`; checks functions and document() use.
  Result<std::shared_ptr<xmlXPathCompExpr>> Compile(const std::string& expr, const xmlNode* where,
                                                    bool* needs_missing = nullptr) {
    if (Trim(expr).empty()) {
      return FailedPrecondition(impl_.path + ": empty XPath in " + Where(where));
    }
    const std::string bad = UnsupportedFunction(expr);
    if (!bad.empty()) {
      return FailedPrecondition(impl_.path + ": " + Where(where) + " uses the function " + bad +
                                "(), which is not XPath 1.0 / XSLT 1.0 as this engine supports it: " +
                                expr);
    }
    bool dynamic = false;
    for (const std::string& file : DocumentArguments(expr, dynamic)) {
      RETURN_IF_ERROR(Preload(file, where));
      if (impl_.missing_documents.count(file) != 0 && needs_missing != nullptr) *needs_missing = true;
    }
    if (dynamic) {
      return FailedPrecondition(impl_.path + ": " + Where(where) +
                                " calls document() with a computed argument; only a literal file "
                                "name next to the schema is allowed");
    }
    error_.clear();
    xmlXPathCompExpr* c = xmlXPathCtxtCompile(ctxt_.get(), BAD_CAST expr.c_str());
    if (c == nullptr) {
      return FailedPrecondition(impl_.path + ": " + Where(where) + ": XPath does not compile" +
                                (error_.empty() ? "" : " (" + error_ + ")") + ": " + expr);
    }
    return std::shared_ptr<xmlXPathCompExpr>(c, FreeWith<xmlXPathFreeCompExpr>());
  }

 private:
  Status Preload(const std::string& file, const xmlNode* where) {
    if (impl_.documents.count(file) != 0 || impl_.missing_documents.count(file) != 0) {
      return Status::Ok();
    }
    if (file.find("://") != std::string::npos || file.rfind("file:", 0) == 0 ||
        fs::path(file).is_absolute() || file.find("..") != std::string::npos) {
      return FailedPrecondition(impl_.path + ": " + Where(where) + " reads document('" + file +
                                "'); only files next to the schema may be read (no URLs, no "
                                "absolute paths, no ..)");
    }
    const std::string full = (fs::path(impl_.dir) / file).string();
    std::error_code ec;
    if (!fs::is_regular_file(full, ec)) {
      impl_.missing_documents.insert(file);
      impl_.warnings.push_back("document('" + file + "') is missing next to the schema (" + full +
                               "); the assertions that need it are skipped");
      return Status::Ok();
    }
    xml::DocPtr doc(xmlReadFile(full.c_str(), nullptr, XML_PARSE_NONET));
    if (!doc) return FailedPrecondition(impl_.path + ": cannot parse document('" + file + "')");
    impl_.documents.emplace(file, std::move(doc));
    return Status::Ok();
  }

  CompiledSchematron::Impl& impl_;
  xml::XPathContextPtr ctxt_;
  std::string error_;
};

// Loads `path`, replacing every sch:include by the element it names.
Result<xml::DocPtr> LoadWithIncludes(const std::string& path, int depth = 0) {
  if (depth > 16) return FailedPrecondition(path + ": includes nested too deeply (a cycle?)");
  xml::DocPtr doc(xmlReadFile(path.c_str(), nullptr, XML_PARSE_NONET | XML_PARSE_NOWARNING));
  if (!doc) return FailedPrecondition("cannot read the Schematron file " + path);
  std::vector<xmlNode*> includes;
  std::function<void(xmlNode*)> find = [&](xmlNode* n) {
    for (; n != nullptr; n = n->next) {
      if (IsSch(n, "include")) includes.push_back(n);
      else if (n->type == XML_ELEMENT_NODE) find(n->children);
    }
  };
  find(xmlDocGetRootElement(doc.get()));
  for (xmlNode* inc : includes) {
    const std::string href = Attr(inc, "href");
    if (href.empty() || href.find("://") != std::string::npos) {
      return FailedPrecondition(path + ": " + Where(inc) + ": include needs a local href");
    }
    const std::string target = (fs::path(path).parent_path() / href).string();
    ASSIGN_OR_RETURN(xml::DocPtr sub, LoadWithIncludes(target, depth + 1));
    xmlNode* copy = xmlDocCopyNode(xmlDocGetRootElement(sub.get()), doc.get(), 1);
    xmlReplaceNode(inc, copy);
    xmlFreeNode(inc);
  }
  return doc;
}

// The root of a predicate of the form
//   [prefix:templateId[@root = 'R' (and @extension = 'E')?]]
// (white space allowed between the parts), or "" for any other predicate.
// A hand-written matcher: std::regex took most of the load time of large
// rule sets, where nearly every rule has such a predicate.
std::string TemplateRootOf(const std::string& predicates) {
  std::size_t i = 0;
  const std::size_t n = predicates.size();
  auto space = [&] {
    while (i < n && std::isspace(static_cast<unsigned char>(predicates[i]))) ++i;
  };
  auto literal = [&](std::string_view w) {
    if (predicates.compare(i, w.size(), w) != 0) return false;
    i += w.size();
    return true;
  };
  auto name = [&] {
    const std::size_t b = i;
    while (i < n && IsNameChar(predicates[i])) ++i;
    return std::string_view(predicates).substr(b, i - b);
  };
  auto quoted = [&](bool non_empty, std::string* out) {
    if (!literal("'")) return false;
    const std::size_t close = predicates.find('\'', i);
    if (close == std::string::npos || (non_empty && close == i)) return false;
    if (out != nullptr) *out = predicates.substr(i, close - i);
    i = close + 1;
    return true;
  };
  if (!literal("[")) return {};
  space();
  std::string_view first = name();
  if (i < n && predicates[i] == ':') {
    if (first.empty()) return {};
    ++i;
    first = name();
  }
  if (first != "templateId") return {};
  space();
  if (!literal("[")) return {};
  space();
  if (!literal("@root")) return {};
  space();
  if (!literal("=")) return {};
  space();
  std::string root;
  if (!quoted(true, &root)) return {};
  space();
  if (i < n && predicates[i] != ']') {
    if (!literal("and")) return {};
    const std::size_t before = i;
    space();
    if (i == before || !literal("@extension")) return {};
    space();
    if (!literal("=")) return {};
    space();
    if (!quoted(false, nullptr)) return {};
    space();
  }
  if (!literal("]")) return {};
  space();
  if (!literal("]") || i != n) return {};
  return root;
}

// For predicates starting with [@name = 'value'] (or "value"), sets `name`
// and `value` and returns true.
bool LeadingAttributeTest(const std::string& predicates, std::string& name, std::string& value) {
  std::size_t i = 0;
  const std::size_t n = predicates.size();
  auto space = [&] {
    while (i < n && std::isspace(static_cast<unsigned char>(predicates[i]))) ++i;
  };
  if (i >= n || predicates[i] != '[') return false;
  ++i;
  space();
  if (i >= n || predicates[i] != '@') return false;
  ++i;
  const std::size_t b = i;
  while (i < n && IsNameChar(predicates[i])) ++i;
  if (i == b || !(std::isalpha(static_cast<unsigned char>(predicates[b])) || predicates[b] == '_')) {
    return false;
  }
  std::string attr = predicates.substr(b, i - b);
  space();
  if (i >= n || predicates[i] != '=') return false;
  ++i;
  space();
  if (i >= n || (predicates[i] != '\'' && predicates[i] != '"')) return false;
  const char quote = predicates[i++];
  const std::size_t close = predicates.find(quote, i);
  if (close == std::string::npos) return false;
  std::string literal = predicates.substr(i, close - i);
  i = close + 1;
  space();
  if (i >= n || predicates[i] != ']') return false;
  name = std::move(attr);
  value = std::move(literal);
  return true;
}

// False when `node` certainly fails [@name = 'value']; true when it passes
// or its attribute has an unusual shape (then the XPath test decides).
bool MayHaveAttribute(const xmlNode* node, const std::string& name, const std::string& value) {
  for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    if (a->ns != nullptr || name != reinterpret_cast<const char*>(a->name)) continue;
    const xmlNode* text = a->children;
    if (text == nullptr) return value.empty();
    if (text->next != nullptr || text->type != XML_TEXT_NODE || text->content == nullptr) return true;
    return value == reinterpret_cast<const char*>(text->content);
  }
  return false;
}

// The attribute name when `value` is string(@name), else "".
std::string StringOfAttribute(const std::string& value) {
  std::size_t i = 0;
  const std::size_t n = value.size();
  auto space = [&] {
    while (i < n && std::isspace(static_cast<unsigned char>(value[i]))) ++i;
  };
  space();
  if (value.compare(i, 6, "string") != 0) return {};
  i += 6;
  space();
  if (i >= n || value[i] != '(') return {};
  ++i;
  space();
  if (i >= n || value[i] != '@') return {};
  ++i;
  const std::size_t b = i;
  while (i < n && IsNameChar(value[i])) ++i;
  if (i == b || !(std::isalpha(static_cast<unsigned char>(value[b])) || value[b] == '_')) return {};
  std::string name = value.substr(b, i - b);
  space();
  if (i >= n || value[i] != ')') return {};
  ++i;
  space();
  return i == n ? name : std::string();
}

// Splits "step[...]/rest" at the first '/' outside brackets and quotes, after
// an optional leading "//". Returns false when there is no such '/'.
bool SplitFirstStep(const std::string& branch, std::string& head, std::string& tail) {
  const std::string s = Trim(branch);
  const std::vector<std::size_t> slashes = TopLevelPositions(s, '/', s.rfind("//", 0) == 0 ? 2 : 0);
  if (slashes.empty()) return false;
  head = s.substr(0, slashes[0]);
  tail = s.substr(slashes[0] + 1);
  return !tail.empty() && tail[0] != '/';  // "a//b" keeps the XPath route
}

// True when `rest` is only bracketed predicates (or nothing).
bool PredicatesOnly(const std::string& rest) {
  int depth = 0;
  char quote = 0;
  for (char c : rest) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') quote = c;
    else if (c == '[') ++depth;
    else if (c == ']') --depth;
    else if (depth == 0 && !(c == ' ' || c == '\t' || c == '\n' || c == '\r')) return false;
    if (depth < 0) return false;
  }
  return depth == 0 && quote == 0;
}

// Splits "BASE/descendant-or-self::*/@NAME/parent::*[predicates]", BASE an
// absolute path, into its parts.
bool SplitSubtreeAttribute(const std::string& t, std::string& base, std::string& attr,
                           std::string& predicates) {
  static const std::string kMiddle = "/descendant-or-self::*/@";
  static const std::string kEnd = "/parent::*";
  if (t.empty() || t[0] != '/') return false;
  for (std::size_t p : TopLevelPositions(t, '/')) {
    if (p == 0 || t.compare(p, kMiddle.size(), kMiddle) != 0) continue;
    std::size_t i = p + kMiddle.size();
    const std::size_t b = i;
    while (i < t.size() && IsNameChar(t[i])) ++i;
    if (i == b || !(std::isalpha(static_cast<unsigned char>(t[b])) || t[b] == '_')) return false;
    if (t.compare(i, kEnd.size(), kEnd) != 0) return false;
    const std::string rest = t.substr(i + kEnd.size());
    if (!PredicatesOnly(rest)) return false;
    base = t.substr(0, p);
    attr = t.substr(b, i - b);
    predicates = Trim(rest);
    return true;
  }
  return false;
}

// "prefix:local[...]" with only predicates after the name: indexable.
bool ParseSimpleStep(const std::string& branch, std::string& prefix, std::string& local,
                     std::string& predicates) {
  std::string s = Trim(branch);
  if (s.rfind("//", 0) == 0) s = s.substr(2);
  std::size_t i = 0;
  auto name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; };
  while (i < s.size() && name_char(s[i])) ++i;
  if (i == 0) return false;
  std::string first = s.substr(0, i);
  std::string second;
  if (i < s.size() && s[i] == ':' && (i + 1 >= s.size() || s[i + 1] != ':')) {
    const std::size_t j = ++i;
    while (i < s.size() && name_char(s[i])) ++i;
    if (i == j) return false;
    second = s.substr(j, i - j);
  }
  const std::string rest = s.substr(i);
  if (!PredicatesOnly(rest)) return false;
  prefix = second.empty() ? "" : first;
  local = second.empty() ? first : second;
  predicates = Trim(rest);
  return local != "node" && local != "text" && local != "comment";
}

}  // namespace

CompiledSchematron::CompiledSchematron(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompiledSchematron::~CompiledSchematron() = default;
const std::string& CompiledSchematron::path() const { return impl_->path; }
const std::string& CompiledSchematron::title() const { return impl_->title; }
std::size_t CompiledSchematron::rule_count() const { return impl_->rules; }
std::size_t CompiledSchematron::assertion_count() const { return impl_->assertions; }
const std::vector<std::string>& CompiledSchematron::load_warnings() const { return impl_->warnings; }

Result<std::unique_ptr<CompiledSchematron>> CompiledSchematron::Load(const std::string& path,
                                                                    const SchematronOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->dir = fs::path(path).parent_path().string();
  ASSIGN_OR_RETURN(xml::DocPtr doc, LoadWithIncludes(path));
  xmlNode* schema = xmlDocGetRootElement(doc.get());
  if (!IsSch(schema, "schema")) {
    return FailedPrecondition(path + ": the root element is not an ISO Schematron schema "
                                     "(namespace http://purl.oclc.org/dsdl/schematron)");
  }
  std::string binding = Attr(schema, "queryBinding");
  std::transform(binding.begin(), binding.end(), binding.begin(), [](unsigned char c) { return std::tolower(c); });
  if (!(binding.empty() || binding == "xslt" || binding == "xslt1" || binding == "xpath" ||
        binding == "xpath1")) {
    return FailedPrecondition(path + ": query binding '" + binding +
                              "' is not supported (XPath 1.0 only: xslt, xslt1, xpath or none)");
  }
  if (auto t = SchChildren(schema, "title"); !t.empty()) impl->title = NormalizeSpace(xml::TextOf(t[0]));

  Compiler compiler(*impl);
  for (xmlNode* ns : SchChildren(schema, "ns")) {
    impl->namespaces.emplace_back(Attr(ns, "prefix"), Attr(ns, "uri"));
  }
  auto uri_of = [&](const std::string& prefix) -> std::string {
    for (const auto& [p, u] : impl->namespaces)
      if (p == prefix) return u;
    return "\x01";  // undeclared: never matches, forces the XPath fallback
  };
  auto compile_lets = [&](const xmlNode* parent, std::vector<Let>& out) -> Status {
    for (xmlNode* let : SchChildren(parent, "let")) {
      const std::string value = Attr(let, "value");
      if (value.empty()) {
        return FailedPrecondition(path + ": " + Where(let) + " has no value attribute (let with "
                                                             "element content is not supported)");
      }
      ASSIGN_OR_RETURN(auto e, compiler.Compile(value, let));
      out.push_back(Let{Attr(let, "name"), std::move(e), StringOfAttribute(value)});
      impl->let_names.insert(out.back().name);
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(compile_lets(schema, impl->schema_lets));

  std::map<std::string, xmlNode*> diagnostics;
  for (xmlNode* group : SchChildren(schema, "diagnostics")) {
    for (xmlNode* d : SchChildren(group, "diagnostic")) diagnostics[Attr(d, "id")] = d;
  }

  // Phase.
  std::string phase = options.phase.empty() ? Attr(schema, "defaultPhase") : options.phase;
  std::set<std::string> active;
  bool all = phase.empty() || phase == "#ALL";
  if (!all) {
    bool found = false;
    for (xmlNode* ph : SchChildren(schema, "phase")) {
      if (Attr(ph, "id") != phase) continue;
      found = true;
      for (xmlNode* a : SchChildren(ph, "active")) active.insert(Attr(a, "pattern"));
      RETURN_IF_ERROR(compile_lets(ph, impl->schema_lets));
    }
    if (!found) return FailedPrecondition(path + ": no phase '" + phase + "'");
  }

  // Abstract patterns and rules, by id.
  std::map<std::string, xmlNode*> abstract_patterns, abstract_rules;
  std::vector<xmlNode*> patterns;
  for (xmlNode* p : SchChildren(schema, "pattern")) {
    if (Attr(p, "abstract") == "true") abstract_patterns[Attr(p, "id")] = p;
    else patterns.push_back(p);
    for (xmlNode* r : SchChildren(p, "rule")) {
      if (Attr(r, "abstract") == "true") abstract_rules[Attr(r, "id")] = r;
    }
  }

  // Message template of an assert/report or diagnostic.
  std::function<Result<Message>(xmlNode*)> message_of = [&](xmlNode* a) -> Result<Message> {
    Message m;
    for (xmlNode* c = a->children; c != nullptr; c = c->next) {
      if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
        m.push_back({MessagePart::Kind::kText, reinterpret_cast<const char*>(c->content), nullptr});
      } else if (IsSch(c, "value-of")) {
        ASSIGN_OR_RETURN(auto e, compiler.Compile(Attr(c, "select"), c));
        m.push_back({MessagePart::Kind::kValueOf, "", std::move(e)});
      } else if (IsSch(c, "name")) {
        std::shared_ptr<xmlXPathCompExpr> e;
        if (const std::string p = Attr(c, "path"); !p.empty()) {
          ASSIGN_OR_RETURN(e, compiler.Compile(p, c));
        }
        m.push_back({MessagePart::Kind::kName, "", std::move(e)});
      } else if (c->type == XML_ELEMENT_NODE) {
        ASSIGN_OR_RETURN(Message inner, message_of(c));  // emph, dir, span, foreign: their text
        for (auto& part : inner) m.push_back(std::move(part));
      }
    }
    return m;
  };

  // Assertions of a rule, those of the rules it extends first.
  std::function<Status(xmlNode*, Rule&, int)> add_assertions = [&](xmlNode* rule_node, Rule& rule,
                                                                   int depth) -> Status {
    if (depth > 32) return FailedPrecondition(path + ": " + Where(rule_node) + ": extends cycle");
    for (xmlNode* c = rule_node->children; c != nullptr; c = c->next) {
      if (IsSch(c, "extends")) {
        const std::string target = Attr(c, "rule");
        auto it = abstract_rules.find(target);
        if (it == abstract_rules.end()) {
          return FailedPrecondition(path + ": " + Where(c) + " extends the unknown abstract rule '" +
                                    target + "'");
        }
        RETURN_IF_ERROR(add_assertions(it->second, rule, depth + 1));
      } else if (IsSch(c, "assert") || IsSch(c, "report")) {
        Assertion a;
        a.is_report = IsSch(c, "report");
        a.id = Attr(c, "id");
        a.severity = SeverityOf(c);
        a.test_text = NormalizeSpace(Attr(c, "test"));
        ASSIGN_OR_RETURN(a.test, compiler.Compile(a.test_text, c, &a.needs_missing_document));
        ASSIGN_OR_RETURN(a.message, message_of(c));
        for (const std::string& ref : [&] {
               std::vector<std::string> ids;
               std::string list = Attr(c, "diagnostics"), cur;
               for (char ch : list + " ") {
                 if (ch == ' ' || ch == '\t' || ch == '\n') {
                   if (!cur.empty()) ids.push_back(cur);
                   cur.clear();
                 } else {
                   cur += ch;
                 }
               }
               return ids;
             }()) {
          auto d = diagnostics.find(ref);
          if (d == diagnostics.end()) {
            return FailedPrecondition(path + ": " + Where(c) + " names the unknown diagnostic '" + ref + "'");
          }
          ASSIGN_OR_RETURN(Message dm, message_of(d->second));
          a.diagnostics.push_back(std::move(dm));
        }
        if (a.needs_missing_document) ++impl->skipped_for_missing;
        rule.assertions.push_back(std::move(a));
      }
    }
    return Status::Ok();
  };

  for (std::size_t pi = 0; pi < patterns.size(); ++pi) {
    xmlNode* p = patterns[pi];
    const std::string pid = Attr(p, "id");
    if (!all && active.count(pid) == 0) continue;
    // An instance of an abstract pattern: its rules with the params put in.
    xml::DocPtr instance_doc;
    xmlNode* source = p;
    if (const std::string isa = Attr(p, "is-a"); !isa.empty()) {
      auto it = abstract_patterns.find(isa);
      if (it == abstract_patterns.end()) {
        return FailedPrecondition(path + ": " + Where(p) + " is-a unknown abstract pattern '" + isa + "'");
      }
      std::vector<std::pair<std::string, std::string>> params;
      for (xmlNode* prm : SchChildren(p, "param")) params.emplace_back(Attr(prm, "name"), Attr(prm, "value"));
      std::sort(params.begin(), params.end(),
                [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
      instance_doc.reset(xmlCopyDoc(doc.get(), 0));
      source = xmlDocCopyNode(it->second, instance_doc.get(), 1);
      xmlDocSetRootElement(instance_doc.get(), source);
      SubstituteTree(source->children, params);
    }
    Pattern pattern;
    pattern.id = pid;
    RETURN_IF_ERROR(compile_lets(p, pattern.lets));
    if (source != p) RETURN_IF_ERROR(compile_lets(source, pattern.lets));
    std::size_t ri = 0;
    for (xmlNode* r : SchChildren(source, "rule")) {
      ++ri;
      if (Attr(r, "abstract") == "true") continue;
      Rule rule;
      rule.id = Attr(r, "id");
      rule.context_text = Attr(r, "context");
      if (rule.context_text.empty()) return FailedPrecondition(path + ": " + Where(r) + " has no context");
      for (const std::string& branch_text : SplitUnion(rule.context_text)) {
        Branch b;
        std::string prefix, local, predicates;
        const std::string t = Trim(branch_text);
        std::string head = t, tail;
        const bool has_tail = SplitFirstStep(t, head, tail);
        if (t[0] != '/' || t.rfind("//", 0) == 0) {
          if (ParseSimpleStep(head, prefix, local, predicates) && local != "*" &&
              (prefix.empty() || uri_of(prefix) != "\x01")) {
            b.indexed = true;
            b.local = local;
            b.uri = prefix.empty() ? "" : uri_of(prefix);
            if (!predicates.empty()) {
              const std::string qname = prefix.empty() ? local : prefix + ":" + local;
              ASSIGN_OR_RETURN(b.self_test, compiler.Compile("self::" + qname + predicates, r));
              b.template_root = TemplateRootOf(predicates);
              if (b.template_root.empty()) LeadingAttributeTest(predicates, b.attr_name, b.attr_value);
            }
            if (has_tail) {
              ASSIGN_OR_RETURN(b.tail, compiler.Compile(tail, r));
            }
          }
        }
        std::string base, attr;
        if (!b.indexed && SplitSubtreeAttribute(t, base, attr, predicates)) {
          ASSIGN_OR_RETURN(b.subtree_base, compiler.Compile(base, r));
          b.subtree_attr = attr;
          if (!predicates.empty()) {
            ASSIGN_OR_RETURN(b.self_test, compiler.Compile("self::*" + predicates, r));
          }
        } else if (!b.indexed) {
          const std::string full = t[0] == '/' ? t : "//" + t;
          ASSIGN_OR_RETURN(b.full, compiler.Compile(full, r));
        }
        if (b.indexed) {
          impl->uses_index = true;
          impl->indexed_names.insert(b.local);
        }
        if (!b.template_root.empty()) impl->uses_template_index = true;
        rule.branches.push_back(std::move(b));
      }
      RETURN_IF_ERROR(compile_lets(r, rule.lets));
      RETURN_IF_ERROR(add_assertions(r, rule, 0));
      if (rule.id.empty()) rule.id = pid.empty() ? "" : pid;
      for (std::size_t ai = 0; ai < rule.assertions.size(); ++ai) {
        Assertion& a = rule.assertions[ai];
        if (a.id.empty()) a.id = !rule.id.empty() ? rule.id
                                                  : "sch:" + std::to_string(pi + 1) + "." +
                                                        std::to_string(ri) + "." + std::to_string(ai + 1);
      }
      impl->assertions += rule.assertions.size();
      ++impl->rules;
      pattern.rules.push_back(std::move(rule));
    }
    pattern.claims = pattern.rules.size() > 1;
    for (const Rule& rule : pattern.rules) {
      for (const Branch& b : rule.branches) pattern.claims |= !b.template_root.empty();
    }
    impl->patterns.push_back(std::move(pattern));
  }
  return std::unique_ptr<CompiledSchematron>(new CompiledSchematron(std::move(impl)));
}

// ---- evaluation ------------------------------------------------------------------

namespace {

struct EvalState {
  const CompiledSchematron::Impl* impl;
  xmlNode* rule_context = nullptr;
};

// current(): the node the rule fired on.
void CurrentFunction(xmlXPathParserContextPtr pctxt, int nargs) {
  auto* state = static_cast<EvalState*>(pctxt->context->userData);
  if (nargs != 0) {
    xmlXPathErr(pctxt, XPATH_INVALID_ARITY);
    return;
  }
  valuePush(pctxt, xmlXPathNewNodeSet(state->rule_context));
}

// document('file'): a file next to the schema, preloaded at load time.
void DocumentFunction(xmlXPathParserContextPtr pctxt, int nargs) {
  auto* state = static_cast<EvalState*>(pctxt->context->userData);
  if (nargs < 1) {
    xmlXPathErr(pctxt, XPATH_INVALID_ARITY);
    return;
  }
  for (int i = 1; i < nargs; ++i) xmlXPathFreeObject(valuePop(pctxt));
  xml::XmlCharPtr name(xmlXPathPopString(pctxt));
  auto it = state->impl->documents.find(reinterpret_cast<const char*>(name.get()));
  if (it == state->impl->documents.end()) {
    valuePush(pctxt, xmlXPathNewNodeSet(nullptr));
    return;
  }
  valuePush(pctxt, xmlXPathNewNodeSet(reinterpret_cast<xmlNode*>(it->second.get())));
}

// translate(string, from, to) as XPath 1.0 defines it. libxml2's own
// implementation searches `from` and appends to a growing buffer once per
// character (~300 instructions each); the bundled rules call it on every
// header identifier. This one maps ASCII through a table and hands any
// other input (non-ASCII text, a wrong arity) to libxml2's implementation,
// so every result is libxml2's.
void TranslateFunction(xmlXPathParserContextPtr pctxt, int nargs) {
  if (nargs != 3 || pctxt->valueNr < pctxt->valueFrame + 3) {
    xmlXPathTranslateFunction(pctxt, nargs);
    return;
  }
  xml::XmlCharPtr to(xmlXPathPopString(pctxt));
  xml::XmlCharPtr from(xmlXPathPopString(pctxt));
  xml::XmlCharPtr str(xmlXPathPopString(pctxt));
  if (pctxt->error != XPATH_EXPRESSION_OK || !to || !from || !str) return;
  auto ascii = [](const xmlChar* s) {
    for (; *s != 0; ++s)
      if (*s >= 0x80) return false;
    return true;
  };
  if (!ascii(str.get()) || !ascii(from.get()) || !ascii(to.get())) {
    valuePush(pctxt, xmlXPathWrapString(str.release()));
    valuePush(pctxt, xmlXPathWrapString(from.release()));
    valuePush(pctxt, xmlXPathWrapString(to.release()));
    xmlXPathTranslateFunction(pctxt, 3);
    return;
  }
  // map[c]: the replacement, kDrop when c is in `from` beyond the length of
  // `to`, kKeep when c is not in `from`. The first occurrence in `from` wins.
  constexpr int kKeep = -1, kDrop = -2;
  std::array<int, 128> map;
  map.fill(kKeep);
  const std::size_t to_length = std::strlen(reinterpret_cast<const char*>(to.get()));
  for (std::size_t i = 0; from.get()[i] != 0; ++i) {
    int& m = map[from.get()[i]];
    if (m == kKeep) m = i < to_length ? to.get()[i] : kDrop;
  }
  xmlChar* out = str.get();  // translated in place: the result is never longer
  for (const xmlChar* in = str.get(); *in != 0; ++in) {
    const int m = map[*in];
    if (m == kKeep) *out++ = *in;
    else if (m != kDrop) *out++ = static_cast<xmlChar>(m);
  }
  *out = 0;
  valuePush(pctxt, xmlXPathWrapString(str.release()));
}

std::string QualifiedName(const xmlNode* n) {
  if (n == nullptr) return {};
  std::string s;
  if (n->ns != nullptr && n->ns->prefix != nullptr) {
    s = reinterpret_cast<const char*>(n->ns->prefix);
    s += ':';
  }
  return s + reinterpret_cast<const char*>(n->name);
}

// A fresh XPath context for `impl`'s expressions: its namespaces, the
// current() and document() functions, errors counted rather than printed
// (silenced on this context only), and libxml2's object cache, which
// recycles the node-sets and strings every evaluation creates.
xml::XPathContextPtr NewEvaluationContext(const CompiledSchematron::Impl& impl) {
  xml::XPathContextPtr ctxt(xmlXPathNewContext(nullptr));
  if (!ctxt) return ctxt;
  ctxt->error = [](void*, xmlErrorPtr) {};
  for (const auto& [prefix, uri] : impl.namespaces) {
    xmlXPathRegisterNs(ctxt.get(), BAD_CAST prefix.c_str(), BAD_CAST uri.c_str());
  }
  xmlXPathRegisterFunc(ctxt.get(), BAD_CAST "current", &CurrentFunction);
  xmlXPathRegisterFunc(ctxt.get(), BAD_CAST "document", &DocumentFunction);
  xmlXPathRegisterFunc(ctxt.get(), BAD_CAST "translate", nullptr);  // libxml2's own
  xmlXPathRegisterFunc(ctxt.get(), BAD_CAST "translate", &TranslateFunction);
  xmlXPathContextSetCache(ctxt.get(), 1, -1, 0);
  return ctxt;
}

// Lends a pooled context for one Validate() call and returns it clean: no
// variables, no document, no state pointer left behind.
class PooledContext {
 public:
  explicit PooledContext(const CompiledSchematron::Impl& impl) : impl_(impl) {
    {
      std::lock_guard lock(impl_.pool_mu);
      if (!impl_.pool.empty()) {
        ctxt_ = std::move(impl_.pool.back());
        impl_.pool.pop_back();
      }
    }
    if (!ctxt_) ctxt_ = NewEvaluationContext(impl_);
  }
  ~PooledContext() {
    if (!ctxt_) return;
    // Drop the variables (they point into the document) one by one: freeing
    // the whole table would make the next document allocate a new one.
    for (const std::string& name : impl_.let_names) {
      xmlXPathRegisterVariable(ctxt_.get(), BAD_CAST name.c_str(), nullptr);
    }
    ctxt_->doc = nullptr;
    ctxt_->node = nullptr;
    ctxt_->userData = nullptr;
    std::lock_guard lock(impl_.pool_mu);
    impl_.pool.push_back(std::move(ctxt_));
  }
  PooledContext(const PooledContext&) = delete;
  PooledContext& operator=(const PooledContext&) = delete;
  xmlXPathContext* get() const { return ctxt_.get(); }
  xmlXPathContext* operator->() const { return ctxt_.get(); }
  explicit operator bool() const { return ctxt_ != nullptr; }

 private:
  const CompiledSchematron::Impl& impl_;
  xml::XPathContextPtr ctxt_;
};

}  // namespace

Status CompiledSchematron::Validate(xmlDoc* doc, Report& report) const {
  if (doc == nullptr) return FailedPrecondition("no document to validate");
  const Impl& impl = *impl_;
  PooledContext ctxt(impl);
  if (!ctxt) return Internal("libxml2 could not create an XPath context");
  EvalState state{&impl};
  ctxt->doc = doc;
  ctxt->userData = &state;

  // One walk, only when some rule needs it: elements by local name (the
  // namespace is checked on lookup), and parents of templateId by root.
  // Keys view the tree's own strings, so the walk allocates only for lists.
  std::unordered_map<std::string_view, std::vector<xmlNode*>> by_name;
  std::unordered_map<std::string_view, std::vector<xmlNode*>> by_template;
  if (impl.uses_index) {
    // Only the names some rule looks up are worth a hash insert.
    std::vector<std::string_view> wanted(impl.indexed_names.begin(), impl.indexed_names.end());
    auto is_wanted = [&](std::string_view name) {
      for (std::string_view w : wanted)
        if (w == name) return true;
      return false;
    };
    const bool few = wanted.size() <= 16;
    // Most elements are ruled out by their first letter, before any strlen.
    std::array<bool, 256> first_letter{};
    for (std::string_view w : wanted) first_letter[static_cast<unsigned char>(w.empty() ? 0 : w[0])] = true;
    if (impl.uses_template_index) first_letter['t'] = true;
    std::vector<xmlNode*> stack{xmlDocGetRootElement(doc)};
    while (!stack.empty()) {
      xmlNode* n = stack.back();
      stack.pop_back();
      for (; n != nullptr; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (!few || first_letter[n->name[0]]) {
          const std::string_view name(reinterpret_cast<const char*>(n->name));
          if (!few || is_wanted(name)) by_name[name].push_back(n);
          if (impl.uses_template_index && name == "templateId" && n->parent != nullptr) {
            for (xmlAttr* a = n->properties; a != nullptr; a = a->next) {
              if (a->ns == nullptr && std::strcmp(reinterpret_cast<const char*>(a->name), "root") == 0 &&
                  a->children != nullptr && a->children->next == nullptr && a->children->content != nullptr) {
                // Two templateIds with one root (different extensions) are
                // usually siblings, visited in a row: list their element once.
                auto& list = by_template[reinterpret_cast<const char*>(a->children->content)];
                if (list.empty() || list.back() != n->parent) list.push_back(n->parent);
              }
            }
          }
        }
        if (n->children != nullptr) {
          // Depth first in document order: finish this subtree before the
          // next sibling.
          if (n->next != nullptr) stack.push_back(n->next);
          stack.push_back(n->children);
          break;
        }
      }
    }
  }

  xmlNode* root_node = reinterpret_cast<xmlNode*>(doc);
  std::size_t eval_errors = 0;
  auto at = [&](xmlNode* node) {
    ctxt->node = node;
    ctxt->contextSize = 1;
    ctxt->proximityPosition = 1;
  };
  auto set_let = [&](const Let& let) {
    xmlXPathObjectPtr v = nullptr;
    if (!let.attribute.empty() && ctxt->node != nullptr && ctxt->node->type == XML_ELEMENT_NODE) {
      // string(@name): the string value of the attribute in no namespace.
      xmlChar* value = nullptr;
      for (xmlAttr* a = ctxt->node->properties; a != nullptr; a = a->next) {
        if (a->ns == nullptr && let.attribute == reinterpret_cast<const char*>(a->name)) {
          value = xmlNodeGetContent(reinterpret_cast<xmlNode*>(a));
          break;
        }
      }
      v = value != nullptr ? xmlXPathWrapString(value) : xmlXPathNewCString("");
    } else {
      v = xmlXPathCompiledEval(let.expr.get(), ctxt.get());
    }
    if (v == nullptr) {
      ++eval_errors;
      v = xmlXPathNewCString("");
    }
    xmlXPathRegisterVariable(ctxt.get(), BAD_CAST let.name.c_str(), v);  // takes ownership
  };
  auto render = [&](const Message& m, xmlNode* node) {
    std::string s;
    for (const MessagePart& part : m) {
      switch (part.kind) {
        case MessagePart::Kind::kText: s += part.text; break;
        case MessagePart::Kind::kName: {
          if (!part.expr) {
            s += QualifiedName(node);
            break;
          }
          at(node);
          xml::XPathObjectPtr v(xmlXPathCompiledEval(part.expr.get(), ctxt.get()));
          if (v && v->type == XPATH_NODESET && v->nodesetval != nullptr && v->nodesetval->nodeNr > 0) {
            s += QualifiedName(v->nodesetval->nodeTab[0]);
          }
          break;
        }
        case MessagePart::Kind::kValueOf: {
          at(node);
          xml::XPathObjectPtr v(xmlXPathCompiledEval(part.expr.get(), ctxt.get()));
          if (v) {
            xml::XmlCharPtr str(xmlXPathCastToString(v.get()));
            if (str) s += reinterpret_cast<const char*>(str.get());
          }
          break;
        }
      }
    }
    return NormalizeSpace(s);
  };

  at(root_node);
  for (const Let& let : impl.schema_lets) set_let(let);

  std::vector<xmlNode*> matched;
  for (const Pattern& pattern : impl.patterns) {
    at(root_node);
    for (const Let& let : pattern.lets) set_let(let);
    // Within a pattern a node belongs to the first rule that matches it.
    const bool claims = pattern.claims;
    std::unordered_set<xmlNode*> claimed;
    for (const Rule& rule : pattern.rules) {
      matched.clear();
      bool sort_needed = rule.branches.size() > 1;
      for (const Branch& b : rule.branches) {
        if (b.indexed) {
          const std::vector<xmlNode*>* candidates = nullptr;
          if (!b.template_root.empty()) {
            auto it = by_template.find(b.template_root);
            if (it == by_template.end()) continue;
            candidates = &it->second;
          } else {
            auto it = by_name.find(b.local);
            if (it == by_name.end()) continue;
            candidates = &it->second;
          }
          for (xmlNode* n : *candidates) {
            const char* uri = n->ns != nullptr ? reinterpret_cast<const char*>(n->ns->href) : "";
            if (b.uri != uri || b.local != reinterpret_cast<const char*>(n->name)) continue;
            if (!b.attr_name.empty() && !MayHaveAttribute(n, b.attr_name, b.attr_value)) continue;
            if (b.self_test) {
              at(n);
              state.rule_context = n;
              const int r = xmlXPathCompiledEvalToBoolean(b.self_test.get(), ctxt.get());
              if (r < 0) ++eval_errors;
              if (r != 1) continue;
            }
            if (!b.tail) {
              matched.push_back(n);
              continue;
            }
            at(n);
            state.rule_context = n;
            xml::XPathObjectPtr v(xmlXPathCompiledEval(b.tail.get(), ctxt.get()));
            if (!v) {
              ++eval_errors;
              continue;
            }
            if (v->type == XPATH_NODESET && v->nodesetval != nullptr) {
              for (int i = 0; i < v->nodesetval->nodeNr; ++i) matched.push_back(v->nodesetval->nodeTab[i]);
              sort_needed = true;
            }
          }
        } else if (b.subtree_base) {
          at(root_node);
          xml::XPathObjectPtr v(xmlXPathCompiledEval(b.subtree_base.get(), ctxt.get()));
          if (!v) {
            ++eval_errors;
            continue;
          }
          if (v->type != XPATH_NODESET || v->nodesetval == nullptr) continue;
          // The base nodes come in document order; unless one lies inside
          // another's subtree the walks find each element once, in order.
          // Otherwise sort and drop repeats.
          xmlNode* previous = nullptr;
          for (int i = 0; i < v->nodesetval->nodeNr; ++i) {
            xmlNode* top = v->nodesetval->nodeTab[i];
            if (previous != nullptr && top != nullptr && !sort_needed) {
              for (const xmlNode* up = top->parent; up != nullptr; up = up->parent) {
                if (up == previous) sort_needed = true;
              }
            }
            if (top != nullptr &&
                (top->type == XML_ELEMENT_NODE || top->type == XML_DOCUMENT_NODE)) {
              previous = top;
            }
            // descendant-or-self::* of anything but an element or the
            // document (text, attributes, namespaces) holds no element.
            if (top == nullptr ||
                (top->type != XML_ELEMENT_NODE && top->type != XML_DOCUMENT_NODE)) {
              continue;
            }
            // Pre-order walk of the subtree below `top` (and `top` itself).
            for (xmlNode* n = top->type == XML_ELEMENT_NODE ? top : top->children; n != nullptr;) {
              if (n->type == XML_ELEMENT_NODE) {
                bool has = false;
                for (const xmlAttr* a = n->properties; a != nullptr && !has; a = a->next) {
                  has = a->ns == nullptr && b.subtree_attr == reinterpret_cast<const char*>(a->name);
                }
                if (has) {
                  bool keep = true;
                  if (b.self_test) {
                    at(n);
                    state.rule_context = n;
                    const int r = xmlXPathCompiledEvalToBoolean(b.self_test.get(), ctxt.get());
                    if (r < 0) ++eval_errors;
                    keep = r == 1;
                  }
                  if (keep) matched.push_back(n);
                }
                if (n->children != nullptr) {
                  n = n->children;
                  continue;
                }
              }
              // Next in pre-order: the next sibling of the nearest node,
              // from here up to (not including) `top`, that has one.
              while (n != top && n->next == nullptr) n = n->parent;
              n = n == top ? nullptr : n->next;
            }
          }
        } else {
          at(root_node);
          xml::XPathObjectPtr v(xmlXPathCompiledEval(b.full.get(), ctxt.get()));
          if (!v) {
            ++eval_errors;
            continue;
          }
          if (v->type == XPATH_NODESET && v->nodesetval != nullptr) {
            for (int i = 0; i < v->nodesetval->nodeNr; ++i) matched.push_back(v->nodesetval->nodeTab[i]);
          }
        }
      }
      if (sort_needed) {
        std::sort(matched.begin(), matched.end(), [](xmlNode* a, xmlNode* b) {
          return xmlXPathCmpNodes(a, b) > 0;
        });
        matched.erase(std::unique(matched.begin(), matched.end()), matched.end());
      }
      for (xmlNode* node : matched) {
        if (claims && !claimed.insert(node).second) continue;  // an earlier rule of this pattern fired
        state.rule_context = node;
        at(node);
        for (const Let& let : rule.lets) {
          at(node);
          set_let(let);
        }
        for (const Assertion& a : rule.assertions) {
          if (a.needs_missing_document) continue;
          at(node);
          const int r = xmlXPathCompiledEvalToBoolean(a.test.get(), ctxt.get());
          if (r < 0) {
            ++eval_errors;
            continue;
          }
          const bool fire = a.is_report ? r == 1 : r == 0;
          if (!fire) continue;
          std::string message = render(a.message, node);
          for (const Message& d : a.diagnostics) {
            const std::string extra = render(d, node);
            if (!extra.empty()) message += " " + extra;
          }
          if (message.empty()) message = (a.is_report ? "report: " : "assertion failed: ") + a.test_text;
          Finding finding{a.severity, kStage, a.id, std::move(message),
                          Location{xml::NodePath(node),
                                   node->type == XML_ELEMENT_NODE ? xmlGetLineNo(node) : 0, 0},
                          a.test_text, a.is_report};
          report.Add(std::move(finding));
        }
      }
    }
  }
  if (impl.skipped_for_missing > 0) {
    std::string files;
    for (const std::string& f : impl.missing_documents) files += (files.empty() ? "" : ", ") + f;
    report.Add(Severity::kWarning, kStage, "rules.document-missing",
               std::to_string(impl.skipped_for_missing) + " assertions of " +
                   fs::path(impl.path).filename().string() + " were skipped: they read " + files +
                   ", which is missing next to the schema");
  }
  if (eval_errors > 0) {
    report.Add(Severity::kWarning, kStage, "rules.evaluation-error",
               std::to_string(eval_errors) + " XPath evaluations of " +
                   fs::path(impl.path).filename().string() +
                   " failed on this document (an undeclared prefix or variable?) and were skipped");
  }
  return Status::Ok();
}

}  // namespace kanta::validate::rules
