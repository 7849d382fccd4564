#include "report/report_writer.h"

#include "report/writers.h"

namespace kanta::report {

std::string_view ReportFormatName(ReportFormat f) {
  switch (f) {
    case ReportFormat::kText: return "text";
    case ReportFormat::kJson: return "json";
    case ReportFormat::kJunit: return "junit";
    case ReportFormat::kHtml: return "html";
    case ReportFormat::kSvrl: return "svrl";
  }
  return "text";
}

Result<ReportFormat> ParseReportFormat(std::string_view name) {
  for (ReportFormat f : {ReportFormat::kText, ReportFormat::kJson, ReportFormat::kJunit,
                         ReportFormat::kHtml, ReportFormat::kSvrl}) {
    if (ReportFormatName(f) == name) return f;
  }
  return InvalidArgument("unknown report format '" + std::string(name) +
                         "' (expected text, json, junit, html or svrl)");
}

Result<std::unique_ptr<ReportWriter>> MakeReportWriter(ReportFormat format, std::ostream& out,
                                                       WriterOptions options) {
  switch (format) {
    case ReportFormat::kText:
      return std::unique_ptr<ReportWriter>(std::make_unique<TextWriter>(out, options));
    case ReportFormat::kJson:
      return std::unique_ptr<ReportWriter>(std::make_unique<JsonWriter>(out));
    case ReportFormat::kJunit: {
      auto w = std::make_unique<JunitWriter>(out);
      return std::unique_ptr<ReportWriter>(std::move(w));
    }
    case ReportFormat::kHtml:
      return std::unique_ptr<ReportWriter>(std::make_unique<HtmlWriter>(out));
    case ReportFormat::kSvrl:
      return std::unique_ptr<ReportWriter>(std::make_unique<SvrlWriter>(out));
  }
  return InvalidArgument("unknown report format");
}

std::string CountsText(const Report& r) {
  std::string s;
  auto add = [&](std::size_t n, const char* one, const char* many) {
    if (n == 0) return;
    if (!s.empty()) s += ", ";
    s += std::to_string(n) + " " + (n == 1 ? one : many);
  };
  add(r.Count(Severity::kFatal), "fatal", "fatal");
  add(r.Count(Severity::kError), "error", "errors");
  add(r.Count(Severity::kWarning), "warning", "warnings");
  add(r.Count(Severity::kInfo), "info", "infos");
  return s;
}

}  // namespace kanta::report
