// SigningCredentials: a private key and its certificate, loaded once.
//
// Loaded from a PEM key and PEM certificate (the certificate file may carry
// the issuing chain after the signer's certificate; an encrypted key needs a
// password file), or from a PKCS#12 bundle with a password file. The key must
// belong to the certificate. The object is immutable after loading and shared
// read-only (std::shared_ptr<const>) by every thread that signs; OpenSSL keys
// and certificates may be used concurrently as long as nobody changes them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "crypto/certificate.h"
#include "crypto/ossl_ptr.h"

namespace kanta::crypto {

class SigningCredentials {
 public:
  // PEM private key (PKCS#8 or traditional, optionally encrypted: then
  // `password_file` holds the password) and PEM certificate file. Fails when
  // a file is unreadable, a password is wrong, or the key does not belong to
  // the first certificate.
  static Result<std::shared_ptr<const SigningCredentials>> LoadPem(
      const std::string& key_file, const std::string& certificate_file,
      const std::string& password_file = "");

  // PKCS#12 bundle whose password is the first line of `password_file`
  // (empty file: no password). Fails as LoadPem does, or when the bundle has
  // no key or no certificate.
  static Result<std::shared_ptr<const SigningCredentials>> LoadPkcs12(
      const std::string& p12_file, const std::string& password_file);

  // Chooses by content: a PKCS#12 bundle in `key_file` (then
  // `certificate_file` may be empty), otherwise PEM.
  static Result<std::shared_ptr<const SigningCredentials>> Load(const std::string& key_file,
                                                                const std::string& certificate_file,
                                                                const std::string& password_file);

  // Builds credentials from objects already in memory (tests, the PKI maker).
  // Fails when the key does not belong to the certificate.
  static Result<std::shared_ptr<const SigningCredentials>> FromObjects(
      EvpPkeyPtr key, X509Ptr certificate, std::vector<X509Ptr> chain = {});

  EVP_PKEY* key() const { return key_.get(); }
  X509* certificate() const { return certificate_.get(); }
  // Issuing certificates that came with the signer's certificate.
  const std::vector<X509Ptr>& chain() const { return chain_; }
  const CertificateInfo& info() const { return info_; }
  // The signer's certificate as DER, base64 on one line (ds:X509Certificate).
  const std::string& certificate_base64() const { return certificate_base64_; }

 private:
  SigningCredentials() = default;

  EvpPkeyPtr key_;
  X509Ptr certificate_;
  std::vector<X509Ptr> chain_;
  CertificateInfo info_;
  std::string certificate_base64_;
};

// The password in `path`: its first line without the line end. "" for an
// empty path. Fails when the file cannot be read.
Result<std::string> ReadPasswordFile(const std::string& path);

}  // namespace kanta::crypto
