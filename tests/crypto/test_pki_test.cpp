// The test PKI maker and the key/certificate loaders (PEM, PKCS#12).
#include "crypto/test_pki.h"

#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>

#include "crypto/certificate.h"
#include "crypto/credentials.h"
#include "crypto/trust_store.h"
#include "crypto_test_support.h"
#include "test_support.h"

namespace kanta::crypto {
namespace {

using kanta::testing::TestPki;

CertificateInfo Info(const std::string& path) {
  auto certs = LoadCertificateFile(path);
  EXPECT_TRUE(certs.ok()) << certs.status().ToString();
  return certs.ok() ? DescribeCertificate(certs->front().get()) : CertificateInfo{};
}

ChainCheck Chain(const std::string& cert_path, std::time_t at = std::time(nullptr)) {
  auto certs = LoadCertificateFile(cert_path);
  EXPECT_TRUE(certs.ok());
  auto check = kanta::testing::TestTrust()->Check(certs->front().get(), {}, at);
  EXPECT_TRUE(check.ok()) << check.status().ToString();
  return check.ok() ? *check : ChainCheck{};
}

TEST(TestPkiTest, SystemCertificateIsShapedLikeKantas) {
  const CertificateInfo info = Info(TestPki().system_cert);
  EXPECT_EQ(info.organisation, "Pohjanmaan testihyvinvointialue");
  EXPECT_EQ(info.subject_serial_number, "1.2.246.10.90000011.10.0");
  EXPECT_EQ(info.common_name, "kanta-pipeline test system");
  EXPECT_TRUE(info.has_key_usage);
  EXPECT_TRUE(info.digital_signature);
  EXPECT_TRUE(info.non_repudiation);
  EXPECT_FALSE(info.key_cert_sign);
  EXPECT_EQ(info.key_type, "RSA");
  EXPECT_EQ(info.key_bits, 2048);
  EXPECT_TRUE(Chain(TestPki().system_cert).ok());
}

TEST(TestPkiTest, BrokenVariantsFailExactlyTheirCheck) {
  EXPECT_EQ(Chain(TestPki().expired_cert).problem, ChainCheck::Problem::kExpired);
  EXPECT_EQ(Chain(TestPki().not_yet_valid_cert).problem, ChainCheck::Problem::kNotYetValid);
  EXPECT_EQ(Chain(TestPki().unknown_ca_cert).problem, ChainCheck::Problem::kUntrusted);
  EXPECT_TRUE(Chain(TestPki().wrong_key_usage_cert).ok()) << "only its key usage is wrong";
  const CertificateInfo wrong = Info(TestPki().wrong_key_usage_cert);
  EXPECT_TRUE(wrong.has_key_usage);
  EXPECT_FALSE(wrong.digital_signature);
  EXPECT_FALSE(wrong.non_repudiation);
  // The expired certificate was valid two years ago.
  EXPECT_TRUE(Chain(TestPki().expired_cert, std::time(nullptr) - 400 * 24 * 3600).ok());
}

TEST(TestPkiTest, PemAndPkcs12LoadTheSameCredentials) {
  auto pem = SigningCredentials::LoadPem(TestPki().system_key, TestPki().system_cert);
  ASSERT_TRUE(pem.ok()) << pem.status().ToString();
  auto p12 = SigningCredentials::LoadPkcs12(TestPki().system_p12, TestPki().system_p12_password);
  ASSERT_TRUE(p12.ok()) << p12.status().ToString();
  EXPECT_EQ((*pem)->certificate_base64(), (*p12)->certificate_base64());
  EXPECT_EQ(EVP_PKEY_eq((*pem)->key(), (*p12)->key()), 1);
  EXPECT_EQ((*p12)->chain().size(), 1u) << "the bundle carries the CA";
  auto detected = SigningCredentials::Load(TestPki().system_p12, "", TestPki().system_p12_password);
  ASSERT_TRUE(detected.ok()) << detected.status().ToString();
  EXPECT_EQ((*detected)->certificate_base64(), (*pem)->certificate_base64());
}

TEST(TestPkiTest, WrongPasswordOrMismatchedKeyIsRefused) {
  kanta::testing::TempDir t;
  kanta::testing::WriteFile(t.path() / "wrong.pass", "not-the-password\n");
  auto p12 =
      SigningCredentials::LoadPkcs12(TestPki().system_p12, (t.path() / "wrong.pass").string());
  ASSERT_FALSE(p12.ok());
  EXPECT_NE(p12.status().message().find("password"), std::string::npos) << p12.status().message();
  auto mismatched = SigningCredentials::LoadPem(TestPki().expired_key, TestPki().system_cert);
  ASSERT_FALSE(mismatched.ok());
  EXPECT_NE(mismatched.status().message().find("does not belong"), std::string::npos);
  EXPECT_FALSE(SigningCredentials::LoadPem("/nonexistent/key.pem", TestPki().system_cert).ok());
}

TEST(TestPkiTest, RefusesToOverwriteWithoutForce) {
  kanta::testing::TempDir t;
  TestPkiOptions options;
  options.key_bits = 2048;
  auto first = MakeTestPki(t.path().string(), options);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto again = MakeTestPki(t.path().string(), options);
  EXPECT_FALSE(again.ok());
  EXPECT_TRUE(std::filesystem::exists(first->system_p12));
  const auto perms = std::filesystem::status(first->system_key).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::group_read, std::filesystem::perms::none);
}

TEST(TestPkiTest, TrustStoreRefusesFilesWithoutCertificates) {
  kanta::testing::TempDir t;
  kanta::testing::WriteFile(t.path() / "empty.pem", "nothing here\n");
  EXPECT_FALSE(TrustStore::Load({(t.path() / "empty.pem").string()}).ok());
  EXPECT_FALSE(TrustStore::Load({"/nonexistent/ca.pem"}).ok());
  auto none = TrustStore::Load({});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ((*none)->anchors(), 0u);
}

TEST(Base64Test, DecodesWithWhitespaceAndRefusesGarbage) {
  auto ok = DecodeBase64("aGVs\nbG8=\n");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, "hello");
  EXPECT_FALSE(DecodeBase64("aGVsbG8").ok()) << "not a multiple of 4";
  EXPECT_FALSE(DecodeBase64("aGV*bG8=").ok());
  EXPECT_EQ(EncodeBase64("hello"), "aGVsbG8=");
}

}  // namespace
}  // namespace kanta::crypto
