#include "xml/library_scope.h"

#include <libxml/parser.h>
#include <xercesc/util/PlatformUtils.hpp>

#include "xml/secure_parser.h"

namespace kanta::xml {

LibraryScope::LibraryScope() {
  xercesc::XMLPlatformUtils::Initialize();
  xmlInitParser();
}

LibraryScope::~LibraryScope() {
  // This thread's reusable parser context holds libxml2 memory: free it
  // while libxml2 is still up.
  ReleaseThreadParserContext();
  xmlCleanupParser();
  xercesc::XMLPlatformUtils::Terminate();
}

}  // namespace kanta::xml
