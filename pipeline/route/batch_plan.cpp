#include "route/batch_plan.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <thread>

#include "core/thread_name.h"
#include "formats/intake_stage.h"
#include "registers/authorisation.h"
#include "xml/xml_tree.h"

namespace kanta::route {
namespace {

bool Has(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

// Where the document body starts: the first start tag whose local name is
// structuredBody or nonXMLBody, skipping comments, CDATA sections and
// processing instructions (text there cannot end the header); the whole
// input when there is none. Everything an authorisation is recognised by
// (its register code and contents code) is in the header, before it.
std::size_t HeaderEnd(std::string_view b) {
  std::size_t i = 0;
  while ((i = b.find('<', i)) != std::string_view::npos) {
    const std::string_view rest = b.substr(i);
    std::string_view close;
    if (rest.substr(0, 4) == "<!--") {
      close = "-->";
    } else if (rest.substr(0, 9) == "<![CDATA[") {
      close = "]]>";
    } else if (rest.substr(0, 2) == "<?" || rest.substr(0, 2) == "<!") {
      close = ">";
    }
    if (!close.empty()) {
      const std::size_t end = b.find(close, i + 2);
      if (end == std::string_view::npos) return b.size();
      i = end + close.size();
      continue;
    }
    std::size_t n = i + 1;
    while (n < b.size() && b[n] != '>' && b[n] != '/' && b[n] != ' ' && b[n] != '\t' &&
           b[n] != '\r' && b[n] != '\n') {
      ++n;
    }
    std::string_view name = b.substr(i + 1, n - i - 1);
    if (const std::size_t colon = name.find(':'); colon != std::string_view::npos) {
      name = name.substr(colon + 1);
    }
    if (name == "structuredBody" || name == "nonXMLBody") return i;
    i = n;
  }
  return b.size();
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

// Reads the start of the file at `path` until it holds the end of the CDA
// header (or the whole file), so planning a batch does not read every
// document's body: the markers MayBeAuthorisation looks for are in the
// header. `whole` says whether `out` is the entire file.
bool ReadHead(const std::string& path, std::size_t max_bytes, std::string& out, bool& whole) {
  constexpr std::size_t kFirstRead = 16 * 1024;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return false;
  const std::streamoff size = in.tellg();
  if (size < 0 || static_cast<std::size_t>(size) > max_bytes) return false;
  const std::size_t total = static_cast<std::size_t>(size);
  in.seekg(0);
  out.clear();
  std::size_t want = std::min(total, kFirstRead);
  for (;;) {
    const std::size_t have = out.size();
    out.resize(want);
    if (!in.read(out.data() + have, static_cast<std::streamsize>(want - have))) return false;
    if (want == total || HeaderEnd(out) < out.size()) break;
    want = std::min(total, want * 2);
  }
  whole = out.size() == total;
  return true;
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
  if (utf16 || Has(bytes.substr(0, 4096), "RCMR_IN")) return true;
  const std::string_view header = bytes.substr(0, HeaderEnd(bytes));
  if (Has(header, "&#")) return true;
  if (Has(header, registers::kViewSystem) && (Has(header, "\"362\"") || Has(header, "'362'"))) {
    return true;
  }
  return Has(header, registers::kSocialWelfareRegisterSystem) &&
         Has(header, policy.client_relationship_group);
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
        if (!MayBeAuthorisation(bytes, policy)) continue;
      } else {
        bool whole = false;
        if (!ReadHead(in.path, max_bytes, bytes, whole)) continue;
        if (!MayBeAuthorisation(bytes, policy)) continue;
        if (!whole && !ReadBounded(in.path, max_bytes, bytes)) continue;
      }
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
  for (std::size_t t = 1; t < std::max<std::size_t>(jobs, 1); ++t) threads.emplace_back([&] {
      NameThisThread("kanta-plan");
      work();
    });
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
