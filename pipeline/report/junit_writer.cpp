#include <cstdio>

#include "report/escape.h"
#include "report/writers.h"

namespace kanta::report {
namespace {

std::string Seconds(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", ms / 1000.0);
  return buf;
}

std::string FindingLine(const Finding& f) {
  std::string s = std::string(SeverityName(f.severity)) + " [" + f.stage + "/" + f.rule + "] " +
                  f.message;
  if (!f.location.xpath.empty()) s += " @ " + f.location.xpath;
  if (f.location.line > 0) {
    s += " line " + std::to_string(f.location.line);
    if (f.location.column > 0) s += ":" + std::to_string(f.location.column);
  }
  return s + "\n";
}

}  // namespace

void JunitWriter::Begin(const RunInfo& run) { run_ = run; }

void JunitWriter::Accept(Report r) {
  std::string s = "    <testcase classname=\"kanta-pipeline." + XmlEscaped(run_.command) +
                  "\" name=\"" + XmlEscaped(r.path()) + "\" time=\"" + Seconds(r.elapsed_ms) +
                  "\">\n";
  std::string problems, notes;
  for (const Finding& f : r.findings()) {
    (f.severity >= Severity::kError ? problems : notes) += FindingLine(f);
  }
  const Outcome o = r.outcome();
  if (o != Outcome::kValid) {
    const char* tag = o == Outcome::kError ? "error" : "failure";
    s += std::string("      <") + tag + " type=\"" + std::string(OutcomeName(o)) +
         "\" message=\"" + XmlEscaped(CountsText(r)) + "\">" + XmlEscaped(problems) + "</" +
         tag + ">\n";
  }
  if (!notes.empty()) s += "      <system-out>" + XmlEscaped(notes) + "</system-out>\n";
  s += "    </testcase>\n";
  spool_.Write(s);
}

Status JunitWriter::Finish(const BatchTotals& t, double elapsed_ms) {
  const std::string counts = "tests=\"" + std::to_string(t.documents) + "\" failures=\"" +
                             std::to_string(t.invalid) + "\" errors=\"" +
                             std::to_string(t.errors) + "\" time=\"" + Seconds(elapsed_ms) + "\"";
  out_ << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kanta-pipeline\" "
       << counts << ">\n  <testsuite name=\"kanta-pipeline " << XmlEscaped(run_.command) << "\" "
       << counts << " timestamp=\"" << XmlEscaped(run_.started_at) << "\">\n";
  if (!t.interrupted.empty()) {
    out_ << "    <properties><property name=\"interrupted\" value=\"" << XmlEscaped(t.interrupted)
         << "\"/></properties>\n";
  }
  RETURN_IF_ERROR(spool_.CopyTo(out_));
  out_ << "  </testsuite>\n</testsuites>\n";
  out_.flush();
  return out_ ? Status::Ok() : Unavailable("writing the JUnit report failed");
}

}  // namespace kanta::report
