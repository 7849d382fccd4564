// kanta-pipeline: the command-line program. Parses the command line, starts
// the libraries once, and runs the chosen subcommand.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "archive_command.h"
#include "authorisations_command.h"
#include "command.h"
#include "ingest_command.h"
#include "pki_command.h"
#include "sign_command.h"
#include "validate_command.h"
#include "verify_command.h"
#include "xml/library_scope.h"

#ifdef KANTA_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace {

// Which malloc the process runs on, for --version (and bug reports).
std::string AllocatorName() {
#ifdef KANTA_WITH_JEMALLOC
  const char* version = nullptr;
  std::size_t size = sizeof(version);
  if (mallctl("version", &version, &size, nullptr, 0) == 0 && version != nullptr) {
    return std::string("jemalloc ") + version;
  }
  return "jemalloc";
#else
  return "system malloc";
#endif
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "kanta-pipeline: validate, sign and route Finnish Kanta documents (HL7 CDA R2 with the "
      "Finnish header, HL7 V3 archive messages).",
      "kanta-pipeline"};
  app.set_version_flag("--version", std::string("kanta-pipeline ") + KANTA_VERSION +
                                        "\nallocator: " + AllocatorName());
  app.require_subcommand(1);
  app.fallthrough();

  const std::vector<kanta::cli::Command> commands = {
      kanta::cli::AddValidateCommand(app),
      kanta::cli::AddIngestCommand(app),
      kanta::cli::AddArchiveCommand(app),
      kanta::cli::AddAuthorisationsCommand(app),
      kanta::cli::AddVerifyCommand(app),
      kanta::cli::AddSignCommand(app),
      kanta::cli::AddPkiCommand(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kanta::cli::kExitUsage;
  }

  kanta::xml::LibraryScope libraries;
  for (const kanta::cli::Command& c : commands) {
    if (c.app->parsed()) return c.run();
  }
  return kanta::cli::kExitUsage;
}
