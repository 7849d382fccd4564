#include "validate/schema/schema_validator.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <vector>

#include "validate/schema/libxml2_validator.h"
#include "validate/schema/xerces_validator.h"

namespace fs = std::filesystem;

namespace kanta::validate {

std::string_view SchemaEngineName(SchemaEngine e) {
  return e == SchemaEngine::kXerces ? "xerces" : "libxml2";
}

Result<SchemaEngine> ParseSchemaEngine(std::string_view name) {
  if (name == "libxml2") return SchemaEngine::kLibxml2;
  if (name == "xerces") return SchemaEngine::kXerces;
  return InvalidArgument("unknown schema engine '" + std::string(name) +
                         "' (expected xerces or libxml2)");
}

Result<std::unique_ptr<SchemaValidator>> LoadSchemaValidator(const SchemaOptions& options) {
  switch (options.engine) {
    case SchemaEngine::kLibxml2: return LoadLibxml2Validator(options);
    case SchemaEngine::kXerces: return LoadXercesValidator(options);
  }
  return InvalidArgument("unknown schema engine");
}

Result<std::string> FindSchemaEntry(const std::string& dir_or_file) {
  std::error_code ec;
  const fs::path p(dir_or_file);
  if (fs::is_regular_file(p, ec)) return p.string();
  if (!fs::is_directory(p, ec)) return NotFound("schema folder does not exist: " + dir_or_file);
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  for (const char* wanted : {"cda_fi.xsd", "cda.xsd"}) {
    std::vector<fs::path> hits;
    for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
      if (it.depth() > 3) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec) && lower(it->path().filename().string()) == wanted) {
        hits.push_back(it->path());
      }
    }
    if (!hits.empty()) {
      std::sort(hits.begin(), hits.end(), [](const fs::path& a, const fs::path& b) {
        const auto da = std::distance(a.begin(), a.end()), db = std::distance(b.begin(), b.end());
        return da != db ? da < db : a < b;
      });
      return hits.front().string();
    }
  }
  return NotFound("no CDA_Fi.xsd or CDA.xsd in " + dir_or_file +
                  " (give the folder of the Kanta schema package, or the .xsd itself)");
}

}  // namespace kanta::validate
