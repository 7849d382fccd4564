#include "report/escape.h"
#include "report/writers.h"

namespace kanta::report {

constexpr char kSvrlNs[] = "http://purl.oclc.org/dsdl/svrl";
constexpr char kKantaNs[] = "urn:kanta-pipeline:report";

void SvrlWriter::Begin(const RunInfo& run) { run_ = run; }

void SvrlWriter::Accept(Report r) {
  std::string s = std::string("<svrl:schematron-output xmlns:svrl=\"") + kSvrlNs +
                  "\" xmlns:kanta=\"" + kKantaNs + "\" kanta:document=\"" + XmlEscaped(r.path()) +
                  "\" kanta:verdict=\"" + std::string(OutcomeName(r.outcome())) + "\">\n";
  for (const Finding& f : r.findings()) {
    if (f.stage != "rules" || f.rule.rfind("rules.", 0) == 0) continue;
    const char* element = f.report ? "svrl:successful-report" : "svrl:failed-assert";
    s += std::string("  <") + element + " id=\"" + XmlEscaped(f.rule) + "\" role=\"" +
         std::string(SeverityName(f.severity)) + "\" location=\"" + XmlEscaped(f.location.xpath) +
         "\" test=\"" + XmlEscaped(f.test) + "\">\n    <svrl:text>" + XmlEscaped(f.message) +
         "</svrl:text>\n  </" + element + ">\n";
  }
  s += "</svrl:schematron-output>\n";
  spool_.Write(s);
}

Status SvrlWriter::Finish(const BatchTotals& totals, double) {
  out_ << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  if (totals.documents != 1) {
    out_ << "<kanta:svrl-batch xmlns:kanta=\"" << kKantaNs << "\" documents=\"" << totals.documents
         << "\">\n";
  }
  RETURN_IF_ERROR(spool_.CopyTo(out_));
  if (totals.documents != 1) out_ << "</kanta:svrl-batch>\n";
  out_.flush();
  return out_ ? Status::Ok() : Unavailable("writing the SVRL report failed");
}

}  // namespace kanta::report
