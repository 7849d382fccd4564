#include "sign_command.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "core/batch_runner.h"
#include "core/input_paths.h"
#include "crypto/credentials.h"
#include "crypto/sign_stage.h"
#include "crypto/system_signer.h"
#include "document_options.h"
#include "report_output.h"

namespace kanta::cli {
namespace {

namespace fs = std::filesystem;

struct SignOptions {
  DocumentOptions documents;  // documents.out is the report file (--report)
  std::string key;
  std::string cert;
  std::string password_file;
  std::string out_dir;
};

// Archive messages are not re-wrapped after signing; the command says so
// instead of writing a bare CDA where a message was.
class RefuseMessagesStage final : public Stage {
 public:
  std::string_view name() const override { return "sign"; }
  Result<Verdict> Process(Document& doc, Report& report) const override {
    if (doc.kind != DocumentKind::kArchiveMessage) return Verdict::kContinue;
    report.Add(Severity::kError, name(), "sign.archive-message",
               "an archive message cannot be signed here: its CDA would have to be wrapped "
               "again; sign the CDA itself");
    return Verdict::kReject;
  }
};

// Writes each signed, schema-valid document to its place under --out.
// Writes a signed document to its target, beside it first and then renamed,
// so a reader never sees half a document. Runs as the report's completion:
// on the one emitting thread, so the workers never contend for the output
// folder's lock (two threads creating and renaming files in one folder spent
// more time spinning on it than writing).
class WriteFile final : public Completion {
 public:
  WriteFile(fs::path target, std::string bytes) : target_(std::move(target)), bytes_(std::move(bytes)) {}
  void Complete(Report& report) override {
    std::error_code ec;
    fs::create_directories(target_.parent_path(), ec);
    const fs::path tmp = target_.string() + ".tmp-" + std::to_string(::getpid());
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out.write(bytes_.data(), static_cast<std::streamsize>(bytes_.size()));
      out.close();
      if (!out) {
        fs::remove(tmp, ec);
        report.Add(Severity::kError, "write", "sign.write-failed", "cannot write " + target_.string());
        return;
      }
    }
    fs::rename(tmp, target_, ec);
    if (ec) {
      fs::remove(tmp, ec);
      report.Add(Severity::kError, "write", "sign.write-failed",
                 "cannot write " + target_.string() + ": " + ec.message());
      return;
    }
    report.Add(Severity::kInfo, "write", "sign.written", "written to " + target_.string());
  }

 private:
  fs::path target_;
  std::string bytes_;
};

// Leaves each signed, valid document to be written (WriteFile).
class WriteStage final : public Stage {
 public:
  explicit WriteStage(std::map<std::string, fs::path> targets) : targets_(std::move(targets)) {}
  std::string_view name() const override { return "write"; }
  Result<Verdict> Process(Document& doc, Report& report) const override {
    if (report.Count(Severity::kError) + report.Count(Severity::kFatal) > 0) {
      report.Add(Severity::kInfo, name(), "sign.not-written",
                 "the signed document was not written: it has errors");
      return Verdict::kReject;
    }
    auto it = targets_.find(doc.source);
    if (it == targets_.end()) return Internal("no output path for " + doc.source);
    report.completion = std::make_shared<WriteFile>(it->second, doc.bytes);
    return Verdict::kContinue;
  }

 private:
  std::map<std::string, fs::path> targets_;
};

// Where each input goes: a file given by name keeps its name; a file found in
// a folder keeps its path relative to that folder. Fails when two inputs
// would land in the same place or an output would overwrite an input.
Result<std::map<std::string, fs::path>> OutputPaths(const std::vector<std::string>& given,
                                                    const fs::path& out_dir,
                                                    std::vector<std::string>& inputs) {
  std::map<std::string, fs::path> targets;
  std::map<fs::path, std::string> taken;
  std::set<fs::path> canonical_inputs;
  std::error_code ec;
  for (const std::string& g : given) {
    ASSIGN_OR_RETURN(std::vector<std::string> files, ExpandInputPaths({g}));
    const bool folder = g != "-" && fs::is_directory(g, ec);
    for (const std::string& f : files) {
      fs::path rel;
      if (f == "-") {
        rel = "stdin.xml";
      } else if (folder) {
        rel = fs::path(f).lexically_relative(g);
      } else {
        rel = fs::path(f).filename();
      }
      const fs::path target = (out_dir / rel).lexically_normal();
      if (auto t = taken.find(target); t != taken.end()) {
        return InvalidArgument("both " + t->second + " and " + f + " would be written to " +
                               target.string());
      }
      taken[target] = f;
      targets[f] = target;
      inputs.push_back(f);
      if (f != "-") canonical_inputs.insert(fs::weakly_canonical(f, ec));
    }
  }
  for (const auto& [target, input] : taken) {
    if (canonical_inputs.count(fs::weakly_canonical(target, ec)) > 0) {
      return InvalidArgument("writing " + target.string() +
                             " would overwrite an input; choose another --out folder");
    }
  }
  return targets;
}

int RunSign(const SignOptions& o) {
  const DocumentOptions& d = o.documents;
  std::vector<std::string> inputs;
  Result<std::map<std::string, fs::path>> targets = OutputPaths(d.paths, o.out_dir, inputs);
  if (!targets.ok()) return ConfigError(targets.status());
  Result<std::shared_ptr<const crypto::SigningCredentials>> credentials =
      crypto::SigningCredentials::Load(o.key, o.cert, o.password_file);
  if (!credentials.ok()) return ConfigError(credentials.status());
  Result<std::unique_ptr<crypto::SystemSigner>> signer = crypto::SystemSigner::Create(*credentials);
  if (!signer.ok()) return ConfigError(signer.status());

  Result<Validation> validation =
      LoadValidation(d, ValidationParts{/*schema=*/true, /*rules=*/false, /*signature=*/false});
  if (!validation.ok()) return ConfigError(validation.status());
  Pipeline pipeline;
  RunSettings settings = validation->settings;
  validation->AddReadStages(pipeline);
  pipeline.Add(std::make_unique<RefuseMessagesStage>());
  pipeline.Add(std::make_unique<crypto::SignStage>(
      std::shared_ptr<const crypto::SystemSigner>(std::move(*signer))));
  // The signed document must still validate (DESIGN.md): checked before it
  // is written.
  validation->AddSchemaStage(pipeline);
  pipeline.Add(std::make_unique<WriteStage>(std::move(*targets)));

  settings.emplace_back("signer", (*credentials)->info().subject);
  settings.emplace_back("out", o.out_dir);
  // Every input was listed to plan the outputs: the walk is that list.
  Result<InputWalk> walk = InputWalk::Start(std::move(inputs));
  if (!walk.ok()) return ConfigError(walk.status());
  return RunReportedBatch(pipeline, d, "sign", std::move(settings), std::move(*walk));
}

}  // namespace

Command AddSignCommand(CLI::App& app) {
  auto options = std::make_shared<SignOptions>();
  CLI::App* cmd = app.add_subcommand(
      "sign",
      "Add the Kanta system signature (type 3: exclusive c14n, RSA-SHA256, references to the "
      "signature timestamp and the body) to CDA documents and write them under --out, keeping "
      "their relative names; each signed document is checked against the schema first. Exit "
      "codes and Ctrl-C as for validate.");
  AddInputOptions(*cmd, options->documents, "--report");
  AddSchemaOptions(*cmd, options->documents);
  cmd->add_option("--key", options->key,
                  "private key (PEM), or a PKCS#12 bundle holding key and certificate")
      ->required();
  cmd->add_option("--cert", options->cert,
                  "signer certificate (PEM; may be followed by its chain); not needed with "
                  "PKCS#12");
  cmd->add_option("--password-file", options->password_file,
                  "file whose first line is the password of the PKCS#12 bundle or encrypted key");
  cmd->add_option("--out", options->out_dir, "folder to write the signed documents into")
      ->required();
  return Command{cmd, [options] { return RunSign(*options); }};
}

}  // namespace kanta::cli
