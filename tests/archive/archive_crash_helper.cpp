// Stores test documents 0..COUNT-1 into an archive, printing one line per
// outcome ("stored 12", "duplicate 13") only after Store has returned, so a
// test that kills this process knows what it was told was stored.
//
//   archive_crash_helper URL COUNT SIZE
//
// Exit 0 when every document was stored or was already there, 4 on a
// conflict, 3 on an archive failure, 2 on bad arguments.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "archive/archive.h"
#include "archive_test_support.h"

namespace {

void WriteLine(const std::string& line) {
  std::string l = line + "\n";
  std::size_t done = 0;
  while (done < l.size()) {
    const ssize_t n = write(STDOUT_FILENO, l.data() + done, l.size() - done);
    if (n <= 0) std::exit(3);
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace kanta::archive;
  if (argc != 4) {
    std::cerr << "usage: archive_crash_helper URL COUNT SIZE\n";
    return 2;
  }
  const int count = std::atoi(argv[2]);
  const std::size_t size = static_cast<std::size_t>(std::atol(argv[3]));
  auto archive = OpenArchive(argv[1]);
  if (!archive.ok()) {
    std::cerr << archive.status().ToString() << "\n";
    return 3;
  }
  auto run = (*archive)->BeginRun("crash-helper", "{}");
  if (!run.ok()) {
    std::cerr << run.status().ToString() << "\n";
    return 3;
  }
  int conflicts = 0;
  for (int i = 0; i < count; ++i) {
    auto outcome = (*archive)->Store(testing::MakeTestDocument(i, size, *run));
    if (!outcome.ok()) {
      std::cerr << outcome.status().ToString() << "\n";
      return 3;
    }
    switch (*outcome) {
      case StoreOutcome::kStored: WriteLine("stored " + std::to_string(i)); break;
      case StoreOutcome::kDuplicate: WriteLine("duplicate " + std::to_string(i)); break;
      case StoreOutcome::kConflict: WriteLine("conflict " + std::to_string(i)); ++conflicts; break;
    }
  }
  if (!(*archive)->EndRun(*run, "{}").ok()) return 3;
  return conflicts == 0 ? 0 : 4;
}
