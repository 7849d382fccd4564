#include "xml/library_scope.h"

#include <malloc.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxslt/security.h>
#include <libxslt/xslt.h>
#include <libxslt/xsltutils.h>
// xmlsec.h first: the other xmlsec headers rely on its types.
#include <xmlsec/xmlsec.h>
#include <xmlsec/errors.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/transforms.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "xml/library_errors.h"
#include "xml/secure_parser.h"

namespace kanta::xml {
namespace {

thread_local LibraryErrorCapture* active_capture = nullptr;

// libxml2's generic channel and libxslt deliver a message in printf pieces
// (a line may arrive in several calls); complete lines are delivered.
thread_local std::string pending_line;
thread_local bool source_line_follows = false;

void DeliverLines(const char* text) {
  pending_line += text;
  std::size_t nl;
  while ((nl = pending_line.find('\n')) != std::string::npos) {
    std::string line = pending_line.substr(0, nl);
    pending_line.erase(0, nl + 1);
    // libxml2 follows a parser error ("namespace error : ...") with the
    // offending source line and a caret under it; neither says anything a
    // finding needs.
    if (line.find_first_not_of(" \t^") == std::string::npos) continue;
    if (source_line_follows) {
      source_line_follows = false;
      continue;
    }
    if (line.find("error : ") != std::string::npos || line.find("warning : ") != std::string::npos) {
      source_line_follows = true;
    }
    LibraryErrorCapture::Deliver(line);
  }
}

void OnGenericError(void*, const char* format, ...) {
  char buffer[2048];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  try {
    DeliverLines(buffer);
  } catch (...) {
    // No exception may cross libxml2's C frames; the message is lost.
  }
}

void OnXmlsecError(const char* /*file*/, int /*line*/, const char* func,
                   const char* error_object, const char* error_subject, int reason,
                   const char* msg) noexcept {
  try {
    std::string reason_text;
    for (xmlSecSize i = 0; i < XMLSEC_ERRORS_MAX_NUMBER && xmlSecErrorsGetMsg(i) != nullptr;
         ++i) {
      if (xmlSecErrorsGetCode(i) == reason) {
        reason_text = xmlSecErrorsGetMsg(i);
        break;
      }
    }
    std::string m = "xmlsec: ";
    if (func != nullptr) m += std::string(func) + ": ";
    if (error_subject != nullptr && *error_subject != '\0') m += std::string(error_subject) + ": ";
    if (error_object != nullptr && *error_object != '\0' &&
        std::string_view(error_object) != "unknown") {
      m += "[" + std::string(error_object) + "] ";
    }
    m += reason_text;
    if (msg != nullptr && *msg != '\0') m += ": " + std::string(msg);
    LibraryErrorCapture::Deliver(m);
  } catch (...) {
  }
}

[[noreturn]] void Die(const char* what) {
  std::cerr << "kanta-pipeline: cannot start " << what << "\n";
  std::abort();
}

xsltSecurityPrefsPtr xslt_prefs = nullptr;

}  // namespace

LibraryErrorCapture::LibraryErrorCapture() : previous_(active_capture) {
  active_capture = this;
}

LibraryErrorCapture::~LibraryErrorCapture() { active_capture = previous_; }

std::string LibraryErrorCapture::Summary(std::size_t max_chars) const {
  std::string s;
  std::vector<const std::string*> seen;
  // Root causes first: libxml2 and libxslt say what was wrong; xmlsec's own
  // messages mostly trace the call chain above them.
  std::vector<const std::string*> ordered;
  for (const std::string& m : messages_) {
    if (m.rfind("xmlsec: ", 0) != 0) ordered.push_back(&m);
  }
  for (const std::string& m : messages_) {
    if (m.rfind("xmlsec: ", 0) == 0) ordered.push_back(&m);
  }
  for (const std::string* m : ordered) {
    bool duplicate = false;
    for (const std::string* other : seen) duplicate = duplicate || *other == *m;
    if (duplicate) continue;
    seen.push_back(m);
    if (!s.empty()) s += "; ";
    s += *m;
    if (s.size() >= max_chars) {
      s.resize(max_chars);
      s += "...";
      break;
    }
  }
  return s;
}

void LibraryErrorCapture::Deliver(const std::string& message) noexcept {
  try {
    std::string m = message;
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    if (m.empty()) return;
    if (active_capture != nullptr) {
      active_capture->messages_.push_back(std::move(m));
    } else {
      std::cerr << "kanta-pipeline: " << m << "\n";
    }
  } catch (...) {
  }
}

LibraryScope::LibraryScope() {
  // glibc hands the top of the heap (and every block over 128 KiB, which it
  // mmaps) back to the kernel as soon as it is freed. A batch frees and
  // allocates document-sized buffers for every document, and each give-back
  // flushes the TLB of every core: 15-25 % of the time of a signing run,
  // and worse with more threads (docs/performance.md). Keep freed memory for
  // the next document instead; the peak stays bounded by the documents in
  // flight. (This tunes glibc's malloc, used when the program is built with
  // KANTA_ALLOCATOR=system; jemalloc, the default, keeps freed memory anyway.)
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  xmlInitParser();
  // The generic channel is per thread in libxml2: the thread default covers
  // worker threads started later, the second call this thread.
  xmlThrDefSetGenericErrorFunc(nullptr, &OnGenericError);
  xmlSetGenericErrorFunc(nullptr, &OnGenericError);

  xsltInit();
  xsltSetGenericErrorFunc(nullptr, &OnGenericError);
  xslt_prefs = xsltNewSecurityPrefs();
  if (xslt_prefs == nullptr) Die("libxslt (security preferences)");
  for (xsltSecurityOption option : {XSLT_SECPREF_READ_FILE, XSLT_SECPREF_WRITE_FILE,
                                    XSLT_SECPREF_CREATE_DIRECTORY, XSLT_SECPREF_READ_NETWORK,
                                    XSLT_SECPREF_WRITE_NETWORK}) {
    if (xsltSetSecurityPrefs(xslt_prefs, option, xsltSecurityForbid) != 0) {
      Die("libxslt (security preferences)");
    }
  }
  xsltSetDefaultSecurityPrefs(xslt_prefs);

  if (xmlSecInit() < 0) Die("xmlsec");
  if (xmlSecCheckVersion() != 1) Die("xmlsec (the loaded library is not the one built against)");
  if (xmlSecOpenSSLAppInit(nullptr) < 0) Die("xmlsec's OpenSSL backend");
  if (xmlSecOpenSSLInit() < 0) Die("xmlsec's OpenSSL backend");
  xmlSecTransformXsltSetDefaultSecurityPrefs(xslt_prefs);
  // Last: the backend's start-up installs xmlsec's default callback again.
  xmlSecErrorsSetCallback(&OnXmlsecError);
}

LibraryScope::~LibraryScope() {
  // This thread's reusable parser context holds libxml2 memory: free it
  // while libxml2 is still up.
  ReleaseThreadParserContext();
  xmlSecOpenSSLShutdown();
  xmlSecOpenSSLAppShutdown();
  xmlSecShutdown();
  xsltSetDefaultSecurityPrefs(nullptr);
  xsltFreeSecurityPrefs(xslt_prefs);
  xslt_prefs = nullptr;
  xsltCleanupGlobals();
  xmlCleanupParser();
}

}  // namespace kanta::xml
