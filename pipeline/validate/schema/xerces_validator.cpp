#include "validate/schema/xerces_validator.h"

#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/framework/XMLGrammarPoolImpl.hpp>
#include <xercesc/sax/EntityResolver.hpp>
#include <xercesc/sax/Locator.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/sax2/Attributes.hpp>
#include <xercesc/sax2/ContentHandler.hpp>
#include <xercesc/sax2/DefaultHandler.hpp>
#include <xercesc/sax2/SAX2XMLReader.hpp>
#include <xercesc/sax2/XMLReaderFactory.hpp>
#include <xercesc/util/OutOfMemoryException.hpp>
#include <xercesc/util/XMLString.hpp>
#include <xercesc/util/XMLUni.hpp>

#include <map>

#include "core/utf8.h"
#include <memory>
#include <string>
#include <vector>

namespace kanta::validate {
namespace {

using namespace xercesc;

std::string ToUtf8(const XMLCh* s) {
  if (s == nullptr) return {};
  std::string out;
  // Transcode by hand from UTF-16: avoids the local code page and XMLString's
  // allocation pair; surrogate pairs are combined.
  for (const XMLCh* p = s; *p != 0; ++p) {
    unsigned cp = *p;
    if (cp >= 0xD800 && cp <= 0xDBFF && p[1] >= 0xDC00 && p[1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (p[1] - 0xDC00);
      ++p;
    }
    AppendUtf8(out, cp);
  }
  return out;
}

// Refuses every external resource: a document's schemaLocation, DTDs and
// entities are never fetched.
class NoFetchResolver final : public EntityResolver {
 public:
  InputSource* resolveEntity(const XMLCh*, const XMLCh*) override {
    static const XMLByte kEmpty[] = {0};
    return new MemBufInputSource(kEmpty, 0, "refused-external-resource", false);
  }
};

// Tracks the element path while Xerces validates, so findings carry an
// XPath, and turns Xerces' errors into findings. Xerces reports an error in a
// start tag (a bad attribute, an unexpected element) *before* calling
// startElement for it, so errors are held until the next callback: if the
// locator then stands where the error was raised, the error belongs to the
// element being started; otherwise to the element currently open. Xerces
// calls these from its own frames; the handlers catch everything.
class ValidationHandler final : public DefaultHandler {
 public:
  ValidationHandler(Report& report, std::size_t max_findings)
      : report_(report), max_findings_(max_findings) {}

  void setDocumentLocator(const Locator* const locator) override { locator_ = locator; }

  void startElement(const XMLCh* uri, const XMLCh* localname, const XMLCh*,
                    const Attributes&) override {
    try {
      std::string step;
      const std::string ns = ToUtf8(uri);
      if (ns == "urn:hl7finland") step = "hl7fi:";
      else if (!ns.empty() && ns != "urn:hl7-org:v3") step = "*:";
      step += ToUtf8(localname);
      const std::size_t n = ++counts_.back()[step];
      if (n > 1) step += "[" + std::to_string(n) + "]";
      Flush(&step);
      path_ += "/" + step;
      counts_.emplace_back();
    } catch (...) {
    }
  }
  void endElement(const XMLCh*, const XMLCh*, const XMLCh*) override {
    try {
      Flush(nullptr);
    } catch (...) {
    }
    const std::size_t slash = path_.rfind('/');
    path_.erase(slash == std::string::npos ? 0 : slash);
    if (counts_.size() > 1) counts_.pop_back();
  }

  void warning(const SAXParseException& e) override { Hold(Severity::kWarning, e); }
  void error(const SAXParseException& e) override { Hold(Severity::kError, e); }
  void fatalError(const SAXParseException& e) override { Hold(Severity::kFatal, e); }

  // Writes out whatever is still held; call after the parse.
  void Finish() {
    try {
      Flush(nullptr);
    } catch (...) {
    }
  }
  std::size_t seen() const { return seen_; }

 private:
  struct Held {
    Severity severity;
    std::string message;
    XMLFileLoc line, column;
  };

  void Hold(Severity s, const SAXParseException& e) {
    try {
      if (++seen_ > max_findings_) return;
      held_.push_back(Held{s, ToUtf8(e.getMessage()), e.getLineNumber(), e.getColumnNumber()});
    } catch (...) {
    }
  }

  // `starting` is the step of the element whose start tag was just read.
  void Flush(const std::string* starting) {
    for (Held& h : held_) {
      const bool in_start_tag = starting != nullptr && locator_ != nullptr &&
                                locator_->getLineNumber() == h.line &&
                                locator_->getColumnNumber() == h.column;
      std::string xpath = in_start_tag ? path_ + "/" + *starting : path_;
      report_.Add(h.severity, "schema", "schema.validity", std::move(h.message),
                  Location{std::move(xpath), static_cast<std::int64_t>(h.line),
                           static_cast<std::int64_t>(h.column)});
    }
    held_.clear();
  }

  Report& report_;
  std::size_t max_findings_;
  std::size_t seen_ = 0;
  const Locator* locator_ = nullptr;
  std::string path_;
  std::vector<std::map<std::string, std::size_t>> counts_{1};
  std::vector<Held> held_;
};

// Collects errors while the grammar is loaded.
class LoadErrorHandler final : public DefaultHandler {
 public:
  void error(const SAXParseException& e) override { Add(e); }
  void fatalError(const SAXParseException& e) override { Add(e); }
  std::vector<std::string> errors;

 private:
  void Add(const SAXParseException& e) {
    try {
      errors.push_back(ToUtf8(e.getSystemId()) + ":" + std::to_string(e.getLineNumber()) +
                       ": " + ToUtf8(e.getMessage()));
    } catch (...) {
    }
  }
};

struct ReaderDeleter { void operator()(SAX2XMLReader* r) const { delete r; } };
using ReaderPtr = std::unique_ptr<SAX2XMLReader, ReaderDeleter>;

void SetSecureFeatures(SAX2XMLReader& r) {
  r.setFeature(XMLUni::fgSAX2CoreNameSpaces, true);
  r.setFeature(XMLUni::fgSAX2CoreNameSpacePrefixes, false);
  r.setFeature(XMLUni::fgXercesSchema, true);
  r.setFeature(XMLUni::fgXercesHandleMultipleImports, true);
  r.setFeature(XMLUni::fgXercesSchemaFullChecking, false);
  // Xerces-C SAX2 has no disallow-doctype switch; the bytes it sees have
  // already passed xml::SecureParser, which refuses any DOCTYPE.
  r.setFeature(XMLUni::fgXercesLoadExternalDTD, false);
  r.setFeature(XMLUni::fgXercesSkipDTDValidation, true);
}

class XercesValidator final : public SchemaValidator {
 public:
  XercesValidator(std::unique_ptr<XMLGrammarPoolImpl> pool, std::size_t max_findings)
      : pool_(std::move(pool)), max_findings_(max_findings) {}

  ~XercesValidator() override = default;

  SchemaEngine engine() const override { return SchemaEngine::kXerces; }

  Status Validate(const Document& doc, Report& report) const override {
    try {
      ReaderPtr reader(XMLReaderFactory::createXMLReader(XMLPlatformUtils::fgMemoryManager,
                                                         pool_.get()));
      SetSecureFeatures(*reader);
      reader->setFeature(XMLUni::fgSAX2CoreValidation, true);
      reader->setFeature(XMLUni::fgXercesDynamic, false);
      reader->setFeature(XMLUni::fgXercesUseCachedGrammarInParse, true);
      reader->setFeature(XMLUni::fgXercesLoadSchema, false);
      reader->setFeature(XMLUni::fgXercesIdentityConstraintChecking, true);
      NoFetchResolver resolver;
      ValidationHandler handler(report, max_findings_);
      reader->setEntityResolver(&resolver);
      reader->setContentHandler(&handler);
      reader->setErrorHandler(&handler);
      MemBufInputSource source(reinterpret_cast<const XMLByte*>(doc.bytes.data()),
                               doc.bytes.size(), "document", false);
      reader->parse(source);
      handler.Finish();
      if (handler.seen() > max_findings_) {
        report.Add(Severity::kInfo, "schema", "schema.more-findings",
                   std::to_string(handler.seen() - max_findings_) +
                       " further schema findings not listed (limit " +
                       std::to_string(max_findings_) + " per document)");
      }
      return Status::Ok();
    } catch (const XMLException& e) {
      return Internal("Xerces-C failed: " + ToUtf8(e.getMessage()));
    } catch (const SAXException& e) {
      return Internal("Xerces-C failed: " + ToUtf8(e.getMessage()));
    } catch (const OutOfMemoryException&) {
      return ResourceExhausted("Xerces-C ran out of memory");
    } catch (...) {
      return Internal("Xerces-C failed with an unknown exception");
    }
  }

 private:
  std::unique_ptr<XMLGrammarPoolImpl> pool_;  // loaded once, then locked
  std::size_t max_findings_;
};

// Xerces-C is started once, when the module first loads a schema, and
// stopped when the program ends (this object's destructor runs at exit).
class XercesRuntime {
 public:
  static const Status& Start() {
    static const XercesRuntime runtime;
    return runtime.status_;
  }
  ~XercesRuntime() {
    if (started_) XMLPlatformUtils::Terminate();
  }

 private:
  XercesRuntime() {
    try {
      XMLPlatformUtils::Initialize();
      started_ = true;
    } catch (const XMLException& e) {
      status_ = Internal("Xerces-C could not start: " + ToUtf8(e.getMessage()));
    } catch (...) {
      status_ = Internal("Xerces-C could not start");
    }
  }
  bool started_ = false;
  Status status_;
};

Result<std::unique_ptr<SchemaValidator>> LoadWithXerces(const SchemaOptions& options) {
  RETURN_IF_ERROR(XercesRuntime::Start());
  try {
    auto pool = std::make_unique<XMLGrammarPoolImpl>(XMLPlatformUtils::fgMemoryManager);
    LoadErrorHandler errors;
    {
      ReaderPtr loader(
          XMLReaderFactory::createXMLReader(XMLPlatformUtils::fgMemoryManager, pool.get()));
      SetSecureFeatures(*loader);
      loader->setErrorHandler(&errors);
      Grammar* g = loader->loadGrammar(options.schema_file.c_str(), Grammar::SchemaGrammarType,
                                       /*toCache=*/true);
      if (g == nullptr || !errors.errors.empty()) {
        std::string msg = "cannot load schema " + options.schema_file + " with Xerces-C";
        for (std::size_t i = 0; i < errors.errors.size() && i < 5; ++i) {
          msg += "\n  " + errors.errors[i];
        }
        return FailedPrecondition(msg);
      }
    }
    pool->lockPool();
    return std::unique_ptr<SchemaValidator>(
        std::make_unique<XercesValidator>(std::move(pool), options.max_findings));
  } catch (const XMLException& e) {
    return FailedPrecondition("cannot load schema " + options.schema_file +
                              " with Xerces-C: " + ToUtf8(e.getMessage()));
  } catch (const SAXException& e) {
    return FailedPrecondition("cannot load schema " + options.schema_file +
                              " with Xerces-C: " + ToUtf8(e.getMessage()));
  } catch (...) {
    return Internal("Xerces-C failed while loading " + options.schema_file);
  }
}

}  // namespace
}  // namespace kanta::validate

extern "C" __attribute__((visibility("default"))) void kanta_xerces_engine_load(
    const kanta::validate::SchemaOptions& options,
    kanta::Result<std::unique_ptr<kanta::validate::SchemaValidator>>& out) {
  try {
    out = kanta::validate::LoadWithXerces(options);
  } catch (...) {
    out = kanta::Internal("the Xerces-C engine failed while loading " + options.schema_file);
  }
}
