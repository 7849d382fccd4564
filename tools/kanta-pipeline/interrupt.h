// Interrupting a batch: Ctrl-C (SIGINT) or SIGTERM ends it early but cleanly.
//
// While an InterruptScope lives, the first SIGINT or SIGTERM is only noted:
// the batch takes no further document, the documents already taken finish
// (ingest stores or sets them aside), the report is completed and says it was
// interrupted, and the program exits with 128 + the signal's number. The
// handler puts back the handlers from before as it runs, so a second SIGINT
// or SIGTERM ends the program at once, as it would have without the scope
// (ingest is crash-safe either way).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "core/batch_runner.h"

namespace kanta::cli {

class InterruptScope {
 public:
  InterruptScope();   // installs the handlers
  ~InterruptScope();  // restores the ones before
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
};

// The signal that arrived while a scope lived (SIGINT, SIGTERM), or 0.
int InterruptSignal();

// "SIGINT", "SIGTERM"; "" for 0.
std::string InterruptName(int signal);

// The exit code of a batch that `signal` interrupted: 128 + its number, as
// a shell reports a command it ended.
inline int InterruptExitCode(int signal) { return 128 + signal; }

// Yields `source`'s documents until a signal arrives, then ends.
class StopOnInterrupt final : public DocumentSource {
 public:
  explicit StopOnInterrupt(DocumentSource& source) : source_(source) {}
  std::optional<Document> Next() override {
    if (cut_) return std::nullopt;
    std::optional<Document> next = source_.Next();
    if (next && InterruptSignal() != 0) {  // one was left: it is not processed
      cut_ = true;
      return std::nullopt;
    }
    return next;
  }
  // True when a signal ended it before `source` ran out (a signal after the
  // last document interrupts nothing).
  bool cut() const { return cut_; }
  // How many documents it took from `source` and did not pass on: the one
  // that showed that a signal had come, if any.
  std::size_t dropped() const { return cut_ ? 1 : 0; }

 private:
  DocumentSource& source_;
  bool cut_ = false;
};

}  // namespace kanta::cli
