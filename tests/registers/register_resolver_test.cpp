#include "registers/register_resolver.h"

#include <gtest/gtest.h>

#include <map>

namespace kanta::registers {
namespace {

constexpr const char* kHealth = "1.2.246.537.5.40150.2009";
constexpr const char* kSocial = "1.2.246.537.6.1264";

// County C organises; P, Q private providers; O occupational health; S
// self-employed through P; W2/W1 social-welfare organisers in phase 2/1;
// V2, V1, V0 social-welfare providers in phase 2, 1 and not joined.
constexpr const char* kDirectory = R"({"organisations": [
 {"oid": "1.9.1.10.0", "name": "County C", "kind": "public", "custodian": {"oid": "1.9.1.19.0", "name": "County C"},
  "registers": ["2", "4"]},
 {"oid": "1.9.2.10.0", "name": "Provider P", "kind": "private", "custodian": {"oid": "1.9.2.19.0", "name": "Provider P"},
  "registers": ["3"], "serviceUnits": [{"oid": "1.9.2.10.1", "name": "P unit"}]},
 {"oid": "1.9.3.10.0", "name": "Provider Q", "kind": "private", "custodian": {"oid": "1.9.3.19.0", "name": "Provider Q"},
  "registers": ["3"]},
 {"oid": "1.9.4.10.0", "name": "Occupational O", "kind": "private", "custodian": {"oid": "1.9.4.19.0", "name": "Occupational O"},
  "registers": ["3", "4"]},
 {"oid": "1.9.5.10.0", "name": "Solo S", "kind": "self-employed", "custodian": {"oid": "1.9.5.19.0", "name": "Solo S"},
  "registers": ["10"], "connection": {"model": "joint", "host": "1.9.2.10.0"}},
 {"oid": "1.9.6.10.0", "name": "Welfare W2", "kind": "public", "custodian": {"oid": "1.9.6.19.0", "name": "Welfare W2"},
  "socialWelfareRegisters": ["1"], "socialWelfarePhase": 2},
 {"oid": "1.9.7.10.0", "name": "Welfare W1", "kind": "public", "custodian": {"oid": "1.9.7.19.0", "name": "Welfare W1"},
  "socialWelfareRegisters": ["1"], "socialWelfarePhase": 1},
 {"oid": "1.9.8.10.0", "name": "Care V2", "kind": "private", "custodian": {"oid": "1.9.8.19.0", "name": "Care V2"},
  "socialWelfareRegisters": ["2"], "socialWelfarePhase": 2, "serviceUnits": [{"oid": "1.9.8.10.3", "name": "V2 unit"}]},
 {"oid": "1.9.9.10.0", "name": "Care V1", "kind": "private", "custodian": {"oid": "1.9.9.19.0", "name": "Care V1"},
  "socialWelfareRegisters": ["2"], "socialWelfarePhase": 1, "serviceUnits": [{"oid": "1.9.9.10.3", "name": "V1 unit"}]},
 {"oid": "1.9.10.10.0", "name": "Care V0", "kind": "private", "custodian": {"oid": "1.9.10.19.0", "name": "Care V0"},
  "serviceUnits": [{"oid": "1.9.10.10.3", "name": "V0 unit"}]}
]})";

constexpr const char* kPatient = "1.2.246.21^150386-9309";
constexpr const char* kOtherPatient = "1.2.246.21^010170-925B";

class FakeLookup final : public PlacementLookup {
 public:
  Result<std::optional<StoredPlacement>> Find(std::string_view id) const override {
    auto it = stored.find(std::string(id));
    if (it == stored.end()) return std::optional<StoredPlacement>();
    return std::optional<StoredPlacement>(it->second);
  }
  Result<int> LatestVersion(std::string_view set_id) const override {
    int latest = 0;
    for (const auto& [id, p] : stored) {
      if (p.set_id == set_id) latest = std::max(latest, p.version);
    }
    return latest;
  }
  std::map<std::string, StoredPlacement> stored;
};

class RegisterResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = OrganisationDirectory::Parse(kDirectory, "test");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    directory_ = *dir;
    store_ = std::make_shared<AuthorisationStore>();
  }

  // A provider P health document for the county, dated 2026-06-15.
  static Subject ProviderDocument() {
    Subject s;
    s.id = "1.9.2.91.1";
    s.set_id = s.id;
    s.version = 1;
    s.patient = kPatient;
    s.custodian = "1.9.2.19.0";
    s.producer = "1.9.2.10.0";
    s.organiser = "1.9.1.10.0";
    s.register_code = "3";
    s.register_system = kHealth;
    s.document_time = "20260615120000";
    return s;
  }

  static OutsourcingAuthorisation Osva(std::string id, OutsourcingType type) {
    OutsourcingAuthorisation a;
    a.id = std::move(id);
    a.set_id = a.id;
    a.version = 1;
    a.type = type;
    a.validity = {"20260101", "20261231"};
    a.organiser = "1.9.1.10.0";
    a.provider = "1.9.2.10.0";
    a.store = {true, "1.9.1.19.0", "2", "", ""};
    if (type == OutsourcingType::kPatientSpecific) a.patient = kPatient;
    return a;
  }

  static RegisterAccessRight Right(std::string id) {
    RegisterAccessRight r;
    r.id = std::move(id);
    r.set_id = r.id;
    r.version = 1;
    r.organiser = "1.9.6.10.0";
    r.custodian = "1.9.6.19.0";
    r.register_code = "1";
    r.register_system = kSocial;
    r.provider_unit = "1.9.8.10.3";
    r.client = kPatient;
    r.relationship = {"20260301", ""};
    return r;
  }

  // A provider V2 social-welfare document for organiser W2.
  static Subject WelfareDocument() {
    Subject s;
    s.id = "1.9.8.91.1";
    s.set_id = s.id;
    s.version = 1;
    s.patient = kPatient;
    s.custodian = "1.9.8.19.0";
    s.producer = "1.9.8.10.0";
    s.organiser = "1.9.6.10.0";
    s.register_code = "2";
    s.register_system = kSocial;
    s.service_unit = "1.9.8.10.3";
    s.document_time = "20260615";
    return s;
  }

  Resolution Resolve(const Subject& s, ResolverOptions options = {}) {
    RegisterResolver resolver(directory_, store_, std::move(options));
    Result<Resolution> r = resolver.Resolve(s, lookup_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Resolution{};
  }

  void ExpectRefused(const Resolution& r, const std::string& rule, const std::string& says) {
    EXPECT_EQ(r.decision.action, Action::kRefused);
    EXPECT_EQ(r.decision.rule, rule);
    EXPECT_NE(r.decision.reason.find(says), std::string::npos) << r.decision.reason;
  }

  std::shared_ptr<const OrganisationDirectory> directory_;
  std::shared_ptr<AuthorisationStore> store_;
  FakeLookup lookup_;
};

TEST_F(RegisterResolverTest, OwnDocumentGoesToTheProducersOwnRegister) {
  Subject s = ProviderDocument();
  s.organiser.clear();
  const Resolution r = Resolve(s);
  EXPECT_EQ(r.decision.action, Action::kPending);
  EXPECT_EQ(r.decision.custodian, "1.9.2.19.0");
  EXPECT_EQ(r.decision.custodian_name, "Provider P");
  EXPECT_EQ(r.decision.custodian_type, "2");
  EXPECT_EQ(r.decision.register_code, "3");
  EXPECT_EQ(r.decision.basis_kind, "own");
  EXPECT_TRUE(r.decision.organiser.empty());
}

TEST_F(RegisterResolverTest, ServiceUnitAsProducerBelongsToItsOrganisation) {
  Subject s = ProviderDocument();
  s.organiser.clear();
  s.producer = "1.9.2.10.1";
  EXPECT_EQ(Resolve(s).decision.custodian, "1.9.2.19.0");
}

TEST_F(RegisterResolverTest, RefusesARegisterTheProducerDoesNotKeep) {
  Subject s = ProviderDocument();
  s.organiser.clear();
  s.register_code = "2";
  ExpectRefused(Resolve(s), "route.register-not-kept", "keeps registers: 3");
}

TEST_F(RegisterResolverTest, ArchiveDocumentRegister13IsImplicit) {
  Subject s = ProviderDocument();
  s.organiser.clear();
  s.register_code = "13";
  EXPECT_EQ(Resolve(s).decision.action, Action::kPending);
}

TEST_F(RegisterResolverTest, Register4NeedsASpecifier) {
  Subject s = ProviderDocument();
  s.organiser.clear();
  s.producer = "1.9.4.10.0";
  s.custodian = "1.9.4.19.0";
  s.register_code = "4";
  ExpectRefused(Resolve(s), "route.specifier-missing", "register 4");
  s.specifier = "1.2.246.10^1234567-1";
  s.specifier_name = "Asiakas Oy";
  const Resolution r = Resolve(s);
  EXPECT_EQ(r.decision.action, Action::kPending);
  EXPECT_EQ(r.decision.specifier, "1.2.246.10^1234567-1");
  EXPECT_EQ(r.decision.specifier_name, "Asiakas Oy");
}

TEST_F(RegisterResolverTest, RefusesADocumentWithoutAnId) {
  Subject s = ProviderDocument();
  s.id.clear();
  ExpectRefused(Resolve(s), "route.no-id", "has no id");
}

TEST_F(RegisterResolverTest, RefusesADocumentThatIsNotForARegister) {
  Subject s = ProviderDocument();
  s.register_system = "1.2.246.537.5.40105.2006";  // e-prescription message type
  ExpectRefused(Resolve(s), "route.not-a-register-document", "Prescription Centre");
}

TEST_F(RegisterResolverTest, RefusesAMissingOrUnknownProducer) {
  Subject s = ProviderDocument();
  s.producer.clear();
  ExpectRefused(Resolve(s), "route.no-producer", "responsibleParty");
  s.producer = "1.9.99.10.0";
  ExpectRefused(Resolve(s), "route.unknown-organisation", "producer 1.9.99.10.0");
}

TEST_F(RegisterResolverTest, RefusesAnUnknownOrganiserOrCustodian) {
  Subject s = ProviderDocument();
  s.organiser = "1.9.99.10.0";
  ExpectRefused(Resolve(s), "route.unknown-organisation", "organiser 1.9.99.10.0");
  s.organiser.clear();
  s.custodian = "1.9.99.19.0";
  ExpectRefused(Resolve(s), "route.unknown-organisation", "custodian 1.9.99.19.0");
}

TEST_F(RegisterResolverTest, OutsourcedDocumentLandsInTheOrganisersRegister) {
  store_->Add(Osva("osva-1", OutsourcingType::kRegisterSpecific));
  const Resolution r = Resolve(ProviderDocument());
  EXPECT_EQ(r.decision.action, Action::kPending);
  EXPECT_EQ(r.decision.custodian, "1.9.1.19.0");
  EXPECT_EQ(r.decision.custodian_name, "County C");
  EXPECT_EQ(r.decision.custodian_type, "1");
  EXPECT_EQ(r.decision.register_code, "2");
  EXPECT_EQ(r.decision.register_system, kHealth);
  EXPECT_EQ(r.decision.organiser, "1.9.1.10.0");
  EXPECT_EQ(r.decision.organiser_name, "County C");
  EXPECT_EQ(r.decision.basis_kind, "outsourcing-authorisation");
  EXPECT_EQ(r.decision.basis_document, "osva-1");
}

TEST_F(RegisterResolverTest, OrganiserIsTheCustodianWhenTheDocumentNamesNoOrganiser) {
  store_->Add(Osva("osva-1", OutsourcingType::kRegisterSpecific));
  Subject s = ProviderDocument();
  s.organiser.clear();
  s.custodian = "1.9.1.19.0";
  const Resolution r = Resolve(s);
  EXPECT_EQ(r.decision.organiser, "1.9.1.10.0");
  EXPECT_EQ(r.decision.basis_document, "osva-1");
}

TEST_F(RegisterResolverTest, OrganiserComesFromTheBatchOptionLast) {
  store_->Add(Osva("osva-1", OutsourcingType::kRegisterSpecific));
  Subject s = ProviderDocument();
  s.organiser.clear();
  const Resolution r = Resolve(s, ResolverOptions{"1.9.1.10.0"});
  EXPECT_EQ(r.decision.custodian, "1.9.1.19.0");
  EXPECT_EQ(r.decision.basis_kind, "outsourcing-authorisation");
}

TEST_F(RegisterResolverTest, AnOrganiserThatIsTheProducerMeansItsOwnRegister) {
  Subject s = ProviderDocument();
  s.organiser = "1.9.2.10.0";
  EXPECT_EQ(Resolve(s).decision.basis_kind, "own");
}

TEST_F(RegisterResolverTest, RefusesWithoutAnAuthorisationBetweenTheTwo) {
  store_->Add(Osva("osva-1", OutsourcingType::kRegisterSpecific));
  Subject s = ProviderDocument();
  s.producer = "1.9.3.10.0";  // Q has none
  s.custodian = "1.9.3.19.0";
  ExpectRefused(Resolve(s), "route.no-authorisation", "from the organiser 1.9.1.10.0 (County C) to the provider 1.9.3.10.0");
}

TEST_F(RegisterResolverTest, RefusesAnExpiredAuthorisationWithItsDates) {
  store_->Add(Osva("osva-1", OutsourcingType::kRegisterSpecific));
  Subject s = ProviderDocument();
  s.document_time = "20270102";
  ExpectRefused(Resolve(s), "route.authorisation-expired",
                "expired on 2026-12-31 (valid from 2026-01-01); the document is dated 2027-01-02");
}

TEST_F(RegisterResolverTest, RefusesAnAuthorisationNotYetValid) {
  store_->Add(Osva("osva-1", OutsourcingType::kRegisterSpecific));
  Subject s = ProviderDocument();
  s.document_time = "20251231";
  ExpectRefused(Resolve(s), "route.authorisation-not-yet-valid", "valid from 2026-01-01 to 2026-12-31");
}

TEST_F(RegisterResolverTest, RefusesAPatientTheAuthorisationDoesNotCover) {
  store_->Add(Osva("osva-1", OutsourcingType::kPatientSpecific));
  Subject s = ProviderDocument();
  s.patient = kOtherPatient;
  ExpectRefused(Resolve(s), "route.patient-not-covered", "patient-specific for 1.2.246.21^150386-9309");
  s.patient = kPatient;
  EXPECT_EQ(Resolve(s).decision.action, Action::kPending);
}

TEST_F(RegisterResolverTest, RefusesWithoutAStoreRight) {
  OutsourcingAuthorisation a = Osva("osva-1", OutsourcingType::kRegisterSpecific);
  a.store = RegisterRight{};
  a.retrieve = {true, "1.9.1.19.0", "2", "", ""};
  store_->Add(a);
  ExpectRefused(Resolve(ProviderDocument()), "route.no-store-right", "grants no right to store");
}

TEST_F(RegisterResolverTest, RefusesAStoreRightIntoAnotherCustodian) {
  OutsourcingAuthorisation a = Osva("osva-1", OutsourcingType::kRegisterSpecific);
  a.store.custodian = "1.9.3.19.0";
  store_->Add(a);
  ExpectRefused(Resolve(ProviderDocument()), "route.no-store-right", "not the organiser's custodian");
}

TEST_F(RegisterResolverTest, RefusesAnInvalidatedAuthorisationNamingTheVersion) {
  store_->Add(Osva("osva-1", OutsourcingType::kRegisterSpecific));
  OutsourcingAuthorisation v2;
  v2.id = "osva-1-v2";
  v2.set_id = "osva-1";
  v2.version = 2;
  v2.invalidated = true;
  store_->Add(v2);
  ExpectRefused(Resolve(ProviderDocument()), "route.authorisation-invalidated",
                "invalidated by version 2 (osva-1-v2)");
}

TEST_F(RegisterResolverTest, ReportsTheClosestMissAmongSeveralAuthorisations) {
  OutsourcingAuthorisation expired = Osva("osva-old", OutsourcingType::kRegisterSpecific);
  expired.validity = {"20250101", "20251231"};
  store_->Add(expired);
  store_->Add(Osva("osva-patient", OutsourcingType::kPatientSpecific));
  Subject s = ProviderDocument();
  s.patient = kOtherPatient;
  // The patient-specific one got further (valid in time) than the expired one.
  ExpectRefused(Resolve(s), "route.patient-not-covered", "osva-patient");
}

TEST_F(RegisterResolverTest, StoreRightWithASpecifierIsStamped) {
  OutsourcingAuthorisation a = Osva("osva-1", OutsourcingType::kPatientSpecific);
  a.provider = "1.9.4.10.0";
  a.store = {true, "1.9.1.19.0", "4", "1.2.246.10^7654321-9", "Asiakas Oy"};
  store_->Add(a);
  Subject s = ProviderDocument();
  s.producer = "1.9.4.10.0";
  s.custodian = "1.9.4.19.0";
  const Resolution r = Resolve(s);
  EXPECT_EQ(r.decision.register_code, "4");
  EXPECT_EQ(r.decision.specifier, "1.2.246.10^7654321-9");
  EXPECT_EQ(r.decision.specifier_name, "Asiakas Oy");
}

TEST_F(RegisterResolverTest, ARegister4StoreRightWithoutSpecifierIsRefused) {
  OutsourcingAuthorisation a = Osva("osva-1", OutsourcingType::kRegisterSpecific);
  a.store.register_code = "4";
  store_->Add(a);
  ExpectRefused(Resolve(ProviderDocument()), "route.specifier-missing", "register 4");
}

TEST_F(RegisterResolverTest, ReplacementLandsWhereItsPredecessorIs) {
  store_->Add(Osva("osva-1", OutsourcingType::kRegisterSpecific));
  StoredPlacement v1{"1.9.2.91.1", "1.9.2.91.1", 1, "1.9.1.19.0", "County C", "2", kHealth,
                     "", "", "1.9.1.10.0", "outsourcing-authorisation", "osva-1"};
  lookup_.stored[v1.id] = v1;
  Subject s = ProviderDocument();
  s.id = "1.9.2.91.2";
  s.version = 2;
  s.replaces = "1.9.2.91.1";
  s.organiser.clear();  // the new version names no organiser
  s.register_code = "3";
  const Resolution r = Resolve(s);
  EXPECT_EQ(r.decision.action, Action::kPending);
  EXPECT_EQ(r.decision.custodian, "1.9.1.19.0");
  EXPECT_EQ(r.decision.register_code, "2");
  EXPECT_EQ(r.decision.basis_document, "osva-1");
}

TEST_F(RegisterResolverTest, ReplacementOfAnOwnDocumentStaysInTheOwnRegister) {
  StoredPlacement v1{"1.9.2.91.1", "1.9.2.91.1", 1, "1.9.2.19.0", "Provider P", "3", kHealth,
                     "", "", "", "own", ""};
  lookup_.stored[v1.id] = v1;
  Subject s = ProviderDocument();
  s.organiser.clear();
  s.id = "1.9.2.91.2";
  s.version = 2;
  s.replaces = v1.id;
  const Resolution r = Resolve(s);
  EXPECT_EQ(r.decision.basis_kind, "own");
  EXPECT_EQ(r.decision.custodian, "1.9.2.19.0");
}

TEST_F(RegisterResolverTest, VersionNPlusOneNeedsVersionN) {
  Subject s = ProviderDocument();
  s.organiser.clear();
  s.id = "1.9.2.91.2";
  s.version = 2;
  s.replaces = "1.9.2.91.1";
  ExpectRefused(Resolve(s), "route.predecessor-missing", "version 1 must be stored first");

  s.replaces.clear();
  ExpectRefused(Resolve(s), "route.version-gap", "no relatedDocument");

  lookup_.stored["1.9.2.91.1"] = StoredPlacement{"1.9.2.91.1", "1.9.2.91.1", 1, "1.9.2.19.0", "", "3",
                                                 kHealth, "", "", "", "own", ""};
  s.replaces = "1.9.2.91.1";
  s.version = 3;
  ExpectRefused(Resolve(s), "route.version-gap", "it must replace version 2");

  s.version = 2;
  s.set_id = "other-set";
  ExpectRefused(Resolve(s), "route.version-gap", "belongs to set");
}

TEST_F(RegisterResolverTest, ANewerStoredVersionSupersedes) {
  lookup_.stored["1.9.2.91.1"] = StoredPlacement{"1.9.2.91.1", "1.9.2.91.1", 1, "1.9.2.19.0", "", "3",
                                                 kHealth, "", "", "", "own", ""};
  lookup_.stored["1.9.2.91.3"] = StoredPlacement{"1.9.2.91.3", "1.9.2.91.1", 3, "1.9.2.19.0", "", "3",
                                                 kHealth, "", "", "", "own", ""};
  Subject s = ProviderDocument();
  s.organiser.clear();
  s.id = "1.9.2.91.2";
  s.version = 2;
  s.replaces = "1.9.2.91.1";
  ExpectRefused(Resolve(s), "route.superseded", "version 3 of set 1.9.2.91.1 is already stored");
}

TEST_F(RegisterResolverTest, AnAlreadyStoredDocumentIsADuplicateWhereverItIs) {
  lookup_.stored["1.9.2.91.1"] = StoredPlacement{"1.9.2.91.1", "1.9.2.91.1", 1, "1.9.1.19.0", "County C",
                                                 "2", kHealth, "", "", "1.9.1.10.0",
                                                 "outsourcing-authorisation", "osva-1"};
  const Resolution r = Resolve(ProviderDocument());  // no authorisation held any more
  EXPECT_EQ(r.decision.action, Action::kDuplicate);
  EXPECT_EQ(r.decision.custodian, "1.9.1.19.0");
  EXPECT_EQ(r.decision.basis_document, "osva-1");
}

TEST_F(RegisterResolverTest, RefusesWithoutADocumentTime) {
  store_->Add(Osva("osva-1", OutsourcingType::kRegisterSpecific));
  Subject s = ProviderDocument();
  s.document_time.clear();
  ExpectRefused(Resolve(s), "route.no-document-time", "no effectiveTime");
}

TEST_F(RegisterResolverTest, SocialWelfareDocumentLandsUnderARegisterAccessRight) {
  store_->Add(Right("cr-1"));
  const Resolution r = Resolve(WelfareDocument());
  EXPECT_EQ(r.decision.action, Action::kPending);
  EXPECT_EQ(r.decision.custodian, "1.9.6.19.0");
  EXPECT_EQ(r.decision.register_code, "1");
  EXPECT_EQ(r.decision.register_system, kSocial);
  EXPECT_EQ(r.decision.basis_kind, "register-access-right");
  EXPECT_EQ(r.decision.basis_document, "cr-1");
  EXPECT_TRUE(r.notes.empty());
}

TEST_F(RegisterResolverTest, SocialWelfareNeedsAPhase2Organiser) {
  RegisterAccessRight right = Right("cr-1");
  right.organiser = "1.9.7.10.0";
  store_->Add(right);
  Subject s = WelfareDocument();
  s.organiser = "1.9.7.10.0";
  ExpectRefused(Resolve(s), "route.phase-mismatch", "phase-1 functionality only");
  s.organiser = "1.9.1.10.0";  // county C has not joined the archive
  ExpectRefused(Resolve(s), "route.phase-mismatch", "has not joined the Client Data Archive");
}

TEST_F(RegisterResolverTest, APhase1ProviderIsAPartialImplementation) {
  RegisterAccessRight right = Right("cr-1");
  right.provider_unit = "1.9.9.10.3";
  store_->Add(right);
  Subject s = WelfareDocument();
  s.producer = "1.9.9.10.0";
  s.custodian = "1.9.9.19.0";
  s.service_unit = "1.9.9.10.3";
  const Resolution r = Resolve(s);
  EXPECT_EQ(r.decision.action, Action::kPending);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0].rule, "route.partial-implementation");
  EXPECT_EQ(r.notes[0].severity, Severity::kWarning);

  auto strict = OrganisationDirectory::Parse(
      std::string(kDirectory).substr(0, std::string(kDirectory).size() - 1) +
          R"(, "policy": {"acceptPhase1Provider": false}})",
      "strict");
  ASSERT_TRUE(strict.ok()) << strict.status().ToString();
  RegisterResolver resolver(*strict, store_, {});
  ExpectRefused(*resolver.Resolve(s, lookup_), "route.phase-mismatch", "acceptPhase1Provider");
}

TEST_F(RegisterResolverTest, AProviderNotOnTheClientDataArchiveIsRefused) {
  Subject s = WelfareDocument();
  s.producer = "1.9.10.10.0";
  s.custodian = "1.9.10.19.0";
  s.service_unit = "1.9.10.10.3";
  ExpectRefused(Resolve(s), "route.phase-mismatch", "Care V0) has not joined");
}

TEST_F(RegisterResolverTest, SocialWelfareRefusals) {
  store_->Add(Right("cr-1"));
  Subject s = WelfareDocument();
  s.patient = kOtherPatient;
  ExpectRefused(Resolve(s), "route.patient-not-covered", "for the client 1.2.246.21^150386-9309");

  s = WelfareDocument();
  s.document_time = "20260201";
  ExpectRefused(Resolve(s), "route.authorisation-not-yet-valid", "valid from 2026-03-01");

  s = WelfareDocument();
  s.service_unit.clear();
  ExpectRefused(Resolve(s), "route.no-service-unit", "serviceProviderOrganization");

  s = WelfareDocument();
  s.service_unit = "1.9.99.10.3";
  ExpectRefused(Resolve(s), "route.unknown-organisation", "service unit 1.9.99.10.3");

  s = WelfareDocument();
  s.organiser = "1.9.6.10.0";
  store_ = std::make_shared<AuthorisationStore>();
  ExpectRefused(Resolve(s), "route.no-authorisation", "has not recorded the service unit 1.9.8.10.3");
}

TEST_F(RegisterResolverTest, AnEndedClientRelationshipHasExpired) {
  RegisterAccessRight right = Right("cr-1");
  right.relationship.high = "20260531";
  store_->Add(right);
  ExpectRefused(Resolve(WelfareDocument()), "route.authorisation-expired", "expired on 2026-05-31");
}

}  // namespace
}  // namespace kanta::registers
