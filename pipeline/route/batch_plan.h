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

#include <string>
#include <vector>

#include "core/pipeline.h"
#include "registers/directory.h"

namespace kanta::route {

// The batch in two waves, as positions in the list of paths given to
// PlanBatch (the caller keeps that list: a plan adds 8 bytes per document,
// not a copy of every path). Standard input ("-") can be read only once: it
// is read here and its bytes kept; files are read again when processed.
struct BatchPlan {
  std::vector<std::size_t> authorisations;  // first wave, in input order
  std::vector<std::size_t> others;          // second wave, in input order
  std::size_t parsed = 0;                   // candidates that needed a parse to decide
  // The position of the first "-" whose bytes were read, or npos; its bytes.
  std::size_t standard_input_at = static_cast<std::size_t>(-1);
  std::string standard_input;
};

// True when `bytes` may be an authorisation document (see above).
bool MayBeAuthorisation(std::string_view bytes, const registers::RegisterPolicy& policy);

// Splits `paths` into the two waves. `parse` must hold the intake and parse
// stages (it decides for candidates). Files that cannot be read go to the
// second wave, where the intake stage reports them.
BatchPlan PlanBatch(const std::vector<std::string>& paths, const Pipeline& parse,
                    const registers::RegisterPolicy& policy, std::size_t max_bytes,
                    std::size_t jobs);

}  // namespace kanta::route
