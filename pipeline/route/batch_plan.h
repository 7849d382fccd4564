// BatchPlan: the order in which ingest processes a batch.
//
// Authorisation documents (outsourcing authorisations, client-relationship
// documents) take effect when stored, so within one batch they go first,
// whatever the file order and the number of workers: ingest runs them as a
// wave of their own before the other documents. Telling them apart must not
// cost a second parse of every document: a byte scan of the header (up to
// the body's start tag) picks the candidates (a document that is an
// authorisation must name its form's code system there literally, unless it
// is UTF-16, uses character references or is wrapped in an archive message,
// all of which are candidates too), and only candidates are parsed to decide
// for certain.
//
// Thread-safety: PlanBatch() is a plain function; it uses `jobs` threads.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/input_paths.h"
#include "core/pipeline.h"
#include "registers/directory.h"

namespace kanta::route {

// The batch in two waves: the first is the authorisation documents, listed
// here (a batch holds few); the second is every other input, which the
// caller walks again (so a plan costs no memory per document). Standard
// input ("-") can be read only once: its first occurrence is read here and
// its bytes kept; files are read again when processed.
struct BatchPlan {
  std::vector<std::string> authorisations;  // first wave, in input order ("-" = standard input)
  std::size_t parsed = 0;                   // candidates that needed a parse to decide
  bool standard_input_read = false;         // the first "-" was read into standard_input
  bool standard_input_is_authorisation = false;
  std::string standard_input;
};

// True when `bytes` may be an authorisation document (see above).
bool MayBeAuthorisation(std::string_view bytes, const registers::RegisterPolicy& policy);

// Walks `inputs` once (from where it stands; the caller rewinds it for the
// second wave) and picks the authorisation documents. `parse` must hold the
// intake and parse stages (it decides for candidates). Files that cannot be
// read belong to the second wave, where the intake stage reports them. When
// `stop` is given and returns true, the walk ends early and the plan is
// incomplete (the caller, interrupted, processes nothing).
BatchPlan PlanBatch(InputWalk& inputs, const Pipeline& parse,
                    const registers::RegisterPolicy& policy, std::size_t max_bytes,
                    std::size_t jobs, const std::function<bool()>& stop = nullptr);

}  // namespace kanta::route
