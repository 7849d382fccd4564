#include "xml/library_scope.h"

#include <libxml/parser.h>
#include <xercesc/util/PlatformUtils.hpp>

namespace kanta::xml {

LibraryScope::LibraryScope() {
  xercesc::XMLPlatformUtils::Initialize();
  xmlInitParser();
}

LibraryScope::~LibraryScope() {
  xmlCleanupParser();
  xercesc::XMLPlatformUtils::Terminate();
}

}  // namespace kanta::xml
