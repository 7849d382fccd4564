#include "xml/library_scope.h"

#include <libxml/parser.h>

#include "xml/secure_parser.h"

namespace kanta::xml {

LibraryScope::LibraryScope() {
  xmlInitParser();
}

LibraryScope::~LibraryScope() {
  // This thread's reusable parser context holds libxml2 memory: free it
  // while libxml2 is still up.
  ReleaseThreadParserContext();
  xmlCleanupParser();
}

}  // namespace kanta::xml
