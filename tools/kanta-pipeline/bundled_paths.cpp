#include "bundled_paths.h"

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace kanta::cli {

std::string DataHome() {
  std::error_code ec;
  auto has_schemas = [&](const fs::path& p) { return fs::is_directory(p / "schemas", ec); };
  if (const char* env = std::getenv("KANTA_PIPELINE_HOME"); env != nullptr && *env != 0) {
    return env;  // explicit choice: used even if incomplete, so errors name it
  }
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "kanta-pipeline";
    if (has_schemas(installed)) return installed.string();
  }
  const fs::path source(KANTA_SOURCE_DIR);
  if (has_schemas(source)) return source.string();
  return {};
}

}  // namespace kanta::cli
