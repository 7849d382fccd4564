// The XML-DSig interop vectors of ../shared/corpus/xmldsig: for every vector
// whose algorithms, key source and options the project supports, our verdict
// must equal the expected result in VERIFY-RESULTS-xmlsec1-1.2.37.tsv. The
// others are left out with the reason printed (docs/signatures.md lists them).
#include <gtest/gtest.h>

// xmlsec.h first: the other xmlsec headers need it.
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "crypto/kanta_signature.h"
#include "crypto/signature_verifier.h"
#include "crypto/trust_store.h"
#include "test_support.h"
#include "xml/secure_parser.h"
#include "xml/xml_tree.h"

namespace kanta::crypto {
namespace {

namespace fs = std::filesystem;

struct Vector {
  std::string expected;  // "success" or "fail"
  std::string folder, name, options;
};

std::vector<Vector> ReadVectors(const fs::path& tsv) {
  std::vector<Vector> out;
  std::ifstream in(tsv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() < 5) cols.resize(5);
    out.push_back(Vector{cols[0], cols[2], cols[3], cols[4]});
  }
  return out;
}

std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string w;
  while (ss >> w) out.push_back(w);
  return out;
}

void CollectAlgorithms(xmlNode* n, std::vector<std::string>& out) {
  for (; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (xml::IsElement(n, kDsigNs, "Object")) continue;  // not part of SignedInfo
    const std::string a = xml::Attribute(n, "Algorithm");
    if (!a.empty() && n->ns != nullptr && kDsigNs == reinterpret_cast<const char*>(n->ns->href)) {
      out.push_back(a);
    }
    CollectAlgorithms(n->children, out);
  }
}

xmlNode* FirstSignature(xmlNode* n) {
  for (; n != nullptr; n = n->next) {
    if (xml::IsElement(n, kDsigNs, "Signature")) return n;
    if (xmlNode* inner = FirstSignature(n->children)) return inner;
  }
  return nullptr;
}

bool HasDescendant(xmlNode* n, std::string_view local) {
  for (xmlNode* c = n != nullptr ? n->children : nullptr; c != nullptr; c = c->next) {
    if (xml::IsElement(c, kDsigNs, local) || HasDescendant(c, local)) return true;
  }
  return false;
}

// "2009-01-01+10:00:00" (xmlsec1's --verification-gmt-time).
std::time_t GmtTime(const std::string& s) {
  std::tm tm{};
  if (sscanf(s.c_str(), "%d-%d-%d+%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
             &tm.tm_min, &tm.tm_sec) != 6) {
    return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return timegm(&tm);
}

struct Outcome {
  bool run = false;
  std::string why;  // why left out
  bool verified = false;
  std::string detail;  // our findings
};

Outcome Check(const fs::path& tests, const Vector& v) {
  Outcome o;
  const fs::path file =
      v.folder.empty() ? tests / (v.name + ".xml") : tests / v.folder / (v.name + ".xml");
  const fs::path base = file.parent_path();
  std::string options = v.options;
  options = options.substr(0, options.find("||"));
  options = options.substr(0, options.find('['));

  if (!fs::exists(file)) {
    o.why = "vector file missing";
    return o;
  }

  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  Report parse_report;
  xml::SecureParser parser;
  auto tree = parser.Parse(ss.str(), file.string(), "parse", parse_report);
  if (!tree.ok() || !*tree) {
    o.why = "refused by the secure parser (" +
            (parse_report.findings().empty() ? std::string("?")
                                             : parse_report.findings().front().rule) +
            ")";
    return o;
  }
  xmlDoc* doc = (*tree)->doc();
  xmlNode* signature = FirstSignature(xmlDocGetRootElement(doc));
  if (signature == nullptr) {
    o.why = "no ds:Signature";
    return o;
  }
  std::vector<std::string> algorithms;
  CollectAlgorithms(signature->children, algorithms);
  for (const std::string& a : algorithms) {
    if (AlgorithmName(a) == a) {
      o.why = "algorithm " + a + " not supported by the project";
      return o;
    }
  }
  for (xmlNode *info = xml::FirstChild(signature, kDsigNs, "SignedInfo"),
               *r = info != nullptr ? info->children : nullptr;
       r != nullptr; r = r->next) {
    if (!xml::IsElement(r, kDsigNs, "Reference")) continue;
    const std::string uri = xml::Attribute(r, "URI");
    if (!uri.empty() && uri[0] != '#') {
      o.why = "external reference " + uri;
      return o;
    }
  }
  if (!HasDescendant(xml::FirstChild(signature, kDsigNs, "KeyInfo"), "X509Certificate")) {
    o.why = "no X509Certificate in KeyInfo (the key must come from one)";
    return o;
  }

  std::vector<std::string> trusted, untrusted;
  bool insecure = false;
  std::time_t at = 0;
  const std::vector<std::string> words = Words(options);
  auto resolve = [&](std::string p) {
    fs::path f = p.rfind("$TESTS/", 0) == 0 ? tests / p.substr(7) : base / p;
    // The table maps xmlsec 1.3's --trusted-$format to PEM; some vector
    // folders have only the DER file, which is the same certificate.
    if (!fs::exists(f) && f.extension() == ".pem") f.replace_extension(".der");
    return f.string();
  };
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    const bool has_value = i + 1 < words.size();
    if (w == "--trusted-pem" && has_value) {
      trusted.push_back(resolve(words[++i]));
    } else if (w == "--untrusted-pem" && has_value) {
      untrusted.push_back(resolve(words[++i]));
    } else if (w == "--insecure") {
      insecure = true;
    } else if (w == "--verification-gmt-time" && has_value) {
      at = GmtTime(words[++i]);
    } else if (w == "--enabled-key-data" && has_value) {
      if (words[++i].find("x509") == std::string::npos) {
        o.why = "key from " + words[i] + ", not from an X509Certificate";
        return o;
      }
    } else {
      o.why = "xmlsec1 option " + w + " (key source or feature the project does not support)";
      return o;
    }
  }
  // As the xmlsec1 command line does: "Id" attributes are XML IDs.
  const xmlChar* ids[] = {BAD_CAST "Id", nullptr};
  xmlSecAddIDs(doc, xmlDocGetRootElement(doc), ids);

  std::shared_ptr<const TrustStore> trust;
  if (!insecure) {
    auto loaded = TrustStore::Load(trusted);
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    if (loaded.ok()) trust = *loaded;
  }
  std::vector<X509Ptr> extra;
  for (const std::string& u : untrusted) {
    auto certs = LoadCertificateFile(u);
    EXPECT_TRUE(certs.ok()) << certs.status().ToString();
    if (certs.ok()) {
      for (X509Ptr& c : *certs) extra.push_back(std::move(c));
    }
  }
  VerifyRequest request;
  request.trust = trust.get();
  request.time = at;
  for (const X509Ptr& c : extra) request.extra_certificates.push_back(c.get());
  SignatureVerifier verifier;
  auto outcome = verifier.Verify(doc, signature, request);
  EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
  o.run = true;
  o.verified = outcome.ok() && outcome->valid();
  if (outcome.ok()) {
    for (const Finding& f : outcome->findings) {
      if (f.severity >= Severity::kWarning)
        o.detail += " [" + f.rule + "] " + f.message.substr(0, 160);
    }
  }
  return o;
}

TEST(XmldsigVectorsTest, VerdictEqualsTheExpectedResultForEverySupportedVector) {
  KANTA_REQUIRE_CORPUS();
  const fs::path root = kanta::testing::CorpusDir() / "xmldsig";
  const fs::path tests = root / "xmlsec/tests";
  const std::vector<Vector> vectors = ReadVectors(root / "VERIFY-RESULTS-xmlsec1-1.2.37.tsv");
  ASSERT_GT(vectors.size(), 150u);
  std::size_t run = 0, matched = 0;
  std::map<std::string, std::vector<std::string>> left_out;
  std::ostringstream table;
  for (const Vector& v : vectors) {
    const std::string id = (v.folder.empty() ? "" : v.folder + "/") + v.name;
    Outcome o = Check(tests, v);
    if (!o.run) {
      left_out[o.why].push_back(id);
      continue;
    }
    ++run;
    const std::string ours = o.verified ? "success" : "fail";
    table << "  " << (ours == v.expected ? "ok  " : "DIFF") << " expected " << v.expected
          << ", ours " << ours << ": " << id << " " << v.options.substr(0, v.options.find("||"))
          << "\n";
    EXPECT_EQ(ours, v.expected) << id << " with " << v.options << "\n" << o.detail;
    if (ours == v.expected) ++matched;
  }
  std::cout << "xmldsig vectors: " << vectors.size() << " rows, " << run << " run, " << matched
            << " match the expected result, " << vectors.size() - run << " left out\n"
            << table.str() << "left out:\n";
  for (const auto& [why, ids] : left_out) {
    std::cout << "  " << ids.size() << " x " << why << ":";
    for (const std::string& id : ids) std::cout << " " << id;
    std::cout << "\n";
  }
  // The run set must not silently shrink.
  EXPECT_GE(run, 20u);
}

}  // namespace
}  // namespace kanta::crypto
