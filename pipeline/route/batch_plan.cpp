#include "route/batch_plan.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <optional>
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

// A file opened for reading, closed when this goes out of scope. The plan
// reads the head of every file in the batch, so it uses the system calls
// directly: an std::ifstream costs a buffer and locale set-up per file.
class InputFile {
 public:
  explicit InputFile(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  ~InputFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // The size of a regular file; nullopt when the file did not open or is
  // something else (a pipe, a folder).
  std::optional<std::size_t> Size() const {
    struct stat st {};
    if (fd_ < 0 || ::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    return static_cast<std::size_t>(st.st_size);
  }
  // Fills out[from, to) with the file's bytes at the same offsets; false on
  // an error or when the file ends first.
  bool Read(std::string& out, std::size_t from, std::size_t to) const {
    while (from < to) {
      const ssize_t n = ::pread(fd_, out.data() + from, to - from, static_cast<off_t>(from));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      from += static_cast<std::size_t>(n);
    }
    return true;
  }

 private:
  int fd_;
};

// Reads what the plan needs of the file at `path` into `out`: its start,
// until that holds the end of the CDA header (typically 3-4 kB; with a
// signature, 8-10 kB), where the markers MayBeAuthorisation looks for are;
// then, from the same open file, the rest when the start has them. So
// planning a batch does not read every document's body. False when the file
// cannot be read, is larger than `max_bytes` (both left to the intake stage
// to report) or cannot be an authorisation.
bool ReadCandidate(const std::string& path, std::size_t max_bytes,
                   const registers::RegisterPolicy& policy, std::string& out) {
  constexpr std::size_t kFirstRead = 8 * 1024;
  const InputFile file(path);
  const std::optional<std::size_t> total = file.Size();
  if (!total || *total > max_bytes) return false;
  out.clear();
  std::size_t want = std::min(*total, kFirstRead);
  for (;;) {
    const std::size_t have = out.size();
    out.resize(want);
    if (!file.Read(out, have, want)) return false;
    if (want == *total || HeaderEnd(out) < out.size()) break;
    want = std::min(*total, want * 2);
  }
  if (!MayBeAuthorisation(out, policy)) return false;
  const std::size_t have = out.size();
  out.resize(*total);
  return file.Read(out, have, *total);
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

BatchPlan PlanBatch(InputWalk& inputs, const Pipeline& parse,
                    const registers::RegisterPolicy& policy, std::size_t max_bytes,
                    std::size_t jobs, const std::function<bool()>& stop) {
  BatchPlan plan;
  std::mutex mutex;
  std::size_t next = 0;  // guarded by mutex, as are inputs, plan and found
  std::vector<std::pair<std::size_t, std::string>> found;  // authorisations, by walk position
  std::atomic<std::size_t> parsed{0};
  auto work = [&] {
    std::string bytes;
    for (;;) {
      std::size_t at = 0;
      std::string path;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (stop && stop()) return;
        std::optional<std::string> p = inputs.Next();
        if (!p) return;
        at = next++;
        path = std::move(*p);
        if (path == "-") {
          // Standard input can be read once only: its first occurrence is
          // read here, in walk order; later ones are left to the intake
          // stage, which finds it empty.
          if (plan.standard_input_read) continue;
          Result<std::string> read = formats::ReadStandardInput(max_bytes);
          if (!read.ok()) continue;
          plan.standard_input_read = true;
          plan.standard_input = std::move(*read);
          bytes = plan.standard_input;
        }
      }
      if (path == "-") {
        if (!MayBeAuthorisation(bytes, policy)) continue;
      } else if (!ReadCandidate(path, max_bytes, policy, bytes)) {
        continue;
      }
      ++parsed;
      Document doc;
      doc.source = path;
      doc.bytes = std::move(bytes);
      doc.loaded = true;
      bytes.clear();
      if (!IsAuthorisation(std::move(doc), parse, policy)) continue;
      std::lock_guard<std::mutex> lock(mutex);
      if (path == "-") plan.standard_input_is_authorisation = true;
      found.emplace_back(at, std::move(path));
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < std::max<std::size_t>(jobs, 1); ++t) threads.emplace_back([&] {
      NameThisThread("kanta-plan");
      work();
    });
  work();
  for (std::thread& t : threads) t.join();

  plan.parsed = parsed;
  std::sort(found.begin(), found.end());
  for (auto& [at, path] : found) plan.authorisations.push_back(std::move(path));
  return plan;
}

}  // namespace kanta::route
