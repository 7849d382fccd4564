// What signing costs next to the RSA operation it rests on: the Kanta system
// signature (exclusive c14n of timestamp and body, SHA-256 digests, one
// RSA-2048 signature, the hl7fi:signature block in schema order, the tree
// serialised again) on parsed documents in memory, against a bare RSA-2048
// signature of a SHA-256 digest with the same key, in the same process.
// Reading, parsing and writing files are the sign command's other costs
// (tools/bench/sign_bench.sh measures the command).
//
//   build/tools/bench/sign/sign_micro_bench [DOCS_DIR]   (default: samples/documents/valid)
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "crypto/credentials.h"
#include "crypto/system_signer.h"
#include "crypto/test_pki.h"
#include "xml/library_scope.h"
#include "xml/secure_parser.h"

namespace {

namespace fs = std::filesystem;
using kanta::Report;

std::vector<std::string>& Documents() {
  static std::vector<std::string> docs;
  return docs;
}

std::shared_ptr<const kanta::crypto::SigningCredentials>& Credentials() {
  static std::shared_ptr<const kanta::crypto::SigningCredentials> c;
  return c;
}

void BM_SignDocument(benchmark::State& state) {
  auto signer = kanta::crypto::SystemSigner::Create(Credentials());
  if (!signer.ok()) {
    state.SkipWithError(signer.status().message().c_str());
    return;
  }
  const kanta::xml::SecureParser parser;
  std::size_t i = 0, bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string& doc = Documents()[i++ % Documents().size()];
    Report scratch;
    auto tree = parser.Parse(doc, "bench", "parse", scratch);
    bytes += doc.size();
    state.ResumeTiming();
    auto outcome = (*signer)->Sign((*tree)->doc());
    auto serialised = kanta::xml::Serialize((*tree)->doc());
    benchmark::DoNotOptimize(serialised);
    state.PauseTiming();
    if (!outcome.ok() || outcome->refused) state.SkipWithError("a document could not be signed");
    tree->reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_RsaSha256Sign(benchmark::State& state) {
  const unsigned char digest[32] = {1, 2, 3};
  std::vector<unsigned char> signature(512);
  EVP_PKEY* key = Credentials()->key();
  for (auto _ : state) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
    EVP_PKEY_sign_init(ctx);
    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256());
    std::size_t length = signature.size();
    EVP_PKEY_sign(ctx, signature.data(), &length, digest, sizeof digest);
    EVP_PKEY_CTX_free(ctx);
    benchmark::DoNotOptimize(signature);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_RsaSha256Sign)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SignDocument)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  kanta::xml::LibraryScope libraries;
  benchmark::Initialize(&argc, argv);
  const fs::path dir = argc > 1 ? fs::path(argv[1]) : fs::path(KANTA_SOURCE_DIR) / "samples/documents/valid";
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() != ".xml") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    Documents().push_back(s.str());
  }
  const fs::path pki = fs::temp_directory_path() / ("kanta-sign-bench-" + std::to_string(getpid()));
  kanta::crypto::TestPkiOptions options;
  options.overwrite = true;
  auto files = kanta::crypto::MakeTestPki(pki.string(), options);
  if (!files.ok() || Documents().empty()) {
    fprintf(stderr, "sign_micro_bench: %s\n", files.ok() ? "no documents" : files.status().message().c_str());
    return 2;
  }
  auto credentials = kanta::crypto::SigningCredentials::LoadPem(files->system_key, files->system_cert);
  fs::remove_all(pki);
  if (!credentials.ok()) {
    fprintf(stderr, "sign_micro_bench: %s\n", credentials.status().message().c_str());
    return 2;
  }
  Credentials() = *credentials;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
