// The inputs of a batch: the files and folders a user names, walked into a
// list of file paths.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace kanta {

// Walks the paths a user gives, lazily: a folder is listed only when the walk
// reaches it, so a batch of any size costs the memory of the folders on the
// current path, not a list of every file. The order is the same on every run
// and machine: paths as given; inside a folder, entries sorted by name (byte
// order), sub-folders walked where they sort; hidden entries (".name") are
// skipped inside folders. "-" is returned as is (standard input).
//
// Thread-safety: none; one thread walks.
class InputWalk {
 public:
  // Fails with NotFound naming the first path that does not exist.
  static Result<InputWalk> Start(std::vector<std::string> paths);

  // The next file path; nullopt at the end. A folder that cannot be listed
  // is returned itself: reading it then fails like any unreadable input, and
  // the batch goes on. Its error is also kept (folder_error()).
  std::optional<std::string> Next();

  // Starts again from the first path; folders are listed again, as they are
  // now.
  void Rewind();

  // The first folder that could not be listed, or Ok.
  const Status& folder_error() const { return folder_error_; }

 private:
  struct Entry {
    std::string path;
    bool folder = false;
  };
  struct Folder {
    std::vector<Entry> entries;  // sorted
    std::size_t next = 0;
  };
  explicit InputWalk(std::vector<std::string> roots) : roots_(std::move(roots)) {}
  // Lists `path` onto the stack; false (and folder_error_ set) when it cannot
  // be read.
  bool Enter(const std::string& path);

  std::vector<std::string> roots_;
  std::size_t next_root_ = 0;
  std::vector<Folder> stack_;
  Status folder_error_;
};

// The whole walk as a list, for the few inputs a command needs all of at
// once (rule files, files to sign). Fails with NotFound for a path that does
// not exist and Unavailable for a folder that cannot be read.
Result<std::vector<std::string>> ExpandInputPaths(const std::vector<std::string>& paths);

}  // namespace kanta
