#include "route/batch_plan.h"

#include <atomic>
#include <fstream>
#include <thread>

#include "formats/intake_stage.h"
#include "registers/authorisation.h"
#include "xml/xml_tree.h"

namespace kanta::route {
namespace {

bool Has(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

// Reads at most `max_bytes` of a file; false when it cannot be read or is
// larger (such files are left to the intake stage to report).
bool ReadBounded(const std::string& path, std::size_t max_bytes, std::string& out) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return false;
  const std::streamoff size = in.tellg();
  if (size < 0 || static_cast<std::size_t>(size) > max_bytes) return false;
  out.resize(static_cast<std::size_t>(size));
  in.seekg(0);
  return static_cast<bool>(in.read(out.data(), size));
}

bool IsAuthorisation(Document doc, const Pipeline& parse, const registers::RegisterPolicy& policy) {
  Report scratch;
  if (parse.Run(doc, scratch) != Verdict::kContinue) return false;
  const xmlDoc* tree = xml::TreeOf(doc);
  if (tree == nullptr || (doc.kind != DocumentKind::kCda && doc.kind != DocumentKind::kArchiveMessage)) {
    return false;
  }
  return registers::FormOf(xmlDocGetRootElement(const_cast<xmlDoc*>(tree)), policy) !=
         registers::AuthorisationForm::kNone;
}

}  // namespace

bool MayBeAuthorisation(std::string_view bytes, const registers::RegisterPolicy& policy) {
  const std::string_view head = bytes.substr(0, 4);
  const bool utf16 = head.size() >= 2 && (head[0] == '\0' || head[1] == '\0' ||
                                          head.substr(0, 2) == "\xFF\xFE" || head.substr(0, 2) == "\xFE\xFF");
  if (utf16 || Has(bytes, "&#") || Has(bytes.substr(0, 4096), "RCMR_IN")) return true;
  if (Has(bytes, registers::kViewSystem) && (Has(bytes, "\"362\"") || Has(bytes, "'362'"))) {
    return true;
  }
  return Has(bytes, registers::kSocialWelfareRegisterSystem) &&
         Has(bytes, policy.client_relationship_group);
}

BatchPlan PlanBatch(const std::vector<std::string>& paths, const Pipeline& parse,
                    const registers::RegisterPolicy& policy, std::size_t max_bytes,
                    std::size_t jobs) {
  std::vector<BatchInput> inputs(paths.size());
  std::vector<char> authorisation(paths.size(), 0);
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> parsed{0};
  // Standard input can be read once only: read it here, before the workers.
  for (std::size_t i = 0; i < paths.size(); ++i) {
    inputs[i].path = paths[i];
    if (paths[i] == "-") {
      Result<std::string> bytes = formats::ReadStandardInput(max_bytes);
      if (bytes.ok()) {
        inputs[i].bytes = std::move(*bytes);
        inputs[i].loaded = true;
      }
    }
  }
  auto work = [&] {
    std::string bytes;
    for (std::size_t i = next++; i < paths.size(); i = next++) {
      const BatchInput& in = inputs[i];
      if (in.path == "-") {
        if (!in.loaded) continue;
        bytes = in.bytes;
      } else if (!ReadBounded(in.path, max_bytes, bytes)) {
        continue;
      }
      if (!MayBeAuthorisation(bytes, policy)) continue;
      ++parsed;
      Document doc;
      doc.source = in.path;
      doc.bytes = std::move(bytes);
      doc.loaded = true;
      authorisation[i] = IsAuthorisation(std::move(doc), parse, policy) ? 1 : 0;
      bytes.clear();
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < std::max<std::size_t>(jobs, 1); ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();

  BatchPlan plan;
  plan.parsed = parsed;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    (authorisation[i] ? plan.authorisations : plan.others).push_back(std::move(inputs[i]));
  }
  return plan;
}

}  // namespace kanta::route
