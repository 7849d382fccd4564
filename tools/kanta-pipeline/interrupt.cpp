#include "interrupt.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstddef>

namespace kanta::cli {
namespace {

std::atomic<int> arrived{0};
static_assert(std::atomic<int>::is_always_lock_free, "read and written in a signal handler");

constexpr int kSignals[] = {SIGINT, SIGTERM};
constexpr std::size_t kCount = sizeof kSignals / sizeof kSignals[0];
struct sigaction before[kCount];

// Puts back the dispositions from before the scope (sigaction is
// async-signal-safe).
void Restore() {
  for (std::size_t i = 0; i < kCount; ++i) sigaction(kSignals[i], &before[i], nullptr);
}

void OnSignal(int signal) {
  const int saved_errno = errno;  // the interrupted thread may be about to read it
  int none = 0;
  arrived.compare_exchange_strong(none, signal);  // the first signal is the one reported
  Restore();  // the next SIGINT or SIGTERM, of either kind, ends the program at once
  // write(2) is async-signal-safe; iostreams are not.
  static constexpr char kMessage[] =
      "\nkanta-pipeline: interrupted: finishing the documents in progress and the report "
      "(signal again to stop at once)\n";
  const ssize_t ignored = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  (void)ignored;
  errno = saved_errno;
}

}  // namespace

InterruptScope::InterruptScope() {
  arrived.store(0);
  struct sigaction action {};
  action.sa_handler = OnSignal;
  // Both signals are held off while the handler runs, so that it finishes
  // restoring before the other one can arrive.
  sigemptyset(&action.sa_mask);
  for (const int s : kSignals) sigaddset(&action.sa_mask, s);
  action.sa_flags = SA_RESTART;  // reads and writes in progress go on
  // Every earlier handler is read before any is replaced: Restore() may run
  // as soon as the first is installed.
  for (std::size_t i = 0; i < kCount; ++i) sigaction(kSignals[i], nullptr, &before[i]);
  for (std::size_t i = 0; i < kCount; ++i) {
    // A signal ignored from the start (a background job of a script, nohup)
    // stays ignored, as the shell meant.
    if (before[i].sa_handler == SIG_IGN) continue;
    sigaction(kSignals[i], &action, nullptr);
  }
}

InterruptScope::~InterruptScope() { Restore(); }

int InterruptSignal() { return arrived.load(std::memory_order_relaxed); }

std::string InterruptName(int signal) {
  switch (signal) {
    case 0:
      return "";
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "signal " + std::to_string(signal);
  }
}

}  // namespace kanta::cli
