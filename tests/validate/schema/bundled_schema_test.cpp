// The bundled schema (schemas/cda) against the official ones, with both
// engines: the same verdict on every corpus document and on every mutant the
// test derives from them. The official schemas are read from the shared
// corpus; the test skips when it is absent.
#include <gtest/gtest.h>
#include <libxml/tree.h>

#include <cstring>
#include <functional>
#include <map>
#include <memory>

#include "formats/parse_stage.h"
#include "test_support.h"
#include "validate/schema/schema_validator.h"
#include "xml/xml_tree.h"

namespace kanta::validate {
namespace {

namespace fs = std::filesystem;

// Which official schema a document is judged against.
enum class Official { kFinnish, kNormative, kSdtc };

struct Engines {
  std::unique_ptr<SchemaValidator> libxml2, xerces;
};

Engines Load(const std::string& xsd) {
  Engines e;
  for (SchemaEngine engine : {SchemaEngine::kLibxml2, SchemaEngine::kXerces}) {
    SchemaOptions o;
    o.engine = engine;
    o.schema_file = xsd;
    o.max_findings = 5;
    Result<std::unique_ptr<SchemaValidator>> v = LoadSchemaValidator(o);
    EXPECT_TRUE(v.ok()) << xsd << ": " << v.status().ToString();
    if (!v.ok()) continue;
    (engine == SchemaEngine::kLibxml2 ? e.libxml2 : e.xerces) = std::move(*v);
  }
  return e;
}

bool MakeDocument(const std::string& bytes, Document& doc) {
  doc.bytes = bytes;
  doc.loaded = true;
  Report r;
  Result<Verdict> v = formats::ParseStage(xml::ParseLimits{}).Process(doc, r);
  return v.ok() && *v == Verdict::kContinue;
}

bool Valid(const SchemaValidator& v, const Document& doc, std::string* first = nullptr) {
  Report r;
  EXPECT_TRUE(v.Validate(doc, r).ok());
  if (first != nullptr && !r.findings().empty()) *first = r.findings()[0].message;
  return r.outcome() == Outcome::kValid;
}

class BundledSchemaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (testing::CorpusDir().empty()) return;
    const fs::path c = testing::CorpusDir();
    bundled_ = new Engines(Load((testing::SourceDir() / "schemas/cda/CDA_Fi.xsd").string()));
    official_[Official::kFinnish] = new Engines(Load((c / "kanta/schemas/CDA_Fi.xsd").string()));
    official_[Official::kNormative] =
        new Engines(Load((c / "cda-core/schema/normative/infrastructure/cda/CDA.xsd").string()));
    official_[Official::kSdtc] = new Engines(
        Load((c / "cda-core/schema/extensions/SDTC/infrastructure/cda/CDA_SDTC.xsd").string()));
  }
  static void TearDownTestSuite() {
    delete bundled_;
    for (auto& [k, v] : official_) delete v;
    official_.clear();
  }
  void SetUp() override { KANTA_REQUIRE_CORPUS(); }

  // Every whole CDA document of the corpus with the official schema it is
  // judged against: Finnish ones against CDA_Fi.xsd, those using SDTC against
  // the SDTC set, the rest against the normative CDA.xsd.
  static std::vector<std::pair<fs::path, Official>> CorpusDocuments() {
    const fs::path c = testing::CorpusDir();
    std::vector<std::pair<fs::path, Official>> out;
    for (auto& f : testing::XmlFilesUnder(c / "kanta/documents")) out.emplace_back(f, Official::kFinnish);
    out.emplace_back(c / "kanta/messages/RCMR_IN100016FI01.xml", Official::kFinnish);
    for (const char* sub : {"c-cda", "cda-core/examples"}) {
      for (auto& f : testing::XmlFilesUnder(c / sub)) {
        const std::string bytes = testing::ReadFile(f);
        out.emplace_back(f, bytes.find("urn:hl7-org:sdtc") != std::string::npos
                                ? Official::kSdtc
                                : Official::kNormative);
      }
    }
    return out;
  }

  // Compares the verdicts; returns false and describes a disagreement.
  static bool Agree(const Document& doc, Official which, std::string& why) {
    const Engines& off = *official_[which];
    std::string m1, m2;
    const bool b1 = Valid(*bundled_->libxml2, doc, &m1), o1 = Valid(*off.libxml2, doc);
    const bool b2 = Valid(*bundled_->xerces, doc, &m2), o2 = Valid(*off.xerces, doc);
    if (b1 == o1 && b2 == o2) return true;
    why = "libxml2 bundled=" + std::to_string(b1) + " official=" + std::to_string(o1) +
          " (" + m1 + "); xerces bundled=" + std::to_string(b2) + " official=" +
          std::to_string(o2) + " (" + m2 + ")";
    return false;
  }

  static Engines* bundled_;
  static std::map<Official, Engines*> official_;

 public:
  static Engines* bundled_for_helpers() { return bundled_; }
};
Engines* BundledSchemaTest::bundled_ = nullptr;
Engines* BundledSchemaTest_Bundled() { return BundledSchemaTest::bundled_for_helpers(); }
std::map<Official, Engines*> BundledSchemaTest::official_;

TEST_F(BundledSchemaTest, SameVerdictAsTheOfficialSchemaOnEveryCorpusDocument) {
  std::size_t whole = 0, agreed = 0;
  for (const auto& [path, which] : CorpusDocuments()) {
    Document doc;
    if (!MakeDocument(testing::ReadFile(path), doc)) continue;  // fragments
    ++whole;
    std::string why;
    if (Agree(doc, which, why)) {
      ++agreed;
    } else {
      ADD_FAILURE() << path << ": " << why;
    }
  }
  EXPECT_GT(whole, 140u);
  std::cout << "[ info ] bundled schema agreement on corpus documents: " << agreed << "/" << whole
            << " (both engines)\n";
}

// The one documented difference (docs/bundled-schema.md): the 2005 normative
// and the Kanta schemas accept any code token in the classCode of
// participantRole and associatedEntity (their value sets RoleClassRoot and
// RoleClassAssociative are open there); the bundled schema closes them as
// HL7's SDTC schema does. True when that is the only reason the bundled
// schema refuses `doc` while the official one accepts it.
bool IsDocumentedDifference(const Document& doc, Official which) {
  if (which == Official::kSdtc) return false;
  Report r;
  EXPECT_TRUE(BundledSchemaTest_Bundled()->libxml2->Validate(doc, r).ok());
  if (r.findings().empty()) return false;
  for (const Finding& f : r.findings()) {
    const bool role = f.message.find("participantRole', attribute 'classCode'") != std::string::npos ||
                      f.message.find("associatedEntity', attribute 'classCode'") != std::string::npos;
    if (!role) return false;
  }
  return true;
}

// ---- Mutants -------------------------------------------------------------

using Mutate = std::function<bool(xmlDoc*, std::size_t)>;  // false: no such mutant

std::vector<xmlNode*> Elements(xmlDoc* doc) {
  std::vector<xmlNode*> out;
  std::function<void(xmlNode*)> walk = [&](xmlNode* n) {
    for (; n != nullptr; n = n->next) {
      if (n->type != XML_ELEMENT_NODE) continue;
      out.push_back(n);
      walk(n->children);
    }
  };
  walk(xmlDocGetRootElement(doc));
  return out;
}

std::vector<xmlNode*> ChildElements(xmlNode* parent) {
  std::vector<xmlNode*> out;
  for (xmlNode* c = parent != nullptr ? parent->children : nullptr; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) out.push_back(c);
  }
  return out;
}

bool Named(const xmlNode* n, const char* name) {
  return std::strcmp(reinterpret_cast<const char*>(n->name), name) == 0;
}

xmlNode* LocalHeader(xmlDoc* doc) {
  return xml::FirstChild(xmlDocGetRootElement(doc), xml::kHl7FiNs, "localHeader");
}

// The i-th element (in document order) that has attribute `attr`.
xmlNode* NthWithAttribute(xmlDoc* doc, const char* attr, std::size_t i) {
  for (xmlNode* n : Elements(doc)) {
    if (xmlHasProp(n, BAD_CAST attr) != nullptr && i-- == 0) return n;
  }
  return nullptr;
}

std::vector<std::pair<std::string, Mutate>> Mutations() {
  std::vector<std::pair<std::string, Mutate>> m;
  // Header children of ClinicalDocument: removed, duplicated, swapped.
  m.emplace_back("drop-header-child", [](xmlDoc* d, std::size_t i) {
    auto kids = ChildElements(xmlDocGetRootElement(d));
    if (i >= kids.size()) return false;
    xmlUnlinkNode(kids[i]);
    xmlFreeNode(kids[i]);
    return true;
  });
  m.emplace_back("duplicate-header-child", [](xmlDoc* d, std::size_t i) {
    auto kids = ChildElements(xmlDocGetRootElement(d));
    if (i >= kids.size()) return false;
    xmlAddNextSibling(kids[i], xmlCopyNode(kids[i], 1));
    return true;
  });
  m.emplace_back("swap-header-siblings", [](xmlDoc* d, std::size_t i) {
    auto kids = ChildElements(xmlDocGetRootElement(d));
    if (i + 1 >= kids.size()) return false;
    xmlUnlinkNode(kids[i]);
    xmlAddNextSibling(kids[i + 1], kids[i]);
    return true;
  });
  // Anywhere: drop an element, duplicate it, add an unknown child.
  m.emplace_back("drop-element", [](xmlDoc* d, std::size_t i) {
    auto all = Elements(d);
    const std::size_t k = 1 + i * 7;
    if (k >= all.size()) return false;
    xmlUnlinkNode(all[k]);
    xmlFreeNode(all[k]);
    return true;
  });
  m.emplace_back("duplicate-element", [](xmlDoc* d, std::size_t i) {
    auto all = Elements(d);
    const std::size_t k = 1 + i * 11;
    if (k >= all.size()) return false;
    xmlAddNextSibling(all[k], xmlCopyNode(all[k], 1));
    return true;
  });
  m.emplace_back("unknown-element", [](xmlDoc* d, std::size_t i) {
    auto all = Elements(d);
    const std::size_t k = i * 13;
    if (k >= all.size()) return false;
    xmlNewChild(all[k], all[k]->ns, BAD_CAST "unknownThing", nullptr);
    return true;
  });
  // Vocabulary-bound attributes with a value no value set has.
  for (const char* attr : {"classCode", "moodCode", "typeCode", "nullFlavor", "use",
                           "contextControlCode", "determinerCode", "operator", "inversionInd",
                           "negationInd", "mediaType", "representation"}) {
    m.emplace_back(std::string("bad-") + attr, [attr](xmlDoc* d, std::size_t i) {
      xmlNode* n = NthWithAttribute(d, attr, i * 3);
      if (n == nullptr) return false;
      xmlSetProp(n, BAD_CAST attr, BAD_CAST "XYZ");
      return true;
    });
  }
  // A nullFlavor added where the element has none.
  m.emplace_back("add-bad-nullflavor", [](xmlDoc* d, std::size_t i) {
    auto all = Elements(d);
    const std::size_t k = 2 + i * 17;
    if (k >= all.size()) return false;
    xmlSetProp(all[k], BAD_CAST "nullFlavor", BAD_CAST "NOPE");
    return true;
  });
  // Lexical forms.
  m.emplace_back("bad-ts", [](xmlDoc* d, std::size_t i) {
    for (xmlNode* n : Elements(d)) {
      if ((Named(n, "effectiveTime") || Named(n, "time") || Named(n, "low") || Named(n, "high") ||
           Named(n, "birthTime")) && xmlHasProp(n, BAD_CAST "value") && i-- == 0) {
        xmlSetProp(n, BAD_CAST "value", BAD_CAST "2024-01-31T10:00");
        return true;
      }
    }
    return false;
  });
  m.emplace_back("bad-oid", [](xmlDoc* d, std::size_t i) {
    xmlNode* n = NthWithAttribute(d, "root", i * 2);
    if (n == nullptr) return false;
    xmlSetProp(n, BAD_CAST "root", BAD_CAST "1..2.246.x");
    return true;
  });
  m.emplace_back("bad-codesystem", [](xmlDoc* d, std::size_t i) {
    xmlNode* n = NthWithAttribute(d, "codeSystem", i * 2);
    if (n == nullptr) return false;
    xmlSetProp(n, BAD_CAST "codeSystem", BAD_CAST "not an oid");
    return true;
  });
  m.emplace_back("bad-int", [](xmlDoc* d, std::size_t i) {
    for (xmlNode* n : Elements(d)) {
      if ((Named(n, "versionNumber") || Named(n, "sequenceNumber")) && i-- == 0) {
        xmlSetProp(n, BAD_CAST "value", BAD_CAST "1.5");
        return true;
      }
    }
    return false;
  });
  m.emplace_back("bad-code-token", [](xmlDoc* d, std::size_t i) {
    xmlNode* n = NthWithAttribute(d, "code", i * 3);
    if (n == nullptr) return false;
    xmlSetProp(n, BAD_CAST "code", BAD_CAST "two words");
    return true;
  });
  // Required attributes removed.
  for (const char* attr : {"classCode", "moodCode", "typeCode", "root", "extension", "IDREF",
                           "referencedObject", "ID"}) {
    m.emplace_back(std::string("remove-") + attr, [attr](xmlDoc* d, std::size_t i) {
      xmlNode* n = NthWithAttribute(d, attr, i * 2);
      if (n == nullptr) return false;
      xmlUnsetProp(n, BAD_CAST attr);
      return true;
    });
  }
  // xsi:type: unknown, and a real type that does not fit.
  for (const char* type : {"XYZ", "ST", "PQ", "IVL_TS", "CD", "II"}) {
    m.emplace_back(std::string("xsi-type-") + type, [type](xmlDoc* d, std::size_t i) {
      for (xmlNode* n : Elements(d)) {
        if (!(Named(n, "value") || Named(n, "effectiveTime") || Named(n, "code") ||
              Named(n, "id")) || i-- != 0) {
          continue;
        }
        xmlNs* xsi = xmlSearchNsByHref(d, n, BAD_CAST "http://www.w3.org/2001/XMLSchema-instance");
        if (xsi == nullptr) {
          xsi = xmlNewNs(xmlDocGetRootElement(d), BAD_CAST "http://www.w3.org/2001/XMLSchema-instance",
                         BAD_CAST "xsi");
        }
        xmlSetNsProp(n, xsi, BAD_CAST "type", BAD_CAST type);
        return true;
      }
      return false;
    });
  }
  // The Finnish header: an unknown child, children out of order, a child dropped.
  m.emplace_back("localheader-unknown-child", [](xmlDoc* d, std::size_t i) {
    xmlNode* h = LocalHeader(d);
    auto kids = ChildElements(h);
    if (h == nullptr || i > kids.size()) return false;
    xmlNode* x = xmlNewNode(h->ns, BAD_CAST "notInTheSchema");
    if (i < kids.size()) xmlAddPrevSibling(kids[i], x); else xmlAddChild(h, x);
    return true;
  });
  m.emplace_back("localheader-out-of-order", [](xmlDoc* d, std::size_t i) {
    auto kids = ChildElements(LocalHeader(d));
    if (i + 1 >= kids.size()) return false;
    xmlUnlinkNode(kids[i]);
    xmlAddNextSibling(kids[i + 1], kids[i]);
    return true;
  });
  m.emplace_back("localheader-duplicate-child", [](xmlDoc* d, std::size_t i) {
    auto kids = ChildElements(LocalHeader(d));
    if (i >= kids.size()) return false;
    xmlAddNextSibling(kids[i], xmlCopyNode(kids[i], 1));
    return true;
  });
  // Duplicate xs:ID values: the i-th ID made equal to the first.
  m.emplace_back("duplicate-id", [](xmlDoc* d, std::size_t i) {
    xmlNode* first = NthWithAttribute(d, "ID", 0);
    xmlNode* other = NthWithAttribute(d, "ID", i + 1);
    if (first == nullptr || other == nullptr) {
      if (first == nullptr || i > 0) return false;
      // Only one ID: give the root's first section the same one.
      for (xmlNode* n : Elements(d)) {
        if (n != first && Named(n, "section")) {
          xmlChar* v = xmlGetProp(first, BAD_CAST "ID");
          xmlSetProp(n, BAD_CAST "ID", v);
          xmlFree(v);
          return true;
        }
      }
      return false;
    }
    xmlChar* v = xmlGetProp(first, BAD_CAST "ID");
    xmlSetProp(other, BAD_CAST "ID", v);
    xmlFree(v);
    return true;
  });
  return m;
}

TEST_F(BundledSchemaTest, SameVerdictAsTheOfficialSchemaOnEveryMutant) {
  // Bases: every Kanta document, the archive message's CDA, the whole CDA
  // examples of HL7 (normative and SDTC).
  std::vector<std::pair<std::string, Official>> bases;
  // Bases: every third Kanta document and every fifth HL7 example, so the
  // mutants cover all three official schemas within seconds.
  std::size_t seen = 0;
  for (const auto& [path, which] : CorpusDocuments()) {
    Document doc;
    if (!MakeDocument(testing::ReadFile(path), doc)) continue;
    if (seen++ % (which == Official::kFinnish ? 3 : 5) != 0) continue;
    bases.emplace_back(doc.bytes, which);
  }
  const auto mutations = Mutations();
  std::size_t total = 0, agreed = 0, invalid = 0, documented = 0;
  std::map<std::string, std::size_t> per_kind;
  std::vector<std::string> failures;
  // Each base gets a few instances of each mutation; the instance number
  // walks through different nodes.
  for (std::size_t b = 0; b < bases.size(); ++b) {
    const auto& [bytes, which] = bases[b];
    for (const auto& [name, mutate] : mutations) {
      const std::size_t instances = 1;
      for (std::size_t i = 0; i < instances; ++i) {
        xml::DocPtr d(xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), "m.xml", nullptr,
                                    XML_PARSE_NONET));
        ASSERT_NE(d, nullptr);
        if (!mutate(d.get(), i + b % 3)) continue;
        xmlChar* out = nullptr;
        int len = 0;
        xmlDocDumpMemoryEnc(d.get(), &out, &len, "UTF-8");
        std::string mutant(reinterpret_cast<char*>(out), static_cast<std::size_t>(len));
        xmlFree(out);
        Document doc;
        if (!MakeDocument(mutant, doc)) continue;  // not a CDA any more
        ++total;
        ++per_kind[name];
        std::string why;
        if (Agree(doc, which, why)) {
          ++agreed;
          Report r;
          ASSERT_TRUE(official_[which]->libxml2->Validate(doc, r).ok());
          if (r.outcome() != Outcome::kValid) ++invalid;
        } else if (IsDocumentedDifference(doc, which)) {
          ++documented;
        } else if (failures.size() < 20) {
          failures.push_back(name + " #" + std::to_string(i) + " of base " + std::to_string(b) +
                             ": " + why);
        }
      }
    }
  }
  for (const std::string& f : failures) ADD_FAILURE() << f;
  EXPECT_GE(total, 500u);
  EXPECT_EQ(agreed + documented, total);
  std::printf("[ info ] bundled schema mutant agreement: %zu/%zu (%.2f%%); %zu more differ only "
              "where the official schema is documented as lax; %zu mutants invalid, %zu kinds "
              "of mutation\n",
              agreed, total, total ? 100.0 * agreed / total : 0.0, documented, invalid,
              per_kind.size());
}

}  // namespace
}  // namespace kanta::validate
