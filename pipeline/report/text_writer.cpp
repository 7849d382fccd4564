#include <chrono>
#include <cstdio>
#include <iostream>

#include "report/writers.h"

namespace kanta::report {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

const char* Colour(Severity s) {
  switch (s) {
    case Severity::kFatal: return "\033[1;31m";
    case Severity::kError: return "\033[31m";
    case Severity::kWarning: return "\033[33m";
    case Severity::kInfo: return "\033[36m";
  }
  return "";
}

}  // namespace

std::string DecisionText(const Report& r) {
  if (!r.decision) return {};
  const Decision& d = *r.decision;
  std::string s(ActionName(d.action));
  if (d.action == Action::kRefused || d.action == Action::kQuarantined) {
    return d.reason.empty() ? s : s + ": " + d.reason;
  }
  s += d.action == Action::kDuplicate ? " (already in register " : " in register ";
  s += d.register_code.empty() ? "?" : d.register_code;
  if (!d.specifier.empty()) s += " / " + d.specifier;
  s += " of custodian " + d.custodian;
  if (!d.custodian_name.empty()) s += " (" + d.custodian_name + ")";
  if (d.action == Action::kDuplicate) s += ")";
  if (!d.organiser.empty()) s += " for organiser " + d.organiser;
  if (d.basis_kind == "own") {
    s += ", the producer's own register";
  } else if (!d.basis_kind.empty()) {
    s += ", basis " + d.basis_kind + " " + d.basis_document;
  }
  return s;
}

void TextWriter::Begin(const RunInfo&) { started_ = Now(); }

void TextWriter::ClearProgress() {
  if (progress_shown_) {
    std::cerr << "\r\033[K" << std::flush;
    progress_shown_ = false;
  }
}

void TextWriter::Progress(const Report& last) {
  const double now = Now();
  if (now - last_progress_ < 0.1) return;  // at most ten updates a second
  last_progress_ = now;
  const double rate = seen_ / std::max(now - started_, 1e-6);
  char buf[64];
  std::snprintf(buf, sizeof buf, "[%zu documents, %.1f/s] ", seen_, rate);
  std::string path = last.path();
  if (path.size() > 60) path = "..." + path.substr(path.size() - 57);
  std::cerr << "\r\033[K" << buf << path << std::flush;
  progress_shown_ = true;
}

void TextWriter::Accept(Report r) {
  ++seen_;
  const Outcome outcome = r.outcome();
  const bool colour = options_.color;
  std::string s;
  for (const Finding& f : r.findings()) {
    s += r.path();
    if (f.location.line > 0) {
      s += ":" + std::to_string(f.location.line);
      if (f.location.column > 0) s += ":" + std::to_string(f.location.column);
    }
    s += ": ";
    if (colour) s += Colour(f.severity);
    s += SeverityName(f.severity);
    if (colour) s += "\033[0m";
    s += " [" + f.stage + "/" + f.rule + "] " + f.message;
    if (!f.location.xpath.empty()) s += " (at " + f.location.xpath + ")";
    s += "\n";
  }
  if (outcome != Outcome::kValid || options_.show_valid) {
    s += r.path() + ": ";
    const char* c = outcome == Outcome::kValid ? "\033[32m" : "\033[1;31m";
    if (colour) s += c;
    s += OutcomeName(outcome);
    if (colour) s += "\033[0m";
    const std::string counts = CountsText(r);
    if (!counts.empty()) s += " (" + counts + ")";
    if (!r.envelope.kind.empty()) s += " in " + r.envelope.kind + " " + r.envelope.id;
    const std::string decision = DecisionText(r);
    if (!decision.empty()) s += "; " + decision;
    s += "\n";
  } else if (r.findings().empty()) {
    s.clear();
  }
  if (!s.empty()) {
    ClearProgress();
    out_ << s;
  }
  if (options_.progress) {
    out_.flush();
    Progress(r);
  }
}

Status TextWriter::Finish(const BatchTotals& t, double elapsed_ms) {
  ClearProgress();
  char buf[160];
  std::snprintf(buf, sizeof buf, "%zu documents: %zu valid, %zu invalid, %zu errors (%.2f s)\n",
                t.documents, t.valid, t.invalid, t.errors, elapsed_ms / 1000.0);
  out_ << buf;
  if (!t.interrupted.empty()) {
    out_ << "interrupted (" << t.interrupted << "): the rest of the batch was not processed\n";
  }
  out_.flush();
  return out_ ? Status::Ok() : Unavailable("writing the report failed");
}

}  // namespace kanta::report
