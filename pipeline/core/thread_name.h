// Names the calling thread for `top -H`, `ps -L`, gdb and perf, so an
// operator can see which part of a run uses the CPU (kanta-work, kanta-store,
// kanta-ckpt, ...). Linux keeps 15 characters; longer names are cut.
#pragma once

#include <string_view>

namespace kanta {

void NameThisThread(std::string_view name);

}  // namespace kanta
