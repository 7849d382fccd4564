#include "authorisations_command.h"

#include <iostream>

#include "archive_access.h"
#include "report/escape.h"

namespace kanta::cli {
namespace {

using registers::AccessRightSeries;
using registers::DisplayDate;
using registers::OutsourcingSeries;
using report::JsonString;

struct AuthorisationsOptions {
  std::string url;
  std::string directory;
  std::string at;
  std::string format = "text";
  bool all = false;
  std::string id;  // show
};

// "in force", "expired", "not yet valid" or "invalidated by version N (id)".
template <typename Series>
std::string StatusOn(const Series& s, const registers::Period& validity, const std::string& today) {
  if (s.invalidated) {
    return "invalidated by version " + std::to_string(s.invalidated_by_version) + " (" +
           s.invalidated_by_id + ")";
  }
  if (!validity.low.empty() && today < validity.low.substr(0, 8)) return "not yet valid";
  if (!validity.high.empty() && today > validity.high.substr(0, 8)) return "expired";
  return "in force";
}

std::string RightJson(const registers::RegisterRight& r) {
  if (!r.granted) return "null";
  return "{\"custodian\": " + JsonString(r.custodian) + ", \"register\": " + JsonString(r.register_code) +
         ", \"specifier\": " + JsonString(r.specifier) + ", \"specifierName\": " +
         JsonString(r.specifier_name) + "}";
}

std::string PeriodJson(const registers::Period& p) {
  return "{\"low\": " + JsonString(p.low) + ", \"high\": " + JsonString(p.high) + "}";
}

std::string OutsourcingJson(const OutsourcingSeries& s, const std::string& status) {
  const registers::OutsourcingAuthorisation& a = s.content;
  std::string events = "[";
  for (std::size_t i = 0; i < a.disclosed_service_events.size(); ++i) {
    events += (i ? ", " : "") + JsonString(a.disclosed_service_events[i]);
  }
  events += "]";
  return "{\"kind\": \"outsourcing-authorisation\", \"id\": " + JsonString(a.id) +
         ", \"setId\": " + JsonString(a.set_id) + ", \"version\": " + std::to_string(a.version) +
         ", \"latestVersion\": " + std::to_string(s.latest_version) + ", \"status\": " +
         JsonString(status) + ", \"type\": " + JsonString(registers::OutsourcingTypeName(a.type)) +
         ", \"validity\": " + PeriodJson(a.validity) + ", \"organiser\": " + JsonString(a.organiser) +
         ", \"organiserName\": " + JsonString(a.organiser_name) + ", \"organiserUnit\": " +
         JsonString(a.organiser_unit) + ", \"provider\": " + JsonString(a.provider) +
         ", \"providerName\": " + JsonString(a.provider_name) + ", \"retrieve\": " +
         RightJson(a.retrieve) + ", \"store\": " + RightJson(a.store) + ", \"patient\": " +
         JsonString(a.patient) + ", \"patientName\": " + JsonString(a.patient_name) +
         ", \"disclosed\": {\"allDocuments\": " + (a.all_documents ? "true" : "false") +
         ", \"period\": " + PeriodJson(a.disclosed_period) + ", \"serviceEvents\": " + events +
         "}, \"recorder\": " + JsonString(a.recorder) + ", \"recordedAt\": " + JsonString(a.recorded_at) +
         "}";
}

std::string AccessRightJson(const AccessRightSeries& s, const std::string& status) {
  const registers::RegisterAccessRight& r = s.content;
  return "{\"kind\": \"register-access-right\", \"id\": " + JsonString(r.id) + ", \"setId\": " +
         JsonString(r.set_id) + ", \"version\": " + std::to_string(r.version) +
         ", \"latestVersion\": " + std::to_string(s.latest_version) + ", \"status\": " +
         JsonString(status) + ", \"organiser\": " + JsonString(r.organiser) + ", \"custodian\": " +
         JsonString(r.custodian) + ", \"register\": " + JsonString(r.register_code) +
         ", \"providerUnit\": " + JsonString(r.provider_unit) + ", \"providerUnitName\": " +
         JsonString(r.provider_unit_name) + ", \"client\": " + JsonString(r.client) +
         ", \"relationship\": " + PeriodJson(r.relationship) + "}";
}

std::string Period(const registers::Period& p) {
  return (p.low.empty() ? "…" : DisplayDate(p.low)) + " – " + (p.high.empty() ? "…" : DisplayDate(p.high));
}

std::string OutsourcingText(const OutsourcingSeries& s, const std::string& status) {
  const registers::OutsourcingAuthorisation& a = s.content;
  std::string t = "outsourcing authorisation " + a.id + " v" + std::to_string(a.version) + " [" + status +
                  "]\n  " + std::string(registers::OutsourcingTypeName(a.type)) + ", valid " +
                  Period(a.validity) + "\n  organiser " + a.organiser + " " + a.organiser_name +
                  "\n  provider  " + a.provider + " " + a.provider_name;
  if (!a.patient.empty()) t += "\n  patient   " + a.patient;
  if (a.store.granted) {
    t += "\n  store     custodian " + a.store.custodian + " register " + a.store.register_code +
         (a.store.specifier.empty() ? "" : " / " + a.store.specifier);
  }
  if (a.retrieve.granted) {
    t += "\n  retrieve  custodian " + a.retrieve.custodian + " register " + a.retrieve.register_code +
         (a.retrieve.specifier.empty() ? "" : " / " + a.retrieve.specifier);
    t += a.all_documents ? ", all documents" : "";
    if (!a.disclosed_period.low.empty()) t += ", period " + Period(a.disclosed_period);
    if (!a.disclosed_service_events.empty()) {
      t += ", " + std::to_string(a.disclosed_service_events.size()) + " service events";
    }
  }
  return t + "\n";
}

std::string AccessRightText(const AccessRightSeries& s, const std::string& status) {
  const registers::RegisterAccessRight& r = s.content;
  return "register access right " + r.id + " v" + std::to_string(r.version) + " [" + status +
         "]\n  organiser " + r.organiser + " (register " + r.register_code + " of " + r.custodian +
         ")\n  provider unit " + r.provider_unit + " " + r.provider_unit_name + "\n  client " +
         r.client + ", relationship " + Period(r.relationship) + "\n";
}

int RunList(const AuthorisationsOptions& o) {
  Result<ArchiveAccess> access = OpenArchiveAccess(o.url, o.directory, o.at);
  if (!access.ok()) return Fail(access.status(), kExitUsage);
  const std::string& today = access->today;
  std::vector<std::string> items;
  for (const OutsourcingSeries& s : access->authorisations->AllOutsourcing()) {
    const std::string status = StatusOn(s, s.content.validity, today);
    if (!o.all && status != "in force") continue;
    items.push_back(o.format == "json" ? OutsourcingJson(s, status) : OutsourcingText(s, status));
  }
  for (const AccessRightSeries& s : access->authorisations->AllAccessRights()) {
    const std::string status = StatusOn(s, s.content.relationship, today);
    if (!o.all && status != "in force") continue;
    items.push_back(o.format == "json" ? AccessRightJson(s, status) : AccessRightText(s, status));
  }
  if (o.format == "json") {
    std::cout << "{\"at\": " << JsonString(today) << ", \"authorisations\": [";
    for (std::size_t i = 0; i < items.size(); ++i) std::cout << (i ? ",\n  " : "\n  ") << items[i];
    std::cout << (items.empty() ? "]}\n" : "\n]}\n");
  } else {
    for (const std::string& i : items) std::cout << i;
    std::cout << items.size() << (o.all ? " authorisations" : " authorisations in force on ")
              << (o.all ? "" : DisplayDate(today)) << "\n";
  }
  return kExitOk;
}

int RunShow(const AuthorisationsOptions& o) {
  Result<ArchiveAccess> access = OpenArchiveAccess(o.url, o.directory, o.at);
  if (!access.ok()) return Fail(access.status(), kExitUsage);
  for (const OutsourcingSeries& s : access->authorisations->AllOutsourcing()) {
    if (s.content.id == o.id || s.content.set_id == o.id || s.latest_id == o.id) {
      const std::string status = StatusOn(s, s.content.validity, access->today);
      std::cout << (o.format == "json" ? OutsourcingJson(s, status) + "\n" : OutsourcingText(s, status));
      return kExitOk;
    }
  }
  for (const AccessRightSeries& s : access->authorisations->AllAccessRights()) {
    if (s.content.id == o.id || s.content.set_id == o.id || s.latest_id == o.id) {
      const std::string status = StatusOn(s, s.content.relationship, access->today);
      std::cout << (o.format == "json" ? AccessRightJson(s, status) + "\n" : AccessRightText(s, status));
      return kExitOk;
    }
  }
  std::cerr << "kanta-pipeline: no authorisation with id or setId " << o.id << " in " << o.url << "\n";
  return kExitFindings;
}

void AddCommon(CLI::App* c, AuthorisationsOptions& o) {
  c->add_option("--archive", o.url, "archive URL: sqlite:PATH or postgresql://...")->required();
  c->add_option("--directory", o.directory, "organisation directory (JSON), for its policy");
  c->add_option("--at", o.at, "judge validity on this date (YYYYMMDD), default today");
  c->add_option("--format", o.format, "text or json")->check(CLI::IsMember({"text", "json"}));
}

}  // namespace

Command AddAuthorisationsCommand(CLI::App& app) {
  auto o = std::make_shared<AuthorisationsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "authorisations", "Outsourcing authorisations and register access rights an archive holds.");
  cmd->require_subcommand(1);
  CLI::App* list = cmd->add_subcommand("list", "What is in force (latest versions, valid on --at).");
  AddCommon(list, *o);
  list->add_flag("--all", o->all, "also expired, not yet valid and invalidated ones, with their status");
  CLI::App* show = cmd->add_subcommand("show", "Every field of one authorisation.");
  show->add_option("id", o->id, "the authorising document's id or setId")->required();
  AddCommon(show, *o);
  return Command{cmd, [o, list, show] {
                   if (list->parsed()) return RunList(*o);
                   if (show->parsed()) return RunShow(*o);
                   return kExitUsage;
                 }};
}

}  // namespace kanta::cli
