// The Xerces-C XSD engine. See schema_validator.h for the contract.
//
// The engine is a module of its own (libkanta_xerces_engine.so), loaded on
// first use: Debian's Xerces-C brings in libcurl and some thirty libraries
// whose loading cost every run of the program ~20 ms, also the runs that
// never use Xerces (docs/decisions.md). The module starts Xerces-C when it
// is loaded and stops it when the program ends.
#pragma once

#include "validate/schema/schema_validator.h"

namespace kanta::validate {

// Loads the engine module (once per process) and `options.schema_file` with
// it. Fails when the module cannot be loaded (the message says where it was
// looked for) or the schema is broken.
Result<std::unique_ptr<SchemaValidator>> LoadXercesValidator(const SchemaOptions& options);

}  // namespace kanta::validate

// The module's entry point, found by name: loads the schema into `out`.
extern "C" void kanta_xerces_engine_load(
    const kanta::validate::SchemaOptions& options,
    kanta::Result<std::unique_ptr<kanta::validate::SchemaValidator>>& out);
