#include "core/input_paths.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

namespace kanta {
namespace {

Status Walk(const fs::path& dir, std::vector<std::string>& out) {
  std::error_code ec;
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') continue;
    entries.push_back(*it);
  }
  if (ec) return Unavailable("cannot read folder " + dir.string() + ": " + ec.message());
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path().native() < b.path().native(); });
  for (const auto& e : entries) {
    if (e.is_directory(ec)) {
      RETURN_IF_ERROR(Walk(e.path(), out));
    } else if (e.is_regular_file(ec)) {
      out.push_back(e.path().string());
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> ExpandInputPaths(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    if (p == "-") {
      out.push_back(p);
      continue;
    }
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) return NotFound("input path does not exist: " + p);
    if (fs::is_directory(st)) {
      RETURN_IF_ERROR(Walk(p, out));
    } else {
      out.push_back(p);
    }
  }
  return out;
}

}  // namespace kanta
