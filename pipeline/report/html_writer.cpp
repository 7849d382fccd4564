#include <cstdio>

#include "report/escape.h"
#include "report/writers.h"

namespace kanta::report {
namespace {

constexpr char kStyle[] = R"(
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em;margin:0 0 .3em}
.meta{color:#666;margin-bottom:1em}
.interrupted{background:#fff3cd;border:1px solid #e0c36c;padding:.5em .8em}
.bar{display:flex;gap:1em;margin:1em 0}
.bar div{padding:.5em 1em;border-radius:6px;background:#f2f2f2}
.bar b{font-size:1.3em;display:block}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid #e4e4e4;vertical-align:top}
th{background:#fafafa}
.valid{color:#fff;background:#2e7d32}.invalid{color:#fff;background:#c62828}.error{color:#fff;background:#6a1b9a}
.badge{padding:.1em .5em;border-radius:4px;font-size:.85em}
.fatal,.sev-error{color:#c62828;font-weight:600}.warning{color:#b26a00}.info{color:#00695c}
details{margin:.6em 0;border:1px solid #e4e4e4;border-radius:6px;padding:.4em .8em}
summary{cursor:pointer;font-weight:600}
code{font-size:.9em;color:#444}
)";

}  // namespace

void HtmlWriter::Begin(const RunInfo& run) { run_ = run; }

void HtmlWriter::Accept(Report r) {
  const Outcome o = r.outcome();
  const std::string verdict(OutcomeName(o));
  const std::string anchor = "doc" + std::to_string(r.index());
  std::string row = "<tr><td><span class=\"badge " + verdict + "\">" + verdict + "</span></td><td>";
  if (o != Outcome::kValid || !r.findings().empty()) {
    row += "<a href=\"#" + anchor + "\">" + XmlEscaped(r.path()) + "</a>";
  } else {
    row += XmlEscaped(r.path());
  }
  row += "</td><td>" + XmlEscaped(DocumentKindName(r.kind)) + "</td><td><code>" +
         XmlEscaped(r.facts.id) + "</code></td><td>" + XmlEscaped(CountsText(r)) + "</td></tr>\n";
  rows_.Write(row);
  if (r.findings().empty()) return;
  std::string d = "<details id=\"" + anchor + "\"" + (o != Outcome::kValid ? " open=\"open\"" : "") +
                  "><summary>" + XmlEscaped(r.path()) + " — " + verdict + "</summary>\n";
  if (!r.envelope.kind.empty()) {
    d += "<p>in " + XmlEscaped(r.envelope.kind) + " <code>" + XmlEscaped(r.envelope.id) +
         "</code></p>\n";
  }
  d += "<table><tr><th>severity</th><th>stage / rule</th><th>message</th><th>location</th></tr>\n";
  for (const Finding& f : r.findings()) {
    const std::string sev(SeverityName(f.severity));
    std::string loc = XmlEscaped(f.location.xpath);
    if (f.location.line > 0) {
      loc += (loc.empty() ? "" : "<br/>") + std::string("line ") + std::to_string(f.location.line);
      if (f.location.column > 0) loc += ":" + std::to_string(f.location.column);
    }
    d += "<tr><td class=\"" + (sev == "error" ? std::string("sev-error") : sev) + "\">" + sev +
         "</td><td><code>" + XmlEscaped(f.stage + "/" + f.rule) + "</code></td><td>" +
         XmlEscaped(f.message) + "</td><td><code>" + loc + "</code></td></tr>\n";
  }
  d += "</table></details>\n";
  details_.Write(d);
}

Status HtmlWriter::Finish(const BatchTotals& t, double elapsed_ms) {
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f s", elapsed_ms / 1000.0);
  out_ << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
       << "<title>kanta-pipeline " << XmlEscaped(run_.command) << " report</title><style>"
       << kStyle << "</style></head><body>\n<h1>kanta-pipeline " << XmlEscaped(run_.command)
       << "</h1>\n<div class=\"meta\">version " << XmlEscaped(run_.tool_version) << " · started "
       << XmlEscaped(run_.started_at) << " · " << secs;
  for (const auto& [k, v] : run_.settings) {
    out_ << " · " << XmlEscaped(k) << ": <code>" << XmlEscaped(v) << "</code>";
  }
  out_ << "</div>\n<div class=\"bar\"><div><b>" << t.documents << "</b>documents</div><div><b>"
       << t.valid << "</b>valid</div><div><b>" << t.invalid << "</b>invalid</div><div><b>"
       << t.errors << "</b>errors</div></div>\n";
  if (!t.interrupted.empty()) {
    out_ << "<p class=\"interrupted\">Interrupted (" << XmlEscaped(t.interrupted)
         << "): the rest of the batch was not processed.</p>\n";
  }
  out_ << "<table><tr><th>verdict</th><th>document</th><th>kind</th><th>id</th><th>findings</th></tr>\n";
  RETURN_IF_ERROR(rows_.CopyTo(out_));
  out_ << "</table>\n<h2>Findings</h2>\n";
  RETURN_IF_ERROR(details_.CopyTo(out_));
  out_ << "</body></html>\n";
  out_.flush();
  return out_ ? Status::Ok() : Unavailable("writing the HTML report failed");
}

}  // namespace kanta::report
