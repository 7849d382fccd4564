// kanta-pipeline: the command-line program. Parses the command line, starts
// the XML libraries once, and runs the chosen subcommand.
#include <CLI/CLI.hpp>

#include <iostream>

#include "validate_command.h"
#include "xml/library_scope.h"

int main(int argc, char** argv) {
  CLI::App app{
      "kanta-pipeline: validate, sign and route Finnish Kanta documents (HL7 CDA R2 with the "
      "Finnish header, HL7 V3 archive messages).",
      "kanta-pipeline"};
  app.set_version_flag("--version", std::string("kanta-pipeline ") + KANTA_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  kanta::cli::CommonOptions validate_options;
  CLI::App* validate = kanta::cli::AddValidateCommand(app, validate_options);

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
    return 2;  // usage error, per the documented exit codes
  }

  kanta::xml::LibraryScope libraries;
  if (validate->parsed()) return kanta::cli::RunValidate(validate_options);
  return 2;
}
