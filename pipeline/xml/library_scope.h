// LibraryScope: starts and stops the C/C++ XML libraries, once, in order.
//
// Create exactly one in main() (or a test's main) before any other project
// code runs, and keep it alive until all work is done. It starts libxml2;
// shutdown is the reverse of start-up. Global policy for those libraries is
// set here and nowhere else. Xerces-C is the exception: the Xerces schema
// engine is a module loaded on first use, which starts Xerces-C itself and
// stops it when the program ends (validate/schema/xerces_validator.h).
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
