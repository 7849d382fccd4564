#include <cstdio>

#include "report/escape.h"
#include "report/writers.h"

namespace kanta::report {
namespace {

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::string DecisionJson(const Decision& d) {
  std::string s = "{\"action\": " + JsonString(ActionName(d.action));
  s += ", \"custodian\": " + JsonString(d.custodian);
  s += ", \"custodianName\": " + JsonString(d.custodian_name);
  s += ", \"register\": " + JsonString(d.register_code);
  s += ", \"registerSystem\": " + JsonString(d.register_system);
  s += ", \"specifier\": " + JsonString(d.specifier);
  if (!d.organiser.empty()) s += ", \"organiser\": " + JsonString(d.organiser);
  s += ", \"basis\": ";
  s += d.basis_kind.empty() ? std::string("null")
                            : "{\"kind\": " + JsonString(d.basis_kind) +
                                  ", \"document\": " + JsonString(d.basis_document) + "}";
  if (!d.rule.empty()) s += ", \"rule\": " + JsonString(d.rule);
  s += ", \"reason\": " + JsonString(d.reason) + "}";
  return s;
}

}  // namespace

void JsonWriter::Begin(const RunInfo& run) {
  std::string s = "{\n  \"format\": \"kanta-pipeline-report\",\n  \"version\": 1,\n";
  s += "  \"tool\": {\"name\": \"kanta-pipeline\", \"version\": " + JsonString(run.tool_version) + "},\n";
  s += "  \"command\": " + JsonString(run.command) + ",\n";
  s += "  \"startedAt\": " + JsonString(run.started_at) + ",\n";
  s += "  \"settings\": {";
  for (std::size_t i = 0; i < run.settings.size(); ++i) {
    s += (i ? ", " : "") + JsonString(run.settings[i].first) + ": " + JsonString(run.settings[i].second);
  }
  s += "},\n  \"documents\": [";
  out_ << s;
}

void JsonWriter::Accept(Report r) {
  out_ << (first_ ? "\n    " : ",\n    ") << DocumentJson(r);
  first_ = false;
}

std::string DocumentJson(const Report& r) {
  std::string s = "{";
  const HeaderFacts& f = r.facts;
  s += "\"path\": " + JsonString(r.path());
  s += ", \"kind\": " + JsonString(DocumentKindName(r.kind));
  s += ", \"id\": " + JsonString(f.id);
  s += ", \"setId\": " + JsonString(f.set_id);
  s += ", \"version\": " + JsonString(f.version);
  s += ", \"patient\": " + JsonString(f.patient);
  s += ", \"custodian\": " + JsonString(f.custodian);
  s += ", \"producer\": " + JsonString(f.producer);
  s += ", \"register\": {\"code\": " + JsonString(f.register_code) +
       ", \"codeSystem\": " + JsonString(f.register_code_system) + "}";
  if (!f.organiser.empty()) s += ", \"organiser\": " + JsonString(f.organiser);
  if (!r.envelope.kind.empty()) {
    s += ", \"envelope\": {\"kind\": " + JsonString(r.envelope.kind) +
         ", \"id\": " + JsonString(r.envelope.id) + "}";
  }
  s += ", \"bytes\": " + std::to_string(r.bytes);
  s += ", \"elapsedMs\": " + Number(r.elapsed_ms);
  s += ", \"verdict\": " + JsonString(OutcomeName(r.outcome()));
  if (!r.stopped_at.empty()) s += ", \"stoppedAt\": " + JsonString(r.stopped_at);
  s += ", \"counts\": {\"fatal\": " + std::to_string(r.Count(Severity::kFatal)) +
       ", \"error\": " + std::to_string(r.Count(Severity::kError)) +
       ", \"warning\": " + std::to_string(r.Count(Severity::kWarning)) +
       ", \"info\": " + std::to_string(r.Count(Severity::kInfo)) + "}";
  s += ", \"findings\": [";
  bool first = true;
  for (const Finding& x : r.findings()) {
    s += first ? "\n      {" : ",\n      {";
    first = false;
    s += "\"severity\": " + JsonString(SeverityName(x.severity));
    s += ", \"stage\": " + JsonString(x.stage);
    s += ", \"rule\": " + JsonString(x.rule);
    s += ", \"message\": " + JsonString(x.message);
    s += ", \"location\": {\"xpath\": " + JsonString(x.location.xpath) +
         ", \"line\": " + std::to_string(x.location.line) +
         ", \"column\": " + std::to_string(x.location.column) + "}}";
  }
  s += first ? "]" : "\n    ]";
  if (r.decision) s += ", \"decision\": " + DecisionJson(*r.decision);
  s += "}";
  return s;
}

Status JsonWriter::Finish(const BatchTotals& t, double elapsed_ms) {
  out_ << (first_ ? "],\n" : "\n  ],\n");
  out_ << "  \"summary\": {\"documents\": " << t.documents << ", \"valid\": " << t.valid
       << ", \"invalid\": " << t.invalid << ", \"errors\": " << t.errors
       << ", \"elapsedMs\": " << Number(elapsed_ms);
  if (!t.interrupted.empty()) out_ << ", \"interrupted\": " << JsonString(t.interrupted);
  out_ << "}\n}\n";
  out_.flush();
  return out_ ? Status::Ok() : Unavailable("writing the JSON report failed");
}

}  // namespace kanta::report
