#include "core/module.h"

#include <dlfcn.h>

#include <filesystem>
#include <map>
#include <mutex>

namespace kanta {
namespace {

namespace fs = std::filesystem;

std::string ModulePath(const std::string& file, const std::string& build_path) {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "lib" / "kanta-pipeline" / file;
    if (fs::is_regular_file(installed, ec)) return installed.string();
  }
  return build_path;
}

}  // namespace

Result<void*> LoadModuleSymbol(const std::string& file, const std::string& build_path,
                               const char* symbol) {
  // dlopen keeps its own count; the map only avoids asking it twice and
  // remembers why a module failed.
  static std::mutex mu;
  static std::map<std::string, std::pair<void*, std::string>> loaded;
  std::lock_guard lock(mu);
  auto it = loaded.find(file);
  if (it == loaded.end()) {
    const std::string path = ModulePath(file, build_path);
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    std::string why;
    if (handle == nullptr) {
      const char* error = dlerror();
      why = "the module " + path + " cannot be loaded: " + (error != nullptr ? error : "unknown error");
    }
    it = loaded.emplace(file, std::make_pair(handle, why)).first;
  }
  if (it->second.first == nullptr) return FailedPrecondition(it->second.second);
  void* address = dlsym(it->second.first, symbol);
  if (address == nullptr) {
    return FailedPrecondition("the module " + file + " has no " + symbol +
                              " (it belongs to another build of the program)");
  }
  return address;
}

}  // namespace kanta
