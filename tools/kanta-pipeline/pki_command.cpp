#include "pki_command.h"

#include <iostream>
#include <memory>

#include "crypto/test_pki.h"

namespace kanta::cli {
namespace {

struct PkiOptions {
  std::string dir;
  crypto::TestPkiOptions pki;
};

int RunPkiInit(const PkiOptions& o) {
  Result<crypto::TestPkiFiles> made = crypto::MakeTestPki(o.dir, o.pki);
  if (!made.ok()) {
    std::cerr << "kanta-pipeline: " << made.status().message() << "\n";
    return made.status().code() == StatusCode::kInternal ? kExitInternal : kExitUsage;
  }
  const crypto::TestPkiFiles& f = *made;
  std::cout << "test PKI written to " << f.dir << " (TEST keys: never use them for real)\n"
            << "  CA (trust this):        " << f.ca_cert << "\n"
            << "  system signature:       " << f.system_key << " + " << f.system_cert << "\n"
            << "                          " << f.system_p12 << " (password in "
            << f.system_p12_password << ")\n"
            << "    organisation " << o.pki.organisation_name << ", OID " << o.pki.organisation_oid
            << "\n"
            << "  expired:                " << f.expired_cert << "\n"
            << "  not yet valid:          " << f.not_yet_valid_cert << "\n"
            << "  wrong key usage:        " << f.wrong_key_usage_cert << "\n"
            << "  unknown CA:             " << f.unknown_ca_cert << " (issued by "
            << f.unknown_ca_root << ")\n"
            << "try: kanta-pipeline sign --key " << f.system_key << " --cert " << f.system_cert
            << " --out signed/ DOCS\n"
            << "     kanta-pipeline verify --trust " << f.ca_cert << " signed/\n";
  return kExitOk;
}

}  // namespace

Command AddPkiCommand(CLI::App& app) {
  auto options = std::make_shared<PkiOptions>();
  CLI::App* cmd = app.add_subcommand("pki", "Test certificates for trying out sign and verify.");
  cmd->require_subcommand(1);
  CLI::App* init = cmd->add_subcommand(
      "init",
      "Make a test CA and organisation system-signature certificates shaped like Kanta's "
      "(RSA-2048; PEM and PKCS#12), plus expired, not-yet-valid, wrong-key-usage and "
      "unknown-CA variants, in DIR.");
  init->add_option("dir", options->dir, "folder to write into (created if needed)")->required();
  init->add_option("--org-oid", options->pki.organisation_oid,
                   "organisation OID (certificate subject serialNumber)")
      ->capture_default_str();
  init->add_option("--org-name", options->pki.organisation_name, "organisation name (subject O)")
      ->capture_default_str();
  init->add_option("--system-name", options->pki.system_name, "system name (subject CN)")
      ->capture_default_str();
  init->add_flag("--force", options->pki.overwrite, "replace the files of an earlier run");
  return Command{cmd, [options] { return RunPkiInit(*options); }};
}

}  // namespace kanta::cli
