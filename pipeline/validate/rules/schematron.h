// Schematron: an ISO Schematron engine on libxml2's XPath 1.0.
//
// Load() reads a schema (with its includes), instantiates abstract patterns
// (is-a + params) and abstract rules (extends), selects the phase, checks
// every XPath for XPath 1.0 / XSLT 1.0 functions only, and compiles every
// expression once. The result is immutable and shared by all threads.
//
// Validate() runs the active patterns over an already parsed document: one
// walk of the tree builds an element index; a rule context of the form
// prefix:name[predicate] (almost every real rule) is matched against the
// indexed elements of that name only, others are evaluated as XPath from the
// root. Within a pattern a node is claimed by the first rule whose context
// matches it, as the standard says. Each failed assert and each successful
// report becomes a Finding (stage "rules").
//
// Supported: schema/pattern/rule/assert/report, let (schema, pattern, rule),
// ns, name, value-of, emph/dir/span (as text), diagnostics, phase/active,
// abstract rules + extends, abstract patterns + is-a + param, include;
// query bindings xslt, xslt1, xpath or none; functions current() and
// document() (files next to the schema only). Anything else that changes
// meaning (an xslt2 binding, XPath 2.0 functions) is a load-time error.
//
// Thread-safety: immutable after Load(); Validate() may run concurrently.
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <string>
#include <vector>

#include "core/finding.h"
#include "core/status.h"

namespace kanta::validate::rules {

struct SchematronOptions {
  std::string phase;  // "" = the schema's defaultPhase, else #ALL
};

class CompiledSchematron {
 public:
  ~CompiledSchematron();
  CompiledSchematron(const CompiledSchematron&) = delete;
  CompiledSchematron& operator=(const CompiledSchematron&) = delete;

  // Loads and compiles `path`. Fails with FailedPrecondition naming the file,
  // the element and the reason (unsupported binding or function, an XPath
  // that does not compile, a missing include, an unknown phase or rule).
  static Result<std::unique_ptr<CompiledSchematron>> Load(const std::string& path,
                                                          const SchematronOptions& options = {});

  // Runs the active patterns over `doc`, adding findings to `report`.
  // Returns non-OK only when libxml2 itself fails.
  Status Validate(xmlDoc* doc, Report& report) const;

  const std::string& path() const;
  const std::string& title() const;
  std::size_t rule_count() const;
  std::size_t assertion_count() const;
  // Configuration warnings found at load time (e.g. a missing document()).
  const std::vector<std::string>& load_warnings() const;

  struct Impl;

 private:
  explicit CompiledSchematron(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kanta::validate::rules
