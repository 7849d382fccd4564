// LibraryScope: starts and stops the C/C++ XML and crypto libraries, once,
// in order.
//
// Create exactly one in main() (or a test's main) before any other project
// code runs, and keep it alive until all work is done. Start-up order is
// libxml2, libxslt, xmlsec, xmlsec's OpenSSL backend; shutdown is the
// reverse. (Xerces-C is not started here: the Xerces schema engine is a
// module loaded on first use, which starts Xerces-C itself and stops it when
// the program ends; see validate/schema/xerces_validator.h.) Global policy
// for those libraries is set here and nowhere else:
//  - libxslt may not read or write files, create folders or use the network
//    (its default security preferences and xmlsec's XSLT transform both
//    forbid it), so an XSLT transform inside an untrusted signature cannot
//    reach outside the document;
//  - xmlsec's own safe external-entity loader stays installed (only the
//    document being opened may be loaded, never an entity or a DTD it names);
//  - the error callbacks of xmlsec, libxslt and libxml2's generic channel
//    hand their messages to the LibraryErrorCapture active on the calling
//    thread (xml/library_errors.h), so errors become findings instead of
//    stderr noise.
//
// Construction aborts the process with a message when a library cannot start
// (nothing else can work then).
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
