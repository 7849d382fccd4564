#include "formats/intake_stage.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "formats/detect.h"

namespace kanta::formats {
namespace {

struct FileCloser { void operator()(std::FILE* f) const { std::fclose(f); } };

std::string SizeText(std::uintmax_t bytes) {
  if (bytes >= (1u << 20)) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

// Reads up to `limit` + 1 bytes from `f`.
Status ReadAll(std::FILE* f, std::size_t limit, std::string& out) {
  constexpr std::size_t kChunk = 1 << 16;
  for (;;) {
    // When the caller reserved room for the whole file, one read fills it:
    // growing chunk by chunk would reallocate and copy files over 64 KiB.
    const std::size_t room = std::max(kChunk, out.capacity() - out.size());
    const std::size_t want = std::min(room, limit + 1 - out.size());
    if (want == 0) break;
    // Read straight into the string's storage, avoiding a copy through a
    // bounce buffer.
    const std::size_t old = out.size();
    out.resize(old + want);
    const std::size_t n = std::fread(out.data() + old, 1, want, f);
    out.resize(old + n);
    if (n < want) {
      if (std::ferror(f)) return Unavailable(std::strerror(errno));
      break;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> ReadStandardInput(std::size_t max_bytes) {
  std::string out;
  RETURN_IF_ERROR(ReadAll(stdin, max_bytes, out).WithContext("reading standard input"));
  return out;
}

Result<Verdict> IntakeStage::Process(Document& doc, Report& report) const {
  if (!doc.loaded) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(doc.source, ec);
    if (!ec && size > options_.max_bytes) {
      report.Add(Severity::kFatal, name(), "intake.size-limit",
                 "file is " + SizeText(size) + ", over the size limit of " +
                     SizeText(options_.max_bytes) + " (--max-bytes); not read");
      return Verdict::kReject;
    }
    if (!ec) doc.bytes.reserve(static_cast<std::size_t>(size) + 1);
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(doc.source.c_str(), "rb"));
    Status st = f ? ReadAll(f.get(), options_.max_bytes, doc.bytes)
                  : Unavailable(std::strerror(errno));
    if (!st.ok()) {
      report.Add(Severity::kFatal, name(), "intake.unreadable",
                 "cannot read " + doc.source + ": " + st.message());
      report.MarkUnprocessable();
      return Verdict::kReject;
    }
    doc.loaded = true;
  }
  if (doc.bytes.size() > options_.max_bytes) {
    report.Add(Severity::kFatal, name(), "intake.size-limit",
               "input is over the size limit of " + SizeText(options_.max_bytes) +
                   " (--max-bytes)");
    return Verdict::kReject;
  }

  const Sniffed s = SniffBytes(doc.bytes);
  switch (s.family) {
    case Sniffed::Family::kXml:
      return Verdict::kContinue;
    case Sniffed::Family::kEmpty:
      report.Add(Severity::kFatal, name(), "intake.empty",
                 doc.bytes.empty() ? "file is empty" : "file contains only white space");
      return Verdict::kReject;
    case Sniffed::Family::kBinary:
      doc.kind = DocumentKind::kBinary;
      report.Add(Severity::kFatal, name(), "intake.binary",
                 "file is binary data, not an XML or JSON document");
      return Verdict::kReject;
    case Sniffed::Family::kText:
      report.Add(Severity::kFatal, name(), "intake.unknown-kind",
                 "file is text but neither XML nor JSON; expected a CDA R2 document, an HL7 "
                 "V3 archive message or a FHIR resource");
      return Verdict::kReject;
    case Sniffed::Family::kJson:
      doc.kind = s.kind;
      if (s.kind == DocumentKind::kFhirJson) {
        report.Add(Severity::kError, name(), "intake.fhir-not-supported",
                   "FHIR JSON resource (resourceType " + s.detail +
                       ") recognised; FHIR validation is not supported yet, so the document "
                       "was not checked");
        report.MarkUnprocessable();
      } else {
        report.Add(Severity::kFatal, name(), "intake.unknown-kind",
                   "file is JSON without a FHIR resourceType; expected a CDA R2 document, an "
                   "HL7 V3 archive message or a FHIR resource");
      }
      return Verdict::kReject;
  }
  return Verdict::kReject;
}

}  // namespace kanta::formats
