#include <string>

#include "core/module.h"
#include "validate/schema/xerces_validator.h"

namespace kanta::validate {
namespace {

using EntryPoint = void (*)(const SchemaOptions&, Result<std::unique_ptr<SchemaValidator>>&);

constexpr const char* kEngineFile = "libkanta_xerces_engine.so";

}  // namespace

Result<std::unique_ptr<SchemaValidator>> LoadXercesValidator(const SchemaOptions& options) {
  ASSIGN_OR_RETURN(void* entry,
                   LoadModuleSymbol(kEngineFile, KANTA_XERCES_ENGINE, "kanta_xerces_engine_load"));
  Result<std::unique_ptr<SchemaValidator>> out = Internal("the Xerces-C engine gave no answer");
  reinterpret_cast<EntryPoint>(entry)(options, out);
  return out;
}

}  // namespace kanta::validate
