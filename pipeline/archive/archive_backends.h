// The archive backends, as the archive module exposes them.
//
// OpenArchive (archive.h) loads the archive module (libkanta_archive.so) on
// first use and calls kanta_archive_open, which dispatches to the SQLite or
// PostgreSQL backend here. Tests and tools that link the backends directly
// call OpenArchiveBackend.
#pragma once

#include <memory>
#include <string_view>

#include "archive/archive.h"

namespace kanta::archive {

// Opens the archive at `url` with the backend its scheme names (see
// OpenArchive).
Result<std::unique_ptr<Archive>> OpenArchiveBackend(std::string_view url);

}  // namespace kanta::archive

// The module's entry point: opens `url` into `out`.
extern "C" void kanta_archive_open(const char* url,
                                   kanta::Result<std::unique_ptr<kanta::archive::Archive>>& out);
