#include "registers/authorisation.h"

#include <gtest/gtest.h>

#include "registers/authorisation_store.h"
#include "test_support.h"
#include "xml/secure_parser.h"

namespace kanta::registers {
namespace {

std::unique_ptr<xml::XmlTree> Parse(const std::string& bytes) {
  Report report;
  auto tree = xml::SecureParser().Parse(bytes, "test", "parse", report);
  EXPECT_TRUE(tree.ok());
  EXPECT_NE(*tree, nullptr);
  return std::move(*tree);
}

std::unique_ptr<xml::XmlTree> Sample(const char* path) {
  return Parse(testing::ReadFile(testing::SourceDir() / "samples" / path));
}

TEST(AuthorisationTest, ReadsEveryFieldOfThePatientSpecificSample) {
  auto tree = Sample("authorisations/osva-patient-specific.xml");
  EXPECT_EQ(FormOf(tree->root(), RegisterPolicy{}), AuthorisationForm::kOutsourcing);
  const OutsourcingAuthorisation a = ReadOutsourcingAuthorisation(tree->root());
  EXPECT_EQ(a.id, "1.2.246.10.90000011.91.2026.7001");
  EXPECT_EQ(a.set_id, a.id);
  EXPECT_EQ(a.version, 1);
  EXPECT_FALSE(a.invalidated);
  EXPECT_EQ(a.custodian, "1.2.246.10.90000011.19.0");
  EXPECT_EQ(a.type, OutsourcingType::kPatientSpecific);
  EXPECT_EQ(a.validity.low, "20260101");
  EXPECT_EQ(a.validity.high, "20261231");
  EXPECT_EQ(a.organiser, "1.2.246.10.90000011.10.0");
  EXPECT_EQ(a.organiser_name, "Pohjanmaan testihyvinvointialue");
  EXPECT_EQ(a.organiser_unit, "1.2.246.10.90000011.10.1");
  EXPECT_EQ(a.provider, "1.2.246.10.90000044.10.0");
  EXPECT_EQ(a.provider_name, "Työterveys Testi Oy");
  EXPECT_TRUE(a.retrieve.granted);
  EXPECT_EQ(a.retrieve.register_code, "2");
  EXPECT_TRUE(a.store.granted);
  EXPECT_EQ(a.store.custodian, "1.2.246.10.90000011.19.0");
  EXPECT_EQ(a.store.register_code, "4");
  EXPECT_EQ(a.store.specifier, "1.2.246.10^7654321-9");
  EXPECT_EQ(a.store.specifier_name, "Asiakasyritys Esimerkki Oy");
  EXPECT_EQ(a.patient, "1.2.246.21^150386-9309");
  EXPECT_EQ(a.patient_name, "Testinen, Aino");
  EXPECT_EQ(a.patient_birth_date, "19860315");
  EXPECT_TRUE(a.all_documents);
  EXPECT_EQ(a.recorder, "1.2.246.21^010170-925B");
  EXPECT_EQ(a.recorded_at, "202601010930");
}

TEST(AuthorisationTest, ReadsTheRealOutsourcingAuthorisation) {
  KANTA_REQUIRE_CORPUS();
  auto tree = Parse(testing::ReadFile(testing::CorpusDir() / "kanta/documents/Esim_OSVA_Omakannasta.xml"));
  EXPECT_EQ(FormOf(tree->root(), RegisterPolicy{}), AuthorisationForm::kOutsourcing);
  const OutsourcingAuthorisation a = ReadOutsourcingAuthorisation(tree->root());
  EXPECT_EQ(a.id, "1.2.246.10.99999984.10.0.91.2009.58");
  EXPECT_EQ(a.type, OutsourcingType::kPatientSpecific);
  EXPECT_EQ(a.organiser, "1.2.246.10.99999984.10.0");
  EXPECT_EQ(a.organiser_unit, "1.2.246.10.99999984.10.1");
  EXPECT_EQ(a.provider, "1.2.246.10.48484841.10.0");
  EXPECT_EQ(a.retrieve.custodian, "1.2.246.10.99999984.19.0");
  EXPECT_EQ(a.retrieve.register_code, "4");
  EXPECT_EQ(a.retrieve.specifier, "1.2.246.10^1234567-1");
  EXPECT_EQ(a.store.register_code, "4");
  EXPECT_EQ(a.store.specifier, "1.2.246.10^1234567-1");
  EXPECT_EQ(a.patient, "1.2.246.21^030875-999Y");
  EXPECT_EQ(a.patient_birth_date, "19750803");
  EXPECT_TRUE(a.all_documents);
  EXPECT_TRUE(a.disclosed_service_events.empty());  // commented out in the sample
  EXPECT_EQ(a.recorder, "1.2.246.21^290165-980W");
  EXPECT_EQ(a.recorder_unit, "1.2.246.10.99999984.10.1");
  EXPECT_EQ(a.recorded_at, "201405131044");
  EXPECT_FALSE(a.validity.low.empty());
}

TEST(AuthorisationTest, ReadsTheClientRelationshipSample) {
  auto tree = Sample("social-welfare/client-relationship.xml");
  EXPECT_EQ(FormOf(tree->root(), RegisterPolicy{}), AuthorisationForm::kClientRelationship);
  RegisterPolicy other;
  other.client_relationship_group = "AS01";
  EXPECT_EQ(FormOf(tree->root(), other), AuthorisationForm::kNone);
  const RegisterAccessRight r = ReadRegisterAccessRight(tree->root());
  EXPECT_EQ(r.id, "1.2.246.10.90000066.91.2026.501");
  EXPECT_EQ(r.organiser, "1.2.246.10.90000066.10.0");
  EXPECT_EQ(r.custodian, "1.2.246.10.90000066.19.0");
  EXPECT_EQ(r.register_code, "1");
  EXPECT_EQ(r.register_system, "1.2.246.537.6.1264");
  EXPECT_EQ(r.provider_unit, "1.2.246.10.90000077.10.3");
  EXPECT_EQ(r.client, "1.2.246.21^150386-9309");
  EXPECT_EQ(r.relationship.low, "20260301");
  EXPECT_EQ(r.relationship.high, "");
}

TEST(AuthorisationTest, AnOrdinaryDocumentCarriesNoAuthorisation) {
  auto tree = Sample("documents/valid/01-narrative-public-register.xml");
  EXPECT_EQ(FormOf(tree->root(), RegisterPolicy{}), AuthorisationForm::kNone);
}

TEST(AuthorisationTest, PeriodsCompareByDateBothEndsInclusive) {
  const Period p{"20260101", "20261231"};
  EXPECT_TRUE(Covers(p, "20260101000000"));
  EXPECT_TRUE(Covers(p, "20261231235959"));
  EXPECT_FALSE(Covers(p, "20251231"));
  EXPECT_FALSE(Covers(p, "20270101"));
  EXPECT_FALSE(Covers(p, ""));
  EXPECT_TRUE(Covers(Period{"20260101", ""}, "29991231"));
  EXPECT_TRUE(Covers(Period{}, ""));
  EXPECT_EQ(DisplayDate("20261231120000"), "2026-12-31");
}

OutsourcingAuthorisation Osva(const std::string& id, int version, bool invalidated) {
  OutsourcingAuthorisation a;
  a.id = id;
  a.set_id = "set";
  a.version = version;
  a.invalidated = invalidated;
  if (!invalidated) {
    a.organiser = "1.2.3";
    a.provider = "1.2.4";
    a.validity = {"2026010" + std::to_string(version), ""};
  }
  return a;
}

TEST(AuthorisationStoreTest, ALaterVersionReplacesTheEarlierOne) {
  AuthorisationStore store;
  EXPECT_TRUE(store.Add(Osva("v1", 1, false)));
  EXPECT_TRUE(store.Add(Osva("v2", 2, false)));
  EXPECT_FALSE(store.Add(Osva("v1", 1, false)));  // older: ignored
  auto found = store.Outsourcing("1.2.3", "1.2.4");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].content.id, "v2");
  EXPECT_EQ(found[0].content.validity.low, "20260102");
}

TEST(AuthorisationStoreTest, AnInvalidationKeepsTheContentAndSaysByWhichVersion) {
  AuthorisationStore store;
  store.Add(Osva("v1", 1, false));
  store.Add(Osva("v2", 2, true));
  auto found = store.Outsourcing("1.2.3", "1.2.4");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(found[0].invalidated);
  EXPECT_EQ(found[0].invalidated_by_version, 2);
  EXPECT_EQ(found[0].invalidated_by_id, "v2");
  EXPECT_EQ(found[0].content.id, "v1");
  EXPECT_TRUE(store.Outsourcing("1.2.3", "1.2.9").empty());
}

}  // namespace
}  // namespace kanta::registers
