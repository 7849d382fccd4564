#include "core/input_paths.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

namespace kanta {

Result<InputWalk> InputWalk::Start(std::vector<std::string> paths) {
  for (const std::string& p : paths) {
    if (p == "-") continue;
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) return NotFound("input path does not exist: " + p);
  }
  return InputWalk(std::move(paths));
}

bool InputWalk::Enter(const std::string& path) {
  std::error_code ec;
  Folder folder;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    const std::string name = p.filename().string();
    if (!name.empty() && name[0] == '.') continue;
    std::error_code type_ec;
    if (it->is_directory(type_ec)) {
      folder.entries.push_back({p.string(), true});
    } else if (it->is_regular_file(type_ec)) {
      folder.entries.push_back({p.string(), false});
    }
  }
  if (ec) {
    if (folder_error_.ok()) {
      folder_error_ = Unavailable("cannot read folder " + path + ": " + ec.message());
    }
    return false;
  }
  std::sort(folder.entries.begin(), folder.entries.end(),
            [](const Entry& a, const Entry& b) { return a.path < b.path; });
  stack_.push_back(std::move(folder));
  return true;
}

std::optional<std::string> InputWalk::Next() {
  for (;;) {
    while (!stack_.empty()) {
      Folder& top = stack_.back();
      if (top.next == top.entries.size()) {
        stack_.pop_back();
        continue;
      }
      Entry& e = top.entries[top.next++];
      if (!e.folder) return std::move(e.path);
      const std::string path = std::move(e.path);  // Enter may move `top`
      if (!Enter(path)) return path;
    }
    if (next_root_ == roots_.size()) return std::nullopt;
    const std::string& root = roots_[next_root_++];
    std::error_code ec;
    if (root == "-" || !fs::is_directory(root, ec)) return root;
    if (!Enter(root)) return root;
  }
}

void InputWalk::Rewind() {
  next_root_ = 0;
  stack_.clear();
}

Result<std::vector<std::string>> ExpandInputPaths(const std::vector<std::string>& paths) {
  ASSIGN_OR_RETURN(InputWalk walk, InputWalk::Start(paths));
  std::vector<std::string> out;
  while (std::optional<std::string> p = walk.Next()) out.push_back(std::move(*p));
  RETURN_IF_ERROR(walk.folder_error());
  return out;
}

}  // namespace kanta
