// End-to-end tests of `ingest`, `archive` and `authorisations` on the
// bundled samples: the golden decisions, order and --jobs independence,
// re-runs, conflicts, version chains, reading as a provider, archive
// messages and a batch killed at random moments.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/SHA2Engine.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "archive/archive.h"
#include "cli_support.h"
#include "test_support.h"

namespace kanta {
namespace {

namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;
using testing::Cli;
using testing::CliRun;
using testing::ParseJson;
using testing::Samples;

const std::string kCounty = "1.2.246.10.90000011.10.0";
const std::string kPrivate = "1.2.246.10.90000033.10.0";
const std::string kOccupational = "1.2.246.10.90000044.10.0";

std::string Directory() { return (Samples() / "directory.json").string(); }

// The sample inputs of the golden run, in this order.
std::vector<std::string> GoldenInputs() {
  return {(Samples() / "authorisations").string(),       (Samples() / "social-welfare").string(),
          (Samples() / "outsourcing").string(),          (Samples() / "documents/valid").string(),
          (Samples() / "messages").string(),             (Samples() / "documents/invalid/bad-typecode.xml").string(),
          (Samples() / "documents/invalid/fhir-patient.json").string()};
}

CliRun Ingest(const fs::path& archive, std::vector<std::string> inputs,
              std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"ingest", "--no-progress", "--format", "json", "--archive",
                                   "sqlite:" + archive.string(), "--directory", Directory()};
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), inputs.begin(), inputs.end());
  return Cli(args);
}

// "action register custodian basis-kind basis-document rule" of each
// document of a JSON report, keyed by its path relative to samples/.
std::map<std::string, std::string> Decisions(const std::string& json) {
  std::map<std::string, std::string> out;
  Array::Ptr docs = ParseJson(json)->getArray("documents");
  const std::string root = Samples().string() + "/";
  for (std::size_t i = 0; i < docs->size(); ++i) {
    Object::Ptr d = docs->getObject(static_cast<unsigned>(i));
    std::string path = d->getValue<std::string>("path");
    if (path.rfind(root, 0) == 0) path = path.substr(root.size());
    Object::Ptr decision = d->getObject("decision");
    if (decision.isNull()) {
      out[path] = "no decision";
      continue;
    }
    auto field = [&](const Object::Ptr& o, const char* name) {
      if (o.isNull() || !o->has(name) || o->isNull(name)) return std::string("-");
      const std::string v = o->getValue<std::string>(name);
      return v.empty() ? std::string("-") : v;
    };
    const std::string action = field(decision, "action");
    const bool placed = action == "stored" || action == "duplicate";
    Object::Ptr basis = decision->getObject("basis");
    std::string line = action + "\t" + (placed ? field(decision, "register") : "-") + "\t" +
                       (placed ? field(decision, "custodian") : "-") + "\t" +
                       (placed ? field(basis, "kind") : "-") + "\t" +
                       (placed ? field(basis, "document") : "-") + "\t" +
                       (action == "refused" ? field(decision, "rule") : "-");
    out[path] = line;
  }
  return out;
}

std::map<std::string, std::string> Golden() {
  std::map<std::string, std::string> out;
  std::istringstream in(testing::ReadFile(testing::SourceDir() / "tests/cli/golden/ingest-samples.tsv"));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t tab = line.find('\t');
    out[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return out;
}

// The archive's documents as sorted "id custodian register specifier basis"
// lines, for comparing two archives.
std::vector<std::string> ArchiveContent(const fs::path& archive, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"archive", "list", "--archive", "sqlite:" + archive.string(),
                                   "--format", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  CliRun r = Cli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines;
  if (r.exit_code != 0) return lines;
  Array::Ptr docs = ParseJson(r.out)->getArray("documents");
  for (std::size_t i = 0; i < docs->size(); ++i) {
    Object::Ptr d = docs->getObject(static_cast<unsigned>(i));
    lines.push_back(d->getValue<std::string>("id") + " " + d->getValue<std::string>("custodian") + " " +
                    d->getValue<std::string>("register") + " " + d->getValue<std::string>("specifier") +
                    " " + d->getObject("basis")->getValue<std::string>("kind") + " " +
                    d->getValue<std::string>("sha256"));
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

class IngestCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::SchemaDir().find("schemas/cda") == std::string::npos) {
      GTEST_SKIP() << "the bundled schema (schemas/cda) is absent";
    }
  }
  fs::path Archive(const std::string& name) { return dir_.path() / (name + ".sqlite"); }
  testing::TempDir dir_;
};

TEST_F(IngestCliTest, SamplesLandWhereTheGoldenFileSays) {
  CliRun r = Ingest(Archive("a"), GoldenInputs());
  EXPECT_EQ(r.exit_code, 1) << r.err;  // some were refused or quarantined
  const auto got = Decisions(r.out);
  const auto want = Golden();
  for (const auto& [path, decision] : want) {
    auto it = got.find(path);
    ASSERT_NE(it, got.end()) << path << " is missing from the report";
    EXPECT_EQ(it->second, decision) << path;
  }
  EXPECT_EQ(got.size(), want.size());
  // What was stored is in the archive, once.
  std::size_t stored = 0;
  for (const auto& [path, decision] : want) stored += decision.rfind("stored", 0) == 0 ? 1 : 0;
  EXPECT_EQ(ArchiveContent(Archive("a")).size(), stored);
  // Refused and invalid documents are in quarantine with their reason.
  CliRun q = Cli({"archive", "quarantine", "--archive", "sqlite:" + Archive("a").string()});
  EXPECT_EQ(q.exit_code, 0);
  EXPECT_NE(q.out.find("9 documents in quarantine"), std::string::npos) << q.out;
  EXPECT_NE(q.out.find("expired on 2026-12-31"), std::string::npos);
  EXPECT_NE(q.out.find("fhir-patient.json"), std::string::npos);
}

TEST_F(IngestCliTest, FileOrderAndJobsDoNotChangeTheOutcome) {
  std::vector<std::string> reversed = GoldenInputs();
  std::reverse(reversed.begin(), reversed.end());
  CliRun one = Ingest(Archive("one"), reversed, {"--jobs", "1"});
  CliRun two = Ingest(Archive("two"), reversed, {"--jobs", "2"});
  EXPECT_EQ(one.exit_code, 1);
  EXPECT_EQ(two.exit_code, 1);
  EXPECT_EQ(Decisions(one.out), Golden()) << "authorisations must take effect first, whatever the order";
  EXPECT_EQ(Decisions(two.out), Golden());
  EXPECT_EQ(ArchiveContent(Archive("one")), ArchiveContent(Archive("two")));
  EXPECT_FALSE(ArchiveContent(Archive("one")).empty());
}

TEST_F(IngestCliTest, ARerunStoresNothingTwice) {
  CliRun first = Ingest(Archive("a"), GoldenInputs());
  ASSERT_EQ(first.exit_code, 1);
  const auto before = ArchiveContent(Archive("a"));
  CliRun again = Ingest(Archive("a"), GoldenInputs());
  EXPECT_EQ(again.exit_code, 1);
  // The second run saw that the batch was run before (its report says so).
  EXPECT_FALSE(ParseJson(first.out)->getObject("settings")->has("run-again"));
  EXPECT_TRUE(ParseJson(again.out)->getObject("settings")->has("run-again"));
  for (const auto& [path, decision] : Decisions(again.out)) {
    const std::string golden = Golden()[path];
    if (golden.rfind("stored", 0) == 0) {
      EXPECT_EQ(decision.substr(0, 9), "duplicate") << path;
      EXPECT_EQ(decision.substr(9), golden.substr(6)) << path << ": a duplicate says where it is";
    } else {
      EXPECT_EQ(decision, golden) << path;
    }
  }
  EXPECT_EQ(ArchiveContent(Archive("a")), before);
  CliRun q = Cli({"archive", "quarantine", "--archive", "sqlite:" + Archive("a").string()});
  EXPECT_NE(q.out.find("9 documents in quarantine"), std::string::npos) << q.out;
  EXPECT_NE(q.out.find("[seen 2 times]"), std::string::npos) << q.out;

  // What was stored is known by its bytes before it is parsed, except an
  // archive message, which is compared by the CDA it carries (the long way).
  Array::Ptr docs = ParseJson(again.out)->getArray("documents");
  std::size_t known = 0;
  for (std::size_t i = 0; i < docs->size(); ++i) {
    Object::Ptr d = docs->getObject(static_cast<unsigned>(i));
    const std::string path = d->getValue<std::string>("path");
    if (d->getObject("decision")->getValue<std::string>("action") != "duplicate") {
      EXPECT_FALSE(d->has("stoppedAt") && d->getValue<std::string>("stoppedAt") == "already-stored") << path;
      continue;
    }
    const bool message = path.find("/messages/") != std::string::npos;
    EXPECT_EQ(d->has("stoppedAt") ? d->getValue<std::string>("stoppedAt") : "", message ? "" : "already-stored") << path;
    EXPECT_EQ(d->getValue<std::string>("kind"), message ? "archive-message" : "cda") << path;
    EXPECT_FALSE(d->getValue<std::string>("id").empty()) << path;
    const std::vector<std::string> rules = testing::Rules(d);
    const bool says = std::find(rules.begin(), rules.end(), "route.already-stored") != rules.end();
    EXPECT_EQ(says, !message) << path;
    known += says;
  }
  EXPECT_GT(known, 5u);

  // New documents into an archive that holds others: nothing is looked up.
  CliRun fresh = Ingest(Archive("b"), {(Samples() / "authorisations").string()});
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  CliRun others = Ingest(Archive("b"), {(Samples() / "outsourcing/06-private-provider-own-record.xml").string()});
  EXPECT_EQ(others.exit_code, 0) << others.err;
  EXPECT_FALSE(ParseJson(others.out)->getObject("settings")->has("run-again"));
}

TEST_F(IngestCliTest, TheRunRecordsItsTotalsAndHowManyTransactionsStoredThem) {
  CliRun r = Ingest(Archive("a"), GoldenInputs());
  ASSERT_EQ(r.exit_code, 1) << r.err;
  std::size_t stored = 0;
  for (const auto& [path, decision] : Decisions(r.out)) stored += decision.rfind("stored", 0) == 0;
  ASSERT_GT(stored, 0u);
  auto archive = archive::OpenArchive("sqlite:" + Archive("a").string());
  ASSERT_TRUE(archive.ok()) << archive.status().ToString();
  auto runs = (*archive)->Runs();
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_EQ(runs->size(), 1u);
  Object::Ptr totals = ParseJson(runs->front().totals_json);
  EXPECT_EQ(totals->getValue<std::size_t>("documents"), Decisions(r.out).size());
  // Every stored document went through a store-queue transaction; a
  // transaction holds one document or more.
  const auto transactions = totals->getValue<std::size_t>("transactions");
  EXPECT_GE(transactions, 1u);
  EXPECT_LE(transactions, stored);
}

TEST_F(IngestCliTest, OnlyDuplicatesExitZero) {
  const std::string doc = (Samples() / "documents/valid/01-narrative-public-register.xml").string();
  CliRun first = Ingest(Archive("a"), {doc});
  EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
  CliRun second = Ingest(Archive("a"), {doc});
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_EQ(Decisions(second.out).begin()->second.substr(0, 9), "duplicate");
}

TEST_F(IngestCliTest, TheSameIdWithOtherBytesIsAConflict) {
  const fs::path original = Samples() / "documents/valid/01-narrative-public-register.xml";
  ASSERT_EQ(Ingest(Archive("a"), {original.string()}).exit_code, 0);
  std::string changed = testing::ReadFile(original);
  const std::size_t title = changed.find("<title>");
  ASSERT_NE(title, std::string::npos);
  changed.insert(title + 7, "Korjattu: ");
  const fs::path copy = dir_.path() / "changed.xml";
  testing::WriteFile(copy, changed);
  CliRun r = Ingest(Archive("a"), {copy.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Decisions(r.out).begin()->second, "refused\t-\t-\t-\t-\troute.conflict");
  EXPECT_EQ(ArchiveContent(Archive("a")).size(), 1u);
}

TEST_F(IngestCliTest, AReplacementWaitsForItsPredecessorInTheSameBatch) {
  const std::string v1 = (Samples() / "documents/valid/04-original-version1.xml").string();
  const std::string v2 = (Samples() / "documents/valid/04-replacement-version2.xml").string();
  for (const char* jobs : {"1", "2"}) {
    const fs::path archive = Archive(std::string("jobs") + jobs);
    CliRun r = Ingest(archive, {v2, v1}, {"--jobs", jobs});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    for (const auto& [path, decision] : Decisions(r.out)) EXPECT_EQ(decision.substr(0, 6), "stored") << path;
  }
  CliRun alone = Ingest(Archive("alone"), {v2});
  EXPECT_EQ(alone.exit_code, 1);
  EXPECT_EQ(Decisions(alone.out).begin()->second, "refused\t-\t-\t-\t-\troute.predecessor-missing");
}

TEST_F(IngestCliTest, AnAuthorisationOnStandardInputTakesEffectFirst) {
  // The provider's document comes first on the command line, the
  // authorisation it needs on standard input ("-") after it: the plan reads
  // standard input once, finds the authorisation and stores it first.
  const std::string provider = (Samples() / "outsourcing/06-private-provider-own-record.xml").string();
  const std::string osva = testing::ReadFile(Samples() / "authorisations/osva-register-specific.xml");
  CliRun r = Cli({"ingest", "--no-progress", "--format", "json", "--archive",
                  "sqlite:" + Archive("stdin").string(), "--directory", Directory(), "--organiser",
                  kCounty, provider, "-"},
                 osva);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  Array::Ptr docs = ParseJson(r.out)->getArray("documents");
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ(docs->getObject(0)->getValue<std::string>("path"), "-");
  const auto decisions = Decisions(r.out);
  EXPECT_EQ(decisions.at("outsourcing/06-private-provider-own-record.xml"),
            "stored\t2\t1.2.246.10.90000011.19.0\toutsourcing-authorisation\t1.2.246.10.90000011.91.2026.7002\t-");
}

TEST_F(IngestCliTest, TheBatchOrganiserOptionAppliesWhenTheDocumentNamesNone) {
  ASSERT_EQ(Ingest(Archive("a"), {(Samples() / "authorisations").string()}).exit_code, 0);
  CliRun r = Ingest(Archive("a"), {(Samples() / "outsourcing/06-private-provider-own-record.xml").string()},
                    {"--organiser", kCounty});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(Decisions(r.out).begin()->second,
            "stored\t2\t1.2.246.10.90000011.19.0\toutsourcing-authorisation\t1.2.246.10.90000011.91.2026.7002\t-");
}

TEST_F(IngestCliTest, UsageAndConfigurationErrorsExitTwo) {
  const std::string doc = (Samples() / "documents/valid").string();
  EXPECT_EQ(Cli({"ingest", "--directory", Directory(), doc}).exit_code, 2) << "no --archive";
  EXPECT_EQ(Cli({"ingest", "--archive", "sqlite:" + Archive("a").string(), doc}).exit_code, 2)
      << "no --directory";
  CliRun bad = Cli({"ingest", "--archive", "sqlite:" + Archive("a").string(), "--directory",
                    (Samples() / "documents/valid/01-narrative-public-register.xml").string(), doc});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("not valid JSON"), std::string::npos) << bad.err;
  CliRun organiser = Cli({"ingest", "--archive", "sqlite:" + Archive("a").string(), "--directory",
                          Directory(), "--organiser", "1.2.3.4", doc});
  EXPECT_EQ(organiser.exit_code, 2);
  EXPECT_NE(organiser.err.find("1.2.3.4"), std::string::npos);
  CliRun scheme = Cli({"ingest", "--archive", "mysql://x", "--directory", Directory(), doc});
  EXPECT_EQ(scheme.exit_code, 2);
  CliRun missing = Cli({"archive", "list", "--archive", "sqlite:" + Archive("nothing").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no archive"), std::string::npos) << missing.err;
}

TEST_F(IngestCliTest, AProviderReadsOnlyWhatItsAuthorisationsAllow) {
  ASSERT_EQ(Ingest(Archive("a"), GoldenInputs()).exit_code, 1);
  auto read_as = [&](const std::string& provider, const std::string& at) {
    CliRun r = Cli({"archive", "list", "--archive", "sqlite:" + Archive("a").string(), "--directory",
                    Directory(), "--as", provider, "--at", at, "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return ParseJson(r.out);
  };
  auto ids = [](const Object::Ptr& listing) {
    std::set<std::string> out;
    Array::Ptr docs = listing->getArray("documents");
    for (std::size_t i = 0; i < docs->size(); ++i) {
      out.insert(docs->getObject(static_cast<unsigned>(i))->getValue<std::string>("id"));
    }
    return out;
  };
  // The register-specific authorisation lets the private provider read the
  // county's register 2 in 2026: every county record there, and its own.
  const Object::Ptr in_2026 = read_as(kPrivate, "2026-06-15");
  const std::set<std::string> seen = ids(in_2026);
  EXPECT_TRUE(seen.count("1.2.246.10.90000011.91.2019.100001"));  // county narrative, register 2
  EXPECT_TRUE(seen.count("1.2.246.10.90000011.91.2026.9100001"));  // county replacement
  EXPECT_TRUE(seen.count("1.2.246.10.90000033.91.2026.200006"));   // its own record
  EXPECT_FALSE(seen.count("1.2.246.10.90000044.91.2026.200001"));  // county register 4: no right
  EXPECT_FALSE(seen.count("1.2.246.10.90000066.91.2026.701"));     // social welfare: no right
  const Object::Ptr hidden = in_2026->getObject("hidden");
  EXPECT_GT(hidden->getValue<int>("count"), 0);
  const std::string reasons = [&] {
    std::ostringstream s;
    hidden->getArray("reasons")->stringify(s);
    return s.str();
  }();
  EXPECT_NE(reasons.find("register 4"), std::string::npos) << reasons;
  EXPECT_EQ(reasons.find("150386-9309"), std::string::npos) << "reasons name no patient";

  // After the authorisation ended only its own documents remain.
  const std::set<std::string> later = ids(read_as(kPrivate, "2027-02-01"));
  EXPECT_FALSE(later.count("1.2.246.10.90000011.91.2019.100001"));
  EXPECT_TRUE(later.count("1.2.246.10.90000033.91.2026.200006"));

  // The occupational-health provider's patient-specific authorisation covers
  // one patient; the county holds nothing else of hers in register 2.
  const std::set<std::string> occupational = ids(read_as(kOccupational, "2026-06-15"));
  EXPECT_TRUE(occupational.count("1.2.246.10.90000044.91.2019.100000"));  // own register 4
  EXPECT_FALSE(occupational.count("1.2.246.10.90000011.91.2019.100001"));

  // get refuses what the reader may not see, and says why.
  CliRun get = Cli({"archive", "get", "1.2.246.10.90000011.91.2019.100001", "--archive",
                    "sqlite:" + Archive("a").string(), "--as", kOccupational, "--at", "2026-06-15"});
  EXPECT_EQ(get.exit_code, 1);
  EXPECT_NE(get.err.find("not readable by"), std::string::npos) << get.err;
  CliRun get_own = Cli({"archive", "get", "1.2.246.10.90000011.91.2019.100001", "--archive",
                        "sqlite:" + Archive("a").string()});
  EXPECT_EQ(get_own.exit_code, 0);
  EXPECT_NE(get_own.out.find("<ClinicalDocument"), std::string::npos);
}

TEST_F(IngestCliTest, EachStoredDocumentsSha256IsThatOfItsStoredBytes) {
  // Stamped documents are stored rewritten: their sha256 must be of the
  // stored bytes, not of the input (the route stage hashes them). The
  // report's "bytes" is their size too.
  CliRun ingest = Ingest(Archive("a"), GoldenInputs());
  ASSERT_EQ(ingest.exit_code, 1) << ingest.err;
  std::map<std::string, std::size_t> reported;  // id -> "bytes" of stored documents
  Array::Ptr report = ParseJson(ingest.out)->getArray("documents");
  for (std::size_t i = 0; i < report->size(); ++i) {
    Object::Ptr d = report->getObject(static_cast<unsigned>(i));
    Object::Ptr decision = d->getObject("decision");
    if (decision.isNull() || decision->getValue<std::string>("action") != "stored") continue;
    reported[d->getValue<std::string>("id")] = d->getValue<std::size_t>("bytes");
  }
  ASSERT_GT(reported.size(), 0u);
  CliRun list = Cli({"archive", "list", "--archive", "sqlite:" + Archive("a").string(), "--format",
                     "json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  Array::Ptr docs = ParseJson(list.out)->getArray("documents");
  ASSERT_GT(docs->size(), 0u);
  for (std::size_t i = 0; i < docs->size(); ++i) {
    Object::Ptr d = docs->getObject(static_cast<unsigned>(i));
    const std::string id = d->getValue<std::string>("id");
    CliRun get = Cli({"archive", "get", id, "--archive", "sqlite:" + Archive("a").string()});
    ASSERT_EQ(get.exit_code, 0) << id << get.err;
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(get.out);
    EXPECT_EQ(Poco::DigestEngine::digestToHex(sha.digest()), d->getValue<std::string>("sha256"))
        << id;
    if (reported.count(id) > 0) {
      EXPECT_EQ(reported[id], get.out.size()) << id;
    }
  }
}

TEST_F(IngestCliTest, AuthorisationsListShowsWhatIsInForce) {
  ASSERT_EQ(Ingest(Archive("a"), GoldenInputs()).exit_code, 1);
  const std::string url = "sqlite:" + Archive("a").string();
  CliRun in_force = Cli({"authorisations", "list", "--archive", url, "--at", "2026-06-15", "--format", "json"});
  ASSERT_EQ(in_force.exit_code, 0) << in_force.err;
  Array::Ptr items = ParseJson(in_force.out)->getArray("authorisations");
  std::set<std::string> ids;
  for (std::size_t i = 0; i < items->size(); ++i) {
    Object::Ptr a = items->getObject(static_cast<unsigned>(i));
    ids.insert(a->getValue<std::string>("id"));
    EXPECT_EQ(a->getValue<std::string>("status"), "in force");
  }
  EXPECT_EQ(ids, (std::set<std::string>{"1.2.246.10.90000011.91.2026.7001", "1.2.246.10.90000011.91.2026.7002",
                                        "1.2.246.10.90000066.91.2026.501", "1.2.246.10.90000099.91.2026.601"}));
  CliRun all = Cli({"authorisations", "list", "--archive", url, "--at", "2026-06-15", "--all"});
  EXPECT_NE(all.out.find("invalidated by version 2 (1.2.246.10.90000022.91.2026.7102)"), std::string::npos)
      << all.out;
  CliRun show = Cli({"authorisations", "show", "1.2.246.10.90000011.91.2026.7001", "--archive", url,
                     "--format", "json"});
  ASSERT_EQ(show.exit_code, 0);
  Object::Ptr a = ParseJson(show.out);
  EXPECT_EQ(a->getValue<std::string>("type"), "patient-specific");
  EXPECT_EQ(a->getObject("store")->getValue<std::string>("specifier"), "1.2.246.10^7654321-9");
  EXPECT_EQ(Cli({"authorisations", "show", "1.2.3", "--archive", url}).exit_code, 1);
}

TEST_F(IngestCliTest, ArchiveMessagesAreWrittenAndReadBack) {
  const fs::path outbox = dir_.path() / "outbox";
  CliRun r = Ingest(Archive("a"), GoldenInputs(), {"--emit-messages", outbox.string()});
  EXPECT_EQ(r.exit_code, 1);
  const auto stored = ArchiveContent(Archive("a"));
  std::size_t files = 0, replacements = 0;
  for (const auto& e : fs::directory_iterator(outbox)) {
    ++files;
    const std::string m = testing::ReadFile(e.path());
    EXPECT_EQ(m.find("<RCMR_IN1000"), 39u) << e.path();
    if (m.find("<RCMR_IN100016FI01") != std::string::npos) {
      ++replacements;
      EXPECT_NE(m.find("typeCode=\"RPLC\""), std::string::npos);
    }
  }
  EXPECT_EQ(files, stored.size());
  EXPECT_EQ(replacements, 2u);  // the replacement and the invalidating authorisation version
  // The self-employed professional's messages go out through her host.
  const std::string joint = testing::ReadFile(outbox / "1.2.246.10.90000088.91.2026.200007.xml");
  EXPECT_NE(joint.find("<sender typeCode=\"SND\"><device><id root=\"1.2.246.10.90000033.10.0\"/>"),
            std::string::npos);

  // Read back into a fresh archive: every message unwraps to a stamped
  // document that lands where it was, with the same bytes.
  CliRun back = Ingest(Archive("b"), {outbox.string()});
  EXPECT_EQ(back.exit_code, 0) << back.out.substr(0, 4000);
  EXPECT_EQ(ArchiveContent(Archive("b")), stored);
}

TEST_F(IngestCliTest, SignedIngestStoresDocumentsThatVerify) {
  const fs::path pki = dir_.path() / "pki";
  ASSERT_EQ(Cli({"pki", "init", pki.string(), "--org-oid", kPrivate, "--org-name", "Testilääkärit Oy"}).exit_code, 0);
  const std::string outsourced = (Samples() / "documents/valid/05-outsourced-for-organiser.xml").string();
  CliRun r = Ingest(Archive("a"), {(Samples() / "authorisations").string(), outsourced},
                    {"--sign", "--key", (pki / "system.key.pem").string(), "--cert", (pki / "system.pem").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out.substr(0, 3000) << r.err;
  // What is stored carries the signature and verifies against the test CA,
  // with the stamped organiser-register header in it.
  const fs::path stored = dir_.path() / "stored.xml";
  ASSERT_EQ(Cli({"archive", "get", "1.2.246.10.90000033.91.2026.100000", "--archive",
                 "sqlite:" + Archive("a").string(), "--out", stored.string()}).exit_code, 0);
  const std::string bytes = testing::ReadFile(stored);
  EXPECT_NE(bytes.find("<hl7fi:signatureCollection"), std::string::npos);
  EXPECT_NE(bytes.find("<hl7fi:outsourcingServiceCustomer root=\"1.2.246.10.90000011.10.0\""), std::string::npos);
  CliRun verify = Cli({"verify", "--trust", (pki / "ca.pem").string(), stored.string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  CliRun valid = Cli({"validate", "--no-progress", stored.string()});
  EXPECT_EQ(valid.exit_code, 0) << valid.out;
  // Another implementation agrees.
  if (std::system("command -v xmlsec1 > /dev/null 2>&1") == 0) {
    const std::string cmd = "xmlsec1 --verify --id-attr:ID urn:hl7-org:v3:structuredBody "
                            "--id-attr:ID urn:hl7finland:signatureTimestamp --trusted-pem " +
                            testing::Quote((pki / "ca.pem").string()) + " " + testing::Quote(stored.string()) +
                            " > /dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
  }
  // --sign needs a key.
  EXPECT_EQ(Ingest(Archive("b"), {outsourced}, {"--sign"}).exit_code, 2);
}

// Generates a 5,000-document ingest kit of small documents (kanta-generate
// --ingest-kit, seed 9, `extra` flags) into `docs`, with its directory.
bool GenerateBatch(const fs::path& docs, const fs::path& directory, const std::string& extra) {
  const std::string generate = fs::path(KANTA_BIN).parent_path().parent_path().string() + "/generate/kanta-generate";
  const std::string cmd = testing::Quote(generate) + " --count 5000 --size-kb 6 --seed 9 " + extra +
                          " --ingest-kit --out " + testing::Quote(docs.string()) + " --directory-out " +
                          testing::Quote(directory.string()) + " > /dev/null";
  return std::system(cmd.c_str()) == 0;
}

// Waits until `file` has grown past `bytes` (the run is in the middle of its
// batch), at most 120 s; false when `started` ended before that.
bool WaitForOutput(const testing::Started& started, const fs::path& file, std::uintmax_t bytes) {
  for (int i = 0; i < 12000; ++i) {
    std::error_code ec;
    if (fs::file_size(file, ec) > bytes && !ec) return true;
    siginfo_t info{};  // has it ended? (WNOWAIT: left for Wait() to collect)
    if (waitid(P_PID, started.pid(), &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid != 0) return false;
    usleep(10000);
  }
  return false;
}

// SIGINT or SIGTERM in the middle of a batch end it cleanly: the documents
// already taken are stored and reported, the report and the run record say
// the batch was interrupted, the exit code is 128 + the signal, and running
// the batch again stores the rest, each document once. validate (and sign
// and verify, which share its runner) finish their report the same way.
TEST_F(IngestCliTest, AnInterruptedBatchEndsCleanlyAndARerunCompletesIt) {
  const fs::path docs = dir_.path() / "docs";
  const fs::path directory = dir_.path() / "directory.json";
  ASSERT_TRUE(GenerateBatch(docs, directory, ""));
  std::size_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(docs)) total += e.is_regular_file();
  ASSERT_GT(total, 5000u);

  for (const int signal : {SIGINT, SIGTERM}) {
    const std::string name = signal == SIGINT ? "SIGINT" : "SIGTERM";
    SCOPED_TRACE(name);
    const fs::path archive = Archive(name);
    const fs::path report = dir_.path() / (name + ".json");
    const std::vector<std::string> args = {"ingest", "--no-progress", "--jobs", "2", "--format", "json", "--out",
                                           report.string(), "--archive", "sqlite:" + archive.string(),
                                           "--directory", directory.string(), docs.string()};
    testing::Started started = testing::Start(args, dir_.path());
    ASSERT_GT(started.pid(), 0);
    ASSERT_TRUE(WaitForOutput(started, report, 64 << 10)) << "ingest ended before it could be interrupted";
    ASSERT_EQ(kill(started.pid(), signal), 0);
    const CliRun r = testing::Wait(started);
    EXPECT_EQ(r.exit_code, 128 + signal) << r.err;
    EXPECT_NE(r.err.find("ingest interrupted (" + name + ")"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("Run the same batch again"), std::string::npos) << r.err;

    // The report is whole, and says so.
    Object::Ptr first = ParseJson(testing::ReadFile(report));
    EXPECT_EQ(first->getObject("summary")->getValue<std::string>("interrupted"), name);
    Array::Ptr reported = first->getArray("documents");
    EXPECT_GT(reported->size(), 0u);
    EXPECT_LT(reported->size(), total);
    std::size_t stored = 0;
    for (std::size_t i = 0; i < reported->size(); ++i) {
      const std::string action = reported->getObject(static_cast<unsigned>(i))->getObject("decision")->getValue<std::string>("action");
      EXPECT_EQ(action, "stored");
      stored += action == "stored";
    }
    // Stored is reported, and reported as stored is stored.
    EXPECT_EQ(ArchiveContent(archive).size(), stored);
    {
      auto opened = archive::OpenArchive("sqlite:" + archive.string());
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      auto runs = (*opened)->Runs();
      ASSERT_TRUE(runs.ok() && runs->size() == 1u);
      EXPECT_FALSE(runs->front().ended_at.empty());
      EXPECT_EQ(ParseJson(runs->front().totals_json)->getValue<std::string>("interrupted"), name);
    }

    // The same batch again stores the rest; what was stored is a duplicate.
    CliRun again = Cli({"ingest", "--no-progress", "--format", "json", "--archive", "sqlite:" + archive.string(),
                        "--directory", directory.string(), docs.string()});
    std::size_t duplicates = 0, stored_now = 0;
    Array::Ptr all = ParseJson(again.out)->getArray("documents");
    for (std::size_t i = 0; i < all->size(); ++i) {
      const std::string action = all->getObject(static_cast<unsigned>(i))->getObject("decision")->getValue<std::string>("action");
      duplicates += action == "duplicate";
      stored_now += action == "stored";
    }
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(duplicates, stored);
    EXPECT_EQ(duplicates + stored_now, total);
    EXPECT_EQ(ArchiveContent(archive).size(), total);
  }

  // validate: the text report ends with what was checked and says the rest was not.
  const fs::path text = dir_.path() / "validate.txt";
  testing::Started started =
      testing::Start({"validate", "--no-progress", "--jobs", "1", "--out", text.string(), docs.string()}, dir_.path());
  ASSERT_GT(started.pid(), 0);
  ASSERT_TRUE(WaitForOutput(started, text, 16 << 10)) << "validate ended before it could be interrupted";
  ASSERT_EQ(kill(started.pid(), SIGTERM), 0);
  const CliRun v = testing::Wait(started);
  EXPECT_EQ(v.exit_code, 128 + SIGTERM) << v.err;
  const std::string out = testing::ReadFile(text);
  EXPECT_NE(out.find(" documents: "), std::string::npos);
  EXPECT_TRUE(out.size() > 100 && out.substr(out.size() - 100).find("interrupted (SIGTERM): the rest of the batch was not processed\n") != std::string::npos)
      << out.substr(out.size() > 300 ? out.size() - 300 : 0);
}

// Kills ingest with SIGKILL at random moments during a 5,000-document batch,
// then runs it to the end: every document is stored (or set aside) exactly
// once, and the archive equals the one a clean run makes.
TEST_F(IngestCliTest, KilledAtRandomMomentsEveryDocumentEndsUpExactlyOnce) {
  const fs::path docs = dir_.path() / "docs";
  const fs::path directory = dir_.path() / "directory.json";
  ASSERT_TRUE(GenerateBatch(docs, directory, "--invalid-ratio 0.02"));
  auto ingest = [&](const fs::path& archive, double kill_after) {
    std::string c = kill_after > 0 ? "timeout -s KILL " + std::to_string(kill_after) + " " : "";
    c += testing::Quote(KANTA_BIN) + " ingest --no-progress --jobs 2 --format json --out /dev/null --archive " +
         testing::Quote("sqlite:" + archive.string()) + " --directory " + testing::Quote(directory.string()) + " " +
         testing::Quote(docs.string()) + " > /dev/null 2>&1";
    return std::system(c.c_str());
  };
  ingest(Archive("clean"), 0);
  const auto clean = ArchiveContent(Archive("clean"));
  ASSERT_GT(clean.size(), 4500u);

  std::mt19937 rng(20261122);
  std::uniform_real_distribution<double> when(0.3, 2.5);
  // The first kill must interrupt the batch, or the test proves nothing: it
  // comes once the report shows the batch under way, not after a fixed time.
  {
    const fs::path report = dir_.path() / "killed.json";
    testing::Started started = testing::Start(
        {"ingest", "--no-progress", "--jobs", "2", "--format", "json", "--out", report.string(), "--archive",
         "sqlite:" + Archive("killed").string(), "--directory", directory.string(), docs.string()},
        dir_.path());
    ASSERT_GT(started.pid(), 0);
    ASSERT_TRUE(WaitForOutput(started, report, 64 << 10)) << "ingest ended before it could be killed";
    ASSERT_EQ(kill(started.pid(), SIGKILL), 0);
    EXPECT_EQ(testing::Wait(started).exit_code, 128 + SIGKILL);
  }
  const std::size_t after_first_kill = ArchiveContent(Archive("killed")).size();
  EXPECT_GT(after_first_kill, 0u);
  EXPECT_LT(after_first_kill, clean.size());
  for (int i = 0; i < 3; ++i) ingest(Archive("killed"), when(rng));
  ingest(Archive("killed"), 0);
  EXPECT_EQ(ArchiveContent(Archive("killed")), clean);

  auto quarantine = [&](const fs::path& archive) {
    CliRun q = Cli({"archive", "quarantine", "--archive", "sqlite:" + archive.string(), "--format", "json"});
    std::multiset<std::string> sources;
    Array::Ptr entries = ParseJson(q.out)->getArray("quarantine");
    for (std::size_t i = 0; i < entries->size(); ++i) {
      sources.insert(entries->getObject(static_cast<unsigned>(i))->getValue<std::string>("source"));
    }
    return sources;
  };
  const auto clean_q = quarantine(Archive("clean"));
  EXPECT_FALSE(clean_q.empty());
  EXPECT_EQ(quarantine(Archive("killed")), clean_q);
}

}  // namespace
}  // namespace kanta
