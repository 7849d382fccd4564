#include "core/thread_name.h"

#include <pthread.h>

#include <string>

namespace kanta {

void NameThisThread(std::string_view name) {
  const std::string cut(name.substr(0, 15));
  // Best effort: a name is a diagnostic aid, never a reason to fail.
  (void)pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace kanta
