#include "ingest_command.h"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <unordered_set>

#include "archive/archive.h"
#include "core/batch_runner.h"
#include "core/input_paths.h"
#include "crypto/sign_stage.h"
#include "crypto/system_signer.h"
#include "document_options.h"
#include "formats/intake_stage.h"
#include "interrupt.h"
#include "registers/authorisation_store.h"
#include "registers/directory.h"
#include "registers/register_resolver.h"
#include "registers/resolve_stage.h"
#include "registers/stamp_stage.h"
#include "report/escape.h"
#include "report_output.h"
#include "route/already_stored_stage.h"
#include "route/archive_lookup.h"
#include "route/batch_plan.h"
#include "route/fingerprint_stage.h"
#include "route/outbox.h"
#include "route/route_stage.h"
#include "route/store_queue.h"

namespace kanta::cli {
namespace {

struct IngestOptions {
  DocumentOptions documents;
  std::string archive;         // archive URL
  std::string directory;       // organisation directory (JSON)
  std::string organiser;       // --organiser OID for the batch
  std::string emit_messages;   // folder for archive messages, "" = none
  bool sign = false;           // add the system signature after stamping
  std::string key, cert, password_file;
};

// Documents in flight at once: enough for the store queue to gather batches
// while reports wait for their commit (memory stays bounded by it).
constexpr std::size_t kInFlight = 256;

// A document for `path`: the bytes of standard input the plan read when it
// is "-" (the intake stage reads files on a worker).
Document InputDocument(std::string path, const route::BatchPlan& plan) {
  Document doc;
  doc.source = std::move(path);
  if (doc.source == "-" && plan.standard_input_read) {
    doc.bytes = plan.standard_input;
    doc.loaded = true;
  }
  return doc;
}

// A pass over listed inputs: the authorisations, or the documents deferred
// by the pass before.
class ListSource final : public DocumentSource {
 public:
  ListSource(const std::vector<std::string>& paths, const route::BatchPlan& plan)
      : paths_(paths), plan_(plan) {}
  std::optional<Document> Next() override {
    if (next_ >= paths_.size()) return std::nullopt;
    return InputDocument(paths_[next_++], plan_);
  }
  // How many it has not handed out.
  std::size_t remaining() const { return paths_.size() - next_; }

 private:
  const std::vector<std::string>& paths_;
  const route::BatchPlan& plan_;
  std::size_t next_ = 0;
};

// The second wave: the batch walked again, without the authorisations (the
// first wave had them).
class WalkSource final : public DocumentSource {
 public:
  WalkSource(InputWalk& walk, const route::BatchPlan& plan)
      : walk_(walk), plan_(plan), first_wave_(plan.authorisations.begin(), plan.authorisations.end()) {}
  std::optional<Document> Next() override {
    while (std::optional<std::string> path = walk_.Next()) {
      if (*path == "-") {
        // Only the first "-" was read; it went with the first wave when it
        // is an authorisation.
        const bool first = !standard_input_seen_;
        standard_input_seen_ = true;
        if (first && plan_.standard_input_is_authorisation) continue;
        if (!first) {
          Document doc;  // the intake stage reads it and finds it empty
          doc.source = "-";
          return doc;
        }
        return InputDocument(std::move(*path), plan_);
      }
      if (first_wave_.count(*path) > 0) continue;
      return InputDocument(std::move(*path), plan_);
    }
    return std::nullopt;
  }

 private:
  InputWalk& walk_;
  const route::BatchPlan& plan_;
  const std::unordered_set<std::string> first_wave_;
  bool standard_input_seen_ = false;
};

// Passes reports on to the writer, except those of documents deferred to a
// later pass, which it collects; counts what it passes on.
class PassSink final : public ReportSink {
 public:
  PassSink(ReportSink& writer, BatchTotals& totals) : writer_(writer), totals_(totals) {}
  void Accept(Report report) override {
    if (report.decision && report.decision->action == Action::kDeferred) {
      deferred_.push_back(report.path());
      return;
    }
    if (report.decision && report.decision->action == Action::kStored) ++stored_;
    CountReport(report, totals_);
    writer_.Accept(std::move(report));
  }
  std::vector<std::string> deferred_;  // their paths, in order
  std::size_t stored_ = 0;

 private:
  ReportSink& writer_;
  BatchTotals& totals_;
};

// How many of a batch's first inputs are looked up to tell whether it is
// being run again.
constexpr int kRunAgainProbe = 64;

// Whether the batch is being run again: one of its first inputs is what an
// earlier run stored (after an interruption or a crash, or a folder that
// grows between runs). Only then is every document looked up before it is
// parsed (AlreadyStoredStage). A batch of new documents skips the look-ups,
// which cost it ~10 % in an archive the run keeps writing (docs/ingest.md).
bool RunAgain(const std::vector<std::string>& paths, const std::shared_ptr<archive::Archive>& store,
              const std::string& run_id, std::size_t max_bytes) {
  Result<InputWalk> walk = InputWalk::Start(paths);
  if (!walk.ok()) return false;
  Pipeline probe;
  probe.Add(std::make_unique<formats::IntakeStage>(formats::IntakeOptions{max_bytes}));
  probe.Add(std::make_unique<route::AlreadyStoredStage>(store, run_id));
  for (int i = 0; i < kRunAgainProbe; ++i) {
    std::optional<std::string> path = walk->Next();
    if (!path) break;
    if (*path == "-") continue;  // read once only, by the batch
    Document doc;
    doc.source = std::move(*path);
    Report report(0, doc.source);
    probe.Run(doc, report);
    if (doc.decision && doc.decision->stored_before) return true;
  }
  return false;
}

std::string HL7Now() { return UtcNow("%Y%m%d%H%M%S"); }

std::string SettingsJson(const RunSettings& settings) {
  std::string s = "{";
  for (std::size_t i = 0; i < settings.size(); ++i) {
    s += (i ? ", " : "") + report::JsonString(settings[i].first) + ": " +
         report::JsonString(settings[i].second);
  }
  return s + "}";
}

int RunIngest(const IngestOptions& o) {
  const DocumentOptions& d = o.documents;
  // Configuration first: every problem here is exit 2, before any document.
  Result<InputWalk> inputs = InputWalk::Start(d.paths);
  if (!inputs.ok()) return ConfigError(inputs.status());
  Result<std::shared_ptr<const registers::OrganisationDirectory>> directory =
      registers::OrganisationDirectory::Load(o.directory);
  if (!directory.ok()) return ConfigError(directory.status());
  if (!o.organiser.empty() && (*directory)->Owner(o.organiser) == nullptr) {
    return ConfigError(InvalidArgument("--organiser " + o.organiser +
                                       " is not in the organisation directory " + o.directory));
  }
  if (!o.emit_messages.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.emit_messages, ec);
    if (ec) {
      return ConfigError(InvalidArgument("cannot create --emit-messages folder " +
                                         o.emit_messages + ": " + ec.message()));
    }
  }
  Result<Validation> validation = LoadValidation(d);
  if (!validation.ok()) return ConfigError(validation.status());
  std::shared_ptr<const crypto::SystemSigner> signer;
  if (o.sign) {
    Result<std::shared_ptr<const crypto::SigningCredentials>> credentials =
        crypto::SigningCredentials::Load(o.key, o.cert, o.password_file);
    if (!credentials.ok()) return ConfigError(credentials.status());
    Result<std::unique_ptr<crypto::SystemSigner>> created = crypto::SystemSigner::Create(*credentials);
    if (!created.ok()) return ConfigError(created.status());
    signer = std::move(*created);
  } else if (!o.key.empty() || !o.cert.empty()) {
    return ConfigError(InvalidArgument("--key and --cert are used with --sign"));
  }
  Result<std::unique_ptr<archive::Archive>> opened = archive::OpenArchive(o.archive);
  if (!opened.ok()) return ConfigError(opened.status());
  std::shared_ptr<archive::Archive> store(std::move(*opened));

  const registers::RegisterPolicy& policy = (*directory)->policy();
  auto authorisations = std::make_shared<registers::AuthorisationStore>();
  if (Status s = route::LoadAuthorisations(*store, policy, *authorisations); !s.ok()) {
    std::cerr << "kanta-pipeline: reading the authorisations in " << store->url()
              << " failed: " << s.message() << "\n";
    return kExitInternal;
  }
  auto resolver = std::make_shared<const registers::RegisterResolver>(
      *directory, authorisations, registers::ResolverOptions{o.organiser});
  auto lookup = std::make_shared<const route::ArchiveLookup>(store);

  RunSettings settings = validation->settings;
  settings.emplace_back("archive", store->url());
  settings.emplace_back("directory", o.directory);
  if (signer) settings.emplace_back("signer", signer->credentials().info().subject);
  if (!o.organiser.empty()) settings.emplace_back("organiser", o.organiser);
  // From here on a signal ends the batch cleanly: the run is recorded as
  // ended, and what was taken is stored or set aside.
  InterruptScope interrupts;
  Result<std::string> run_id = store->BeginRun("ingest", SettingsJson(settings));
  if (!run_id.ok()) {
    std::cerr << "kanta-pipeline: the archive journal cannot be written: "
              << run_id.status().message() << "\n";
    return kExitInternal;
  }
  settings.emplace_back("run", *run_id);
  const bool look_up_inputs = RunAgain(d.paths, store, *run_id, d.max_bytes);
  if (look_up_inputs) settings.emplace_back("run-again", "documents stored before are known by their bytes");

  // Stores are committed in batches by the queue's thread while the workers
  // go on; a report is emitted only once its document's batch committed.
  auto queue = std::make_shared<route::StoreQueue>(store, route::StoreQueue::Options{});
  std::shared_ptr<const route::Outbox> outbox;
  if (!o.emit_messages.empty()) {
    outbox = std::make_shared<const route::Outbox>(o.emit_messages, *directory, HL7Now);
  }
  // Two pipelines that differ only in whether a document waiting for its
  // predecessor may be deferred to a later pass.
  auto build = [&](bool defer) {
    Pipeline p;
    // A document stored before as these bytes is known before it is parsed.
    validation->AddStages(p, look_up_inputs ? std::make_unique<route::AlreadyStoredStage>(store, *run_id)
                                            : nullptr);
    p.Add(std::make_unique<route::FingerprintStage>());
    p.Add(std::make_unique<registers::ResolveStage>(resolver, lookup));
    p.Add(std::make_unique<registers::StampStage>(validation->schema));
    if (signer) {
      // Signed after stamping, so what is stored carries the signature; the
      // signed document must still validate.
      p.Add(std::make_unique<crypto::SignStage>(signer));
      validation->AddSchemaStage(p);
    }
    p.AddFinal(std::make_unique<route::RouteStage>(store, queue, authorisations, policy, outbox,
                                                   route::RouteOptions{*run_id, defer}));
    return p;
  };
  const Pipeline deferring = build(true);
  const Pipeline final_pass = build(false);
  Pipeline reading;
  validation->AddReadStages(reading);

  BatchRunner sizing(deferring, BatchOptions{d.jobs, 0});
  settings.emplace_back("jobs", std::to_string(sizing.jobs()));
  Result<std::unique_ptr<ReportOutput>> output = ReportOutput::Open(d, "ingest", settings);
  if (!output.ok()) return ConfigError(output.status());

  const auto start = std::chrono::steady_clock::now();
  route::BatchPlan plan = route::PlanBatch(*inputs, reading, policy, d.max_bytes, sizing.jobs(),
                                           [] { return InterruptSignal() != 0; });
  inputs->Rewind();
  BatchTotals totals;
  // An interrupted plan is incomplete: nothing is processed then.
  bool interrupted = InterruptSignal() != 0;
  std::size_t left_deferred = 0;  // waiting for a predecessor when interrupted
  // Authorisations first, then the rest. Within a wave, documents whose
  // predecessor is still to come are retried after the others; a pass that
  // stores nothing ends the retries, and the last pass refuses what is left.
  for (const bool first_wave : {true, false}) {
    if (interrupted || (first_wave && plan.authorisations.empty())) continue;
    std::vector<std::string> deferred;
    bool defer = true;
    for (bool first_pass = true;; first_pass = false) {
      PassSink sink((*output)->writer(), totals);
      const BatchRunner runner(defer ? deferring : final_pass,
                               BatchOptions{d.jobs, kInFlight, /*hold_completions=*/true});
      std::size_t dropped = 0;  // taken from the source, not processed
      auto run = [&](DocumentSource& documents) {
        StopOnInterrupt source(documents);
        runner.Run(source, sink);
        interrupted = source.cut();
        dropped = source.dropped();
      };
      std::size_t untaken = 0;  // of the documents this pass retries
      if (!first_pass) {
        ListSource source(deferred, plan);
        run(source);
        untaken = source.remaining() + dropped;
      } else if (first_wave) {
        ListSource source(plan.authorisations, plan);
        run(source);
      } else {
        WalkSource source(*inputs, plan);
        run(source);
      }
      if (interrupted) {
        // Not retried: their predecessors may be among the documents not
        // read. The next run of the batch decides them.
        left_deferred = sink.deferred_.size() + untaken;
        break;
      }
      if (sink.deferred_.empty()) break;
      if (sink.stored_ == 0) defer = false;
      deferred = std::move(sink.deferred_);
    }
  }
  if (interrupted) totals.interrupted = InterruptName(InterruptSignal());
  const double elapsed =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const std::string totals_json = "{\"documents\": " + std::to_string(totals.documents) +
                                  ", \"valid\": " + std::to_string(totals.valid) +
                                  ", \"invalid\": " + std::to_string(totals.invalid) +
                                  ", \"errors\": " + std::to_string(totals.errors) +
                                  ", \"transactions\": " + std::to_string(queue->batches()) +
                                  (interrupted ? ", \"interrupted\": " + report::JsonString(totals.interrupted) +
                                                     ", \"leftWaiting\": " + std::to_string(left_deferred)
                                               : "") +
                                  "}";
  if (Status s = store->EndRun(*run_id, totals_json); !s.ok()) {
    std::cerr << "kanta-pipeline: the archive journal cannot be closed: " << s.message() << "\n";
    return kExitInternal;
  }
  if (interrupted) {
    std::cerr << "kanta-pipeline: ingest interrupted (" << totals.interrupted << ") after "
              << totals.documents << " documents, each stored or set aside as the report says";
    if (left_deferred > 0) {
      std::cerr << "; " << left_deferred << " waiting for their predecessor were left undecided";
    }
    std::cerr << ". Run the same batch again to go on: what is stored comes back as duplicate.\n";
  }
  return (*output)->Finish(totals, elapsed);
}

}  // namespace

Command AddIngestCommand(CLI::App& app) {
  auto o = std::make_shared<IngestOptions>();
  CLI::App* cmd = app.add_subcommand(
      "ingest",
      "Validate documents, decide the register each belongs to (the producer's own, or an "
      "organiser's under an outsourcing authorisation or a register access right), stamp the "
      "register metadata into the header and store them in the archive; refused and invalid "
      "documents are kept in quarantine with their report. Exit 0 when everything was stored "
      "(or was already there), 1 when something was refused or quarantined, 2 on usage or "
      "configuration errors, 3 on internal failure. Ctrl-C or SIGTERM stops taking documents, "
      "stores or sets aside those in progress and completes the report (exit 130 or 143); the "
      "same batch run again goes on.");
  AddDocumentOptions(*cmd, o->documents);
  cmd->add_option("--archive", o->archive, "archive URL: sqlite:PATH or postgresql://...")
      ->required();
  cmd->add_option("--directory", o->directory,
                  "organisation directory (JSON, docs/directory.md)")
      ->required();
  cmd->add_option("--organiser", o->organiser,
                  "service organiser OID for documents that name none "
                  "(no hl7fi:outsourcingServiceCustomer, own custodian)");
  cmd->add_option("--emit-messages", o->emit_messages,
                  "write an HL7 V3 archive message (RCMR_IN100002FI01 / RCMR_IN100016FI01) for "
                  "every stored document into this folder");
  cmd->add_flag("--sign", o->sign,
               "add the Kanta system signature after stamping, so the stored document carries it "
               "(docs/signatures.md)");
  cmd->add_option("--key", o->key,
                  "with --sign: private key (PEM), or a PKCS#12 bundle holding key and certificate");
  cmd->add_option("--cert", o->cert, "with --sign: signer certificate (PEM)");
  cmd->add_option("--password-file", o->password_file,
                  "with --sign: file whose first line is the password of the key or bundle");
  return Command{cmd, [o] { return RunIngest(*o); }};
}

}  // namespace kanta::cli
