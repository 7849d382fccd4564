#include "archive_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "archive_access.h"
#include "formats/cda/header_facts.h"
#include "registers/retrieval.h"
#include "report/escape.h"
#include "route/outbox.h"
#include "xml/secure_parser.h"

namespace kanta::cli {
namespace {

struct ArchiveOptions {
  std::string url;
  std::string directory;
  std::string as;          // --as PROVIDER
  std::string at;          // --at DATE
  std::string format = "text";
  std::string out;
  archive::DocumentQuery query;
  std::string id;          // get
  std::string export_dir;  // export
};

// Reads the service-event id (componentOf/encompassingEncounter/id) of a
// stored document, for authorisations that disclose listed service events.
std::string ServiceEventOf(archive::Archive& a, const std::string& id) {
  Result<std::optional<std::string>> bytes = a.Bytes(id);
  if (!bytes.ok() || !*bytes) return {};
  Report scratch;
  auto tree = xml::SecureParser().Parse(**bytes, id, "archive", scratch);
  if (!tree.ok() || *tree == nullptr) return {};
  const xmlNode* n = (*tree)->root();
  for (const char* step : {"componentOf", "encompassingEncounter", "id"}) {
    n = xml::FirstChild(n, xml::kHl7V3Ns, step);
  }
  return formats::cda::InstanceId(n);
}

// The documents matching the filters, and with --as those the provider may
// not read set aside with the reason.
struct Selection {
  std::vector<archive::DocumentRecord> shown;
  std::map<std::string, std::size_t> hidden;  // reason -> count
  std::size_t hidden_total = 0;
};

Result<Selection> Select(const ArchiveOptions& o, ArchiveAccess& access) {
  Selection sel;
  ASSIGN_OR_RETURN(std::vector<archive::DocumentRecord> all, access.archive->List(o.query));
  if (o.as.empty()) {
    sel.shown = std::move(all);
    return sel;
  }
  std::shared_ptr<archive::Archive> archive = access.archive;
  registers::RetrievalCheck check(access.authorisations, access.directory, o.as, access.today,
                                  [archive](const std::string& id) { return ServiceEventOf(*archive, id); });
  for (archive::DocumentRecord& r : all) {
    registers::RetrievalSubject s{r.id,      r.custodian, r.register_code, r.register_system,
                                  r.specifier, r.patient,  r.producer,      r.document_time};
    const registers::Visibility v = check.Check(s);
    if (v.visible) {
      sel.shown.push_back(std::move(r));
    } else {
      ++sel.hidden[v.reason];
      ++sel.hidden_total;
    }
  }
  return sel;
}

std::string DocumentJsonLine(const archive::DocumentRecord& r) {
  using report::JsonString;
  return "{\"id\": " + JsonString(r.id) + ", \"setId\": " + JsonString(r.set_id) +
         ", \"version\": " + std::to_string(r.version) + ", \"custodian\": " + JsonString(r.custodian) +
         ", \"register\": " + JsonString(r.register_code) + ", \"registerSystem\": " +
         JsonString(r.register_system) + ", \"specifier\": " + JsonString(r.specifier) +
         ", \"patient\": " + JsonString(r.patient) + ", \"producer\": " + JsonString(r.producer) +
         ", \"organiser\": " + JsonString(r.organiser) + ", \"basis\": {\"kind\": " +
         JsonString(r.basis.kind) + ", \"document\": " + JsonString(r.basis.document) +
         "}, \"documentTime\": " + JsonString(r.document_time) + ", \"form\": " + JsonString(r.form) +
         ", \"storedAt\": " + JsonString(r.stored_at) + ", \"sha256\": " + JsonString(r.sha256) + "}";
}

int RunList(const ArchiveOptions& o) {
  Result<ArchiveAccess> access = OpenArchiveAccess(o.url, o.directory, o.at);
  if (!access.ok()) return Fail(access.status(), kExitUsage);
  Result<Selection> sel = Select(o, *access);
  if (!sel.ok()) return Fail(sel.status(), kExitInternal);
  std::ofstream file;
  if (!o.out.empty()) {
    file.open(o.out, std::ios::binary | std::ios::trunc);
    if (!file) return Fail(InvalidArgument("cannot write " + o.out), kExitUsage);
  }
  std::ostream& out = o.out.empty() ? std::cout : file;
  if (o.format == "json") {
    out << "{\"documents\": [";
    for (std::size_t i = 0; i < sel->shown.size(); ++i) {
      out << (i ? ",\n  " : "\n  ") << DocumentJsonLine(sel->shown[i]);
    }
    out << (sel->shown.empty() ? "]" : "\n]");
    if (!o.as.empty()) {
      out << ", \"as\": " << report::JsonString(o.as) << ", \"at\": " << report::JsonString(access->today)
          << ", \"hidden\": {\"count\": " << sel->hidden_total << ", \"reasons\": [";
      bool first = true;
      for (const auto& [reason, count] : sel->hidden) {
        out << (first ? "" : ", ") << "{\"reason\": " << report::JsonString(reason)
            << ", \"count\": " << count << "}";
        first = false;
      }
      out << "]}";
    }
    out << "}\n";
  } else {
    for (const archive::DocumentRecord& r : sel->shown) {
      out << r.id << "  v" << r.version << "  custodian " << r.custodian << "  register "
          << r.register_code << (r.specifier.empty() ? "" : " / " + r.specifier) << "  patient "
          << r.patient << "  producer " << r.producer << "  basis " << r.basis.kind
          << (r.basis.document.empty() ? "" : " " + r.basis.document) << "\n";
    }
    out << sel->shown.size() << " documents";
    if (!o.as.empty()) {
      out << " readable by " << o.as << " on " << registers::DisplayDate(access->today) << "; "
          << sel->hidden_total << " not shown";
      for (const auto& [reason, count] : sel->hidden) out << "\n  " << count << ": " << reason;
    }
    out << "\n";
  }
  out.flush();
  return out ? kExitOk : kExitInternal;
}

int RunGet(const ArchiveOptions& o) {
  Result<ArchiveAccess> access = OpenArchiveAccess(o.url, o.directory, o.at);
  if (!access.ok()) return Fail(access.status(), kExitUsage);
  ArchiveOptions one = o;
  one.query = archive::DocumentQuery{};
  one.query.id = o.id;
  Result<Selection> sel = Select(one, *access);
  if (!sel.ok()) return Fail(sel.status(), kExitInternal);
  if (sel->shown.empty()) {
    std::cerr << "kanta-pipeline: " << o.id
              << (sel->hidden_total > 0 ? " is not readable by " + o.as + ": " + sel->hidden.begin()->first
                                        : std::string(" is not in the archive"))
              << "\n";
    return kExitFindings;
  }
  Result<std::optional<std::string>> bytes = access->archive->Bytes(o.id);
  if (!bytes.ok()) return Fail(bytes.status(), kExitInternal);
  if (!*bytes) return Fail(DataLoss(o.id + " is listed but its bytes are missing"), kExitInternal);
  if (o.out.empty()) {
    std::cout << **bytes;
    return std::cout ? kExitOk : kExitInternal;
  }
  std::ofstream file(o.out, std::ios::binary | std::ios::trunc);
  file << **bytes;
  return file ? kExitOk : Fail(InvalidArgument("cannot write " + o.out), kExitUsage);
}

int RunExport(const ArchiveOptions& o) {
  Result<ArchiveAccess> access = OpenArchiveAccess(o.url, o.directory, o.at);
  if (!access.ok()) return Fail(access.status(), kExitUsage);
  Result<Selection> sel = Select(o, *access);
  if (!sel.ok()) return Fail(sel.status(), kExitInternal);
  std::error_code ec;
  std::filesystem::create_directories(o.export_dir, ec);
  if (ec) return Fail(InvalidArgument("cannot create " + o.export_dir + ": " + ec.message()), kExitUsage);
  for (const archive::DocumentRecord& r : sel->shown) {
    Result<std::optional<std::string>> bytes = access->archive->Bytes(r.id);
    if (!bytes.ok()) return Fail(bytes.status(), kExitInternal);
    if (!*bytes) return Fail(DataLoss(r.id + " is listed but its bytes are missing"), kExitInternal);
    const auto path = std::filesystem::path(o.export_dir) / route::MessageFileName(r.id);
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << **bytes;
    if (!file) return Fail(InvalidArgument("cannot write " + path.string()), kExitUsage);
  }
  std::cout << sel->shown.size() << " documents written to " << o.export_dir;
  if (!o.as.empty()) std::cout << "; " << sel->hidden_total << " not readable by " << o.as;
  std::cout << "\n";
  return kExitOk;
}

int RunQuarantine(const ArchiveOptions& o) {
  Result<ArchiveAccess> access = OpenArchiveAccess(o.url, o.directory, o.at);
  if (!access.ok()) return Fail(access.status(), kExitUsage);
  Result<std::vector<archive::QuarantineEntry>> entries = access->archive->QuarantineEntries();
  if (!entries.ok()) return Fail(entries.status(), kExitInternal);
  if (o.format == "json") {
    std::cout << "{\"quarantine\": [";
    for (std::size_t i = 0; i < entries->size(); ++i) {
      const archive::QuarantineEntry& e = (*entries)[i];
      std::cout << (i ? ",\n  " : "\n  ") << "{\"source\": " << report::JsonString(e.source)
                << ", \"id\": " << report::JsonString(e.document_id) << ", \"reason\": "
                << report::JsonString(e.reason) << ", \"timesSeen\": " << e.times_seen
                << ", \"quarantinedAt\": " << report::JsonString(e.quarantined_at)
                << ", \"report\": " << (e.report_json.empty() ? "null" : e.report_json) << "}";
    }
    std::cout << (entries->empty() ? "]}\n" : "\n]}\n");
  } else {
    for (const archive::QuarantineEntry& e : *entries) {
      std::cout << e.source << (e.document_id.empty() ? "" : " (" + e.document_id + ")") << ": "
                << e.reason << (e.times_seen > 1 ? "  [seen " + std::to_string(e.times_seen) + " times]" : "")
                << "\n";
    }
    std::cout << entries->size() << " documents in quarantine\n";
  }
  return kExitOk;
}

void AddCommon(CLI::App* c, ArchiveOptions& o, bool filters) {
  c->add_option("--archive", o.url, "archive URL: sqlite:PATH or postgresql://...")->required();
  c->add_option("--directory", o.directory,
                "organisation directory (JSON): its policy, and with --as the reader's own custodian");
  c->add_option("--as", o.as,
                "read as this provider (OID): show only what an authorisation in force lets it "
                "retrieve, and count the rest with the reason");
  c->add_option("--at", o.at, "judge authorisations on this date (YYYYMMDD), default today");
  if (filters) {
    c->add_option("--custodian", o.query.custodian, "only this custodian (OID)");
    c->add_option("--register", o.query.register_code, "only this register code");
    c->add_option("--patient", o.query.patient, "only this patient, e.g. 1.2.246.21^150386-9309");
    c->add_option("--producer", o.query.producer, "only this producer (OID)");
    c->add_option("--set", o.query.set_id, "only this version series (setId)");
  }
}

}  // namespace

Command AddArchiveCommand(CLI::App& app) {
  auto o = std::make_shared<ArchiveOptions>();
  CLI::App* cmd = app.add_subcommand("archive", "Read what ingest stored: list, get, export, quarantine.");
  cmd->require_subcommand(1);
  CLI::App* list = cmd->add_subcommand("list", "List stored documents (exit 0).");
  AddCommon(list, *o, true);
  list->add_option("--format", o->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  list->add_option("-o,--out", o->out, "write to FILE instead of standard output");
  CLI::App* get = cmd->add_subcommand("get", "Write one stored document (as stored: stamped, signed).");
  get->add_option("id", o->id, "document id (root or root^extension)")->required();
  AddCommon(get, *o, false);
  get->add_option("-o,--out", o->out, "write to FILE instead of standard output");
  CLI::App* exp = cmd->add_subcommand("export", "Write the matching stored documents into a folder.");
  exp->add_option("dir", o->export_dir, "folder to write into (created when needed)")->required();
  AddCommon(exp, *o, true);
  CLI::App* quarantine = cmd->add_subcommand(
      "quarantine", "List the documents set aside (refused, invalid, unreadable) with the reason.");
  quarantine->add_option("--archive", o->url, "archive URL")->required();
  quarantine->add_option("--format", o->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  return Command{cmd, [o, list, get, exp, quarantine] {
                   if (list->parsed()) return RunList(*o);
                   if (get->parsed()) return RunGet(*o);
                   if (exp->parsed()) return RunExport(*o);
                   if (quarantine->parsed()) return RunQuarantine(*o);
                   return kExitUsage;
                 }};
}

}  // namespace kanta::cli
