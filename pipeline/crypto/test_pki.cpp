#include "crypto/test_pki.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "crypto/certificate.h"
#include "crypto/ossl_ptr.h"

namespace kanta::crypto {
namespace {

namespace fs = std::filesystem;

constexpr long kDay = 24 * 3600;

Result<EvpPkeyPtr> NewRsaKey(int bits) {
  EvpPkeyPtr key(EVP_RSA_gen(static_cast<unsigned int>(bits)));
  if (!key) return Internal(WithOpenSslErrors("RSA key generation failed"));
  return key;
}

struct Subject {
  std::string country = "FI";
  std::string organisation;
  std::string serial_number;  // empty: none
  std::string common_name;
};

Status AddEntry(X509_NAME* name, const char* field, const std::string& value) {
  if (value.empty()) return Status::Ok();
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                 0) != 1) {
    return Internal(WithOpenSslErrors(std::string("cannot set subject ") + field));
  }
  return Status::Ok();
}

Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509ExtensionPtr ext(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return Internal(WithOpenSslErrors(std::string("cannot add the extension ") + value));
  }
  return Status::Ok();
}

struct CertSpec {
  Subject subject;
  long valid_from = -kDay;  // seconds relative to now
  long valid_to = 2 * 365 * kDay;
  bool ca = false;
  const char* key_usage = "critical,digitalSignature,nonRepudiation";
};

// Issues a certificate for `key`; self-signed when `issuer` is null.
Result<X509Ptr> Issue(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
                      std::time_t now) {
  X509Ptr cert(X509_new());
  if (!cert) return Internal(WithOpenSslErrors("cannot create a certificate"));
  X509_set_version(cert.get(), 2);
  unsigned char serial[9];
  if (RAND_bytes(serial, sizeof serial) != 1) return Internal(WithOpenSslErrors("RAND_bytes"));
  serial[0] &= 0x7f;  // a positive serial
  BignumPtr bn(BN_bin2bn(serial, sizeof serial, nullptr));
  BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()));
  X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, spec.valid_from, &now);
  X509_time_adj_ex(X509_getm_notAfter(cert.get()), 0, spec.valid_to, &now);
  X509_NAME* name = X509_get_subject_name(cert.get());
  RETURN_IF_ERROR(AddEntry(name, "C", spec.subject.country));
  RETURN_IF_ERROR(AddEntry(name, "O", spec.subject.organisation));
  RETURN_IF_ERROR(AddEntry(name, "serialNumber", spec.subject.serial_number));
  RETURN_IF_ERROR(AddEntry(name, "CN", spec.subject.common_name));
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(cert.get(), key);
  X509* issuer_cert = issuer != nullptr ? issuer : cert.get();
  RETURN_IF_ERROR(AddExtension(cert.get(), issuer_cert, NID_basic_constraints,
                               spec.ca ? "critical,CA:TRUE" : "critical,CA:FALSE"));
  RETURN_IF_ERROR(AddExtension(cert.get(), issuer_cert, NID_key_usage, spec.key_usage));
  RETURN_IF_ERROR(AddExtension(cert.get(), issuer_cert, NID_subject_key_identifier, "hash"));
  if (issuer != nullptr) {
    RETURN_IF_ERROR(
        AddExtension(cert.get(), issuer_cert, NID_authority_key_identifier, "keyid:always"));
  }
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) <= 0) {
    return Internal(WithOpenSslErrors("cannot sign the certificate"));
  }
  return cert;
}

Status WriteText(const std::string& path, const std::string& text, bool secret) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return InvalidArgument("cannot write " + path);
  out << text;
  out.close();
  if (!out) return Internal("writing " + path + " failed");
  if (secret) ::chmod(path.c_str(), 0600);
  return Status::Ok();
}

Status WriteKey(const std::string& path, EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Internal(WithOpenSslErrors("cannot encode a private key"));
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return WriteText(path, std::string(data, static_cast<std::size_t>(n)), true);
}

Status WritePkcs12(const std::string& path, const std::string& password, EVP_PKEY* key, X509* cert,
                   X509* ca, const std::string& friendly_name) {
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> chain(
      sk_X509_new_null(), [](STACK_OF(X509) * s) { sk_X509_free(s); });
  sk_X509_push(chain.get(), ca);
  // OpenSSL 3 defaults: AES-256-CBC with PBKDF2, SHA-256 MAC.
  Pkcs12Ptr p12(PKCS12_create(password.c_str(), friendly_name.c_str(), key, cert, chain.get(), 0, 0,
                              0, 0, 0));
  if (!p12) return Internal(WithOpenSslErrors("cannot create the PKCS#12 bundle"));
  unsigned char* der = nullptr;
  const int n = i2d_PKCS12(p12.get(), &der);
  if (n <= 0) return Internal(WithOpenSslErrors("cannot encode the PKCS#12 bundle"));
  std::string bytes(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
  return WriteText(path, bytes, true);
}

}  // namespace

Result<TestPkiFiles> MakeTestPki(const std::string& dir, const TestPkiOptions& options) {
  const std::time_t now = options.now != 0 ? options.now : std::time(nullptr);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return InvalidArgument("cannot create " + dir + ": " + ec.message());

  TestPkiFiles f;
  f.dir = dir;
  auto path = [&](const char* name) { return (fs::path(dir) / name).string(); };
  f.ca_cert = path("ca.pem");
  f.ca_key = path("ca.key.pem");
  f.system_cert = path("system.pem");
  f.system_key = path("system.key.pem");
  f.system_p12 = path("system.p12");
  f.system_p12_password = path("system.p12.pass");
  f.expired_cert = path("expired.pem");
  f.expired_key = path("expired.key.pem");
  f.not_yet_valid_cert = path("not-yet-valid.pem");
  f.not_yet_valid_key = path("not-yet-valid.key.pem");
  f.wrong_key_usage_cert = path("wrong-key-usage.pem");
  f.wrong_key_usage_key = path("wrong-key-usage.key.pem");
  f.unknown_ca_cert = path("unknown-ca.pem");
  f.unknown_ca_key = path("unknown-ca.key.pem");
  f.unknown_ca_root = path("unknown-ca-root.pem");
  if (!options.overwrite) {
    for (const std::string& p : {f.ca_cert, f.ca_key, f.system_cert, f.system_key}) {
      if (fs::exists(p, ec)) {
        return FailedPrecondition(p + " exists; choose an empty folder (or --force)");
      }
    }
  }

  CertSpec ca_spec;
  ca_spec.subject = Subject{"FI", "kanta-pipeline TEST", "", options.ca_name};
  ca_spec.ca = true;
  ca_spec.valid_from = -5 * 365 * kDay;  // covers the expired variant's lifetime
  ca_spec.valid_to = 10 * 365 * kDay;
  ca_spec.key_usage = "critical,keyCertSign,cRLSign";
  ASSIGN_OR_RETURN(EvpPkeyPtr ca_key, NewRsaKey(options.key_bits));
  ASSIGN_OR_RETURN(X509Ptr ca, Issue(ca_spec, ca_key.get(), nullptr, nullptr, now));

  CertSpec other_ca_spec = ca_spec;
  other_ca_spec.subject.common_name = "kanta-pipeline UNKNOWN TEST CA";
  ASSIGN_OR_RETURN(EvpPkeyPtr other_ca_key, NewRsaKey(options.key_bits));
  ASSIGN_OR_RETURN(X509Ptr other_ca,
                   Issue(other_ca_spec, other_ca_key.get(), nullptr, nullptr, now));

  CertSpec system;
  system.subject =
      Subject{"FI", options.organisation_name, options.organisation_oid, options.system_name};

  struct Variant {
    const std::string* cert_path;
    const std::string* key_path;
    CertSpec spec;
    X509* issuer;
    EVP_PKEY* issuer_key;
  };
  CertSpec expired = system;
  expired.valid_from = -2 * 365 * kDay;
  expired.valid_to = -kDay;
  CertSpec not_yet_valid = system;
  not_yet_valid.valid_from = 365 * kDay;
  not_yet_valid.valid_to = 3 * 365 * kDay;
  CertSpec wrong_usage = system;
  wrong_usage.key_usage = "critical,keyEncipherment";
  const std::vector<Variant> variants = {
      {&f.system_cert, &f.system_key, system, ca.get(), ca_key.get()},
      {&f.expired_cert, &f.expired_key, expired, ca.get(), ca_key.get()},
      {&f.not_yet_valid_cert, &f.not_yet_valid_key, not_yet_valid, ca.get(), ca_key.get()},
      {&f.wrong_key_usage_cert, &f.wrong_key_usage_key, wrong_usage, ca.get(), ca_key.get()},
      {&f.unknown_ca_cert, &f.unknown_ca_key, system, other_ca.get(), other_ca_key.get()},
  };

  RETURN_IF_ERROR(WriteText(f.ca_cert, CertificatePem(ca.get()), false));
  RETURN_IF_ERROR(WriteKey(f.ca_key, ca_key.get()));
  RETURN_IF_ERROR(WriteText(f.unknown_ca_root, CertificatePem(other_ca.get()), false));
  for (const Variant& v : variants) {
    ASSIGN_OR_RETURN(EvpPkeyPtr key, NewRsaKey(options.key_bits));
    ASSIGN_OR_RETURN(X509Ptr cert, Issue(v.spec, key.get(), v.issuer, v.issuer_key, now));
    RETURN_IF_ERROR(WriteText(*v.cert_path, CertificatePem(cert.get()), false));
    RETURN_IF_ERROR(WriteKey(*v.key_path, key.get()));
    if (v.cert_path == &f.system_cert) {
      unsigned char raw[12];
      if (RAND_bytes(raw, sizeof raw) != 1) return Internal(WithOpenSslErrors("RAND_bytes"));
      static const char* hex = "0123456789abcdef";
      std::string password;
      for (unsigned char b : raw) {
        password += hex[b >> 4];
        password += hex[b & 15];
      }
      RETURN_IF_ERROR(WriteText(f.system_p12_password, password + "\n", true));
      RETURN_IF_ERROR(WritePkcs12(f.system_p12, password, key.get(), cert.get(), ca.get(),
                                  options.system_name));
    }
  }
  return f;
}

}  // namespace kanta::crypto
