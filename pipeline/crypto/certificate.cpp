#include "crypto/certificate.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace kanta::crypto {
namespace {

std::string NameText(const X509_NAME* name) {
  if (name == nullptr) return {};
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  // RFC 2253 order and escaping, but UTF-8 kept as is (Finnish names).
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string NameEntry(const X509_NAME* name, int nid) {
  if (name == nullptr) return {};
  const int i = X509_NAME_get_index_by_NID(name, nid, -1);
  if (i < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n < 0) return {};
  std::string s(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return s;
}

std::time_t ToTime(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return timegm(&tm);
}

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

std::string OpenSslErrors() {
  std::string out;
  unsigned long code;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

std::string WithOpenSslErrors(const std::string& what) {
  const std::string errors = OpenSslErrors();
  return errors.empty() ? what : what + ": " + errors;
}

CertificateInfo DescribeCertificate(X509* cert) {
  CertificateInfo info;
  if (cert == nullptr) return info;
  const X509_NAME* subject = X509_get_subject_name(cert);
  info.subject = NameText(subject);
  info.issuer = NameText(X509_get_issuer_name(cert));
  info.subject_serial_number = NameEntry(subject, NID_serialNumber);
  info.organisation = NameEntry(subject, NID_organizationName);
  info.common_name = NameEntry(subject, NID_commonName);
  if (const ASN1_INTEGER* serial = X509_get0_serialNumber(cert)) {
    BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
    if (bn) {
      OpensslCharPtr hex(BN_bn2hex(bn.get()));
      if (hex) info.serial_number = hex.get();
    }
  }
  info.not_before = ToTime(X509_get0_notBefore(cert));
  info.not_after = ToTime(X509_get0_notAfter(cert));
  info.has_key_usage = (X509_get_extension_flags(cert) & EXFLAG_KUSAGE) != 0;
  const std::uint32_t usage = X509_get_key_usage(cert);
  info.digital_signature = (usage & KU_DIGITAL_SIGNATURE) != 0;
  info.non_repudiation = (usage & KU_NON_REPUDIATION) != 0;
  info.key_cert_sign = (usage & KU_KEY_CERT_SIGN) != 0;
  if (EVP_PKEY* key = X509_get0_pubkey(cert)) {
    switch (EVP_PKEY_get_base_id(key)) {
      case EVP_PKEY_RSA:
        info.key_type = "RSA";
        break;
      case EVP_PKEY_RSA_PSS:
        info.key_type = "RSA-PSS";
        break;
      case EVP_PKEY_EC:
        info.key_type = "EC";
        break;
      case EVP_PKEY_DSA:
        info.key_type = "DSA";
        break;
      case EVP_PKEY_ED25519:
        info.key_type = "Ed25519";
        break;
      case EVP_PKEY_ED448:
        info.key_type = "Ed448";
        break;
      default:
        info.key_type = "other";
        break;
    }
    info.key_bits = EVP_PKEY_get_bits(key);
  }
  ERR_clear_error();
  return info;
}

Result<X509Ptr> CertificateFromDer(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return InvalidArgument(WithOpenSslErrors("not a DER X.509 certificate"));
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return InvalidArgument(
        "the certificate is followed by " +
        std::to_string(reinterpret_cast<const unsigned char*>(der.data()) + der.size() - p) +
        " extra bytes");
  }
  return cert;
}

Result<X509Ptr> CertificateFromBase64(std::string_view text) {
  ASSIGN_OR_RETURN(std::string der, DecodeBase64(text));
  return CertificateFromDer(der);
}

std::string CertificateBase64(X509* cert) {
  unsigned char* der = nullptr;
  const int n = i2d_X509(cert, &der);
  if (n <= 0) return {};
  std::string out = EncodeBase64(std::string_view(reinterpret_cast<char*>(der), n));
  OPENSSL_free(der);
  return out;
}

std::string CertificatePem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

Status ReadWholeFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Internal("reading " + path + " failed");
  out = ss.str();
  return Status::Ok();
}

Result<std::vector<X509Ptr>> LoadCertificateFile(const std::string& path) {
  std::string bytes;
  RETURN_IF_ERROR(ReadWholeFile(path, bytes));
  std::vector<X509Ptr> certs;
  if (bytes.find("-----BEGIN") != std::string::npos) {
    BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
      certs.emplace_back(c);
    }
    // The loop ends with a "no start line" error at the end of the file.
    ERR_clear_error();
  } else {
    Result<X509Ptr> der = CertificateFromDer(bytes);
    if (!der.ok()) return InvalidArgument(path + ": " + der.status().message());
    certs.push_back(std::move(*der));
  }
  if (certs.empty()) return InvalidArgument(path + " holds no certificate (PEM or DER)");
  return certs;
}

Result<std::string> DecodeBase64(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  std::size_t padding = 0;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      ++padding;
      clean.push_back(c);
      continue;
    }
    if (!IsBase64Char(c) || padding > 0) {
      return InvalidArgument("not base64: unexpected character '" + std::string(1, c) + "'");
    }
    clean.push_back(c);
  }
  if (clean.size() % 4 != 0 || padding > 2) {
    return InvalidArgument("not base64: " + std::to_string(clean.size()) +
                           " characters is not a whole number of 4-character groups");
  }
  std::string out(clean.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(clean.data()),
                                static_cast<int>(clean.size()));
  if (n < 0) return InvalidArgument(WithOpenSslErrors("not base64"));
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

std::string EncodeBase64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

std::string FormatUtc(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace kanta::crypto
