// Optional modules: parts of the program loaded on first use.
//
// Some parts pull in large libraries that most runs never need (Xerces-C for
// one schema engine; Poco::Data, SQLite, libpq and its Kerberos/LDAP/TLS
// stack for the archive). Loading every library at start costs each run tens
// of milliseconds in the dynamic linker, so these parts are built as modules
// and loaded when first used. A module is found installed next to the
// program (PREFIX/lib/kanta-pipeline/FILE, for PREFIX/bin/kanta-pipeline),
// else where the build put it. A loaded module stays until the program ends.
//
// Thread-safety: LoadModuleSymbol may be called from any thread.
#pragma once

#include <string>

#include "core/status.h"

namespace kanta {

// The address of `symbol` in module `file` (`build_path`: where the build
// put it). Fails with FailedPrecondition naming the file and the loader's
// reason when the module cannot be loaded or lacks the symbol.
Result<void*> LoadModuleSymbol(const std::string& file, const std::string& build_path,
                               const char* symbol);

}  // namespace kanta
