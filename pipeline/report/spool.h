// Spool: a temporary file for the per-document part of a report whose header
// needs totals known only at the end (JUnit, HTML). Keeps memory flat.
#pragma once

#include <cstdio>
#include <memory>
#include <ostream>
#include <string_view>

#include "core/status.h"

namespace kanta::report {

class Spool {
 public:
  Spool() : file_(std::tmpfile()) {}
  bool ok() const { return file_ != nullptr; }
  void Write(std::string_view s) {
    if (file_) std::fwrite(s.data(), 1, s.size(), file_.get());
  }
  // Copies everything written so far to `out`.
  Status CopyTo(std::ostream& out);

 private:
  struct Closer { void operator()(std::FILE* f) const { std::fclose(f); } };
  std::unique_ptr<std::FILE, Closer> file_;
};

}  // namespace kanta::report
