// LibraryScope: starts and stops the C/C++ XML libraries, once, in order.
//
// Create exactly one in main() (or a test's main) before any other project
// code runs, and keep it alive until all work is done. Start-up order is
// Xerces-C, then libxml2; shutdown is the reverse. Global policy for those
// libraries is set here and nowhere else.
#pragma once

namespace kanta::xml {

class LibraryScope {
 public:
  LibraryScope();
  ~LibraryScope();
  LibraryScope(const LibraryScope&) = delete;
  LibraryScope& operator=(const LibraryScope&) = delete;
};

}  // namespace kanta::xml
