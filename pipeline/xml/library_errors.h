// LibraryErrorCapture: collects the error messages that xmlsec, libxslt and
// libxml2's generic error channel report on one thread while it is alive.
//
// Those libraries report some errors only through process-wide callbacks.
// LibraryScope installs the callbacks once; each hands its message to the
// capture that is active on the calling thread, or writes it to standard
// error when none is. Create one on the stack around a call into xmlsec or
// libxslt and read messages() afterwards. Captures nest: the innermost one
// collects.
//
// Thread-safety: a capture belongs to the thread that created it and must be
// destroyed on that thread, in reverse order of creation.
#pragma once

#include <string>
#include <vector>

namespace kanta::xml {

class LibraryErrorCapture {
 public:
  LibraryErrorCapture();
  ~LibraryErrorCapture();
  LibraryErrorCapture(const LibraryErrorCapture&) = delete;
  LibraryErrorCapture& operator=(const LibraryErrorCapture&) = delete;

  // The messages collected so far, oldest first, each trimmed.
  const std::vector<std::string>& messages() const { return messages_; }
  bool empty() const { return messages_.empty(); }
  // The distinct messages joined with "; ", libxml2's and libxslt's (the
  // root causes) before xmlsec's (mostly its call chain), cut after
  // `max_chars`.
  std::string Summary(std::size_t max_chars = 600) const;
  void Clear() { messages_.clear(); }

  // Called by the library callbacks: adds `message` to the capture active on
  // this thread, or writes it to standard error. Never throws.
  static void Deliver(const std::string& message) noexcept;

 private:
  LibraryErrorCapture* previous_;
  std::vector<std::string> messages_;
};

}  // namespace kanta::xml
