// Clock: where the signer gets the signature time. A seam so tests can fix
// the time; the program uses SystemClock.
//
// Thread-safety: implementations must allow concurrent Now() calls.
#pragma once

#include <chrono>

namespace kanta::crypto {

class Clock {
 public:
  virtual ~Clock() = default;
  // The current time.
  virtual std::chrono::system_clock::time_point Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
};

}  // namespace kanta::crypto
