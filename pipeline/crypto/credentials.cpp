#include "crypto/credentials.h"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace kanta::crypto {

Result<std::string> ReadPasswordFile(const std::string& path) {
  if (path.empty()) return std::string();
  std::string text;
  RETURN_IF_ERROR(ReadWholeFile(path, text));
  const std::size_t end = text.find_first_of("\r\n");
  if (end != std::string::npos) text.resize(end);
  return text;
}

Result<std::shared_ptr<const SigningCredentials>> SigningCredentials::FromObjects(
    EvpPkeyPtr key, X509Ptr certificate, std::vector<X509Ptr> chain) {
  if (!key || !certificate) return InvalidArgument("a key and a certificate are both needed");
  if (X509_check_private_key(certificate.get(), key.get()) != 1) {
    ERR_clear_error();
    return InvalidArgument("the private key does not belong to the certificate " +
                           DescribeCertificate(certificate.get()).subject);
  }
  auto c = std::shared_ptr<SigningCredentials>(new SigningCredentials());
  c->key_ = std::move(key);
  c->certificate_ = std::move(certificate);
  c->chain_ = std::move(chain);
  c->info_ = DescribeCertificate(c->certificate_.get());
  c->certificate_base64_ = CertificateBase64(c->certificate_.get());
  return std::shared_ptr<const SigningCredentials>(std::move(c));
}

Result<std::shared_ptr<const SigningCredentials>> SigningCredentials::LoadPem(
    const std::string& key_file, const std::string& certificate_file,
    const std::string& password_file) {
  ASSIGN_OR_RETURN(std::string password, ReadPasswordFile(password_file));
  std::string key_text;
  RETURN_IF_ERROR(ReadWholeFile(key_file, key_text));
  BioPtr bio(BIO_new_mem_buf(key_text.data(), static_cast<int>(key_text.size())));
  // With no callback, OpenSSL takes the last argument as the password; a
  // non-null empty string makes an encrypted key fail instead of prompting.
  EvpPkeyPtr key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, const_cast<char*>(password.c_str())));
  if (!key) {
    return InvalidArgument(WithOpenSslErrors(
        "cannot read the private key " + key_file +
        (password.empty() ? " (PEM expected; an encrypted key needs --password-file)"
                          : " (PEM expected; is the password right?)")));
  }
  if (certificate_file.empty()) return InvalidArgument("no certificate file given for " + key_file);
  ASSIGN_OR_RETURN(std::vector<X509Ptr> certs, LoadCertificateFile(certificate_file));
  X509Ptr leaf = std::move(certs.front());
  certs.erase(certs.begin());
  Result<std::shared_ptr<const SigningCredentials>> c =
      FromObjects(std::move(key), std::move(leaf), std::move(certs));
  if (!c.ok()) return c.status().WithContext(key_file + " and " + certificate_file);
  return c;
}

Result<std::shared_ptr<const SigningCredentials>> SigningCredentials::LoadPkcs12(
    const std::string& p12_file, const std::string& password_file) {
  ASSIGN_OR_RETURN(std::string password, ReadPasswordFile(password_file));
  std::string bytes;
  RETURN_IF_ERROR(ReadWholeFile(p12_file, bytes));
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, static_cast<long>(bytes.size())));
  if (!p12) return InvalidArgument(WithOpenSslErrors(p12_file + " is not a PKCS#12 bundle"));
  EVP_PKEY* raw_key = nullptr;
  X509* raw_cert = nullptr;
  STACK_OF(X509)* raw_ca = nullptr;
  if (PKCS12_parse(p12.get(), password.c_str(), &raw_key, &raw_cert, &raw_ca) != 1) {
    return InvalidArgument(WithOpenSslErrors("cannot open the PKCS#12 bundle " + p12_file +
                                             " (is the password file right?)"));
  }
  EvpPkeyPtr key(raw_key);
  X509Ptr cert(raw_cert);
  X509StackPtr ca(raw_ca);
  if (!key || !cert) {
    return InvalidArgument("the PKCS#12 bundle " + p12_file + " lacks a " +
                           (key ? "certificate" : "private key"));
  }
  std::vector<X509Ptr> chain;
  for (int i = 0; ca && i < sk_X509_num(ca.get()); ++i) {
    chain.push_back(ShareCertificate(sk_X509_value(ca.get(), i)));
  }
  Result<std::shared_ptr<const SigningCredentials>> c =
      FromObjects(std::move(key), std::move(cert), std::move(chain));
  if (!c.ok()) return c.status().WithContext(p12_file);
  return c;
}

Result<std::shared_ptr<const SigningCredentials>> SigningCredentials::Load(
    const std::string& key_file, const std::string& certificate_file,
    const std::string& password_file) {
  std::string head;
  RETURN_IF_ERROR(ReadWholeFile(key_file, head));
  if (head.find("-----BEGIN") == std::string::npos) return LoadPkcs12(key_file, password_file);
  return LoadPem(key_file, certificate_file, password_file);
}

}  // namespace kanta::crypto
