#include <dlfcn.h>

#include <filesystem>
#include <string>

#include "validate/schema/xerces_validator.h"

namespace fs = std::filesystem;

namespace kanta::validate {
namespace {

using EntryPoint = void (*)(const SchemaOptions&, Result<std::unique_ptr<SchemaValidator>>&);

constexpr const char* kEngineFile = "libkanta_xerces_engine.so";

// Installed next to the program (PREFIX/bin and PREFIX/lib/kanta-pipeline),
// else where the build put it.
std::string EnginePath() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed =
        exe.parent_path().parent_path() / "lib" / "kanta-pipeline" / kEngineFile;
    if (fs::is_regular_file(installed, ec)) return installed.string();
  }
  return KANTA_XERCES_ENGINE;
}

struct Engine {
  EntryPoint entry = nullptr;
  Status status;  // why there is no entry point
};

// Loaded once; the module then stays until the program ends (validators it
// made may live that long).
const Engine& LoadedEngine() {
  static const Engine engine = [] {
    Engine e;
    const std::string path = EnginePath();
    void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (module == nullptr) {
      const char* why = dlerror();
      e.status = FailedPrecondition("the Xerces-C schema engine cannot be loaded from " + path +
                                    ": " + (why != nullptr ? why : "unknown error"));
      return e;
    }
    e.entry = reinterpret_cast<EntryPoint>(dlsym(module, "kanta_xerces_engine_load"));
    if (e.entry == nullptr) {
      e.status = FailedPrecondition(path + " is not the Xerces-C schema engine of this program");
    }
    return e;
  }();
  return engine;
}

}  // namespace

Result<std::unique_ptr<SchemaValidator>> LoadXercesValidator(const SchemaOptions& options) {
  const Engine& engine = LoadedEngine();
  if (engine.entry == nullptr) return engine.status;
  Result<std::unique_ptr<SchemaValidator>> out = Internal("the Xerces-C engine gave no answer");
  engine.entry(options, out);
  return out;
}

}  // namespace kanta::validate
