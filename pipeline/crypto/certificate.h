// Reading X.509 certificates: decoding, loading from files, and the facts the
// signature policy needs (subject, organisation OID, validity, key usage).
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypto/ossl_ptr.h"

namespace kanta::crypto {

// Facts read from one certificate. Strings are UTF-8; a field is empty when
// the certificate does not carry it.
struct CertificateInfo {
  std::string subject;  // RFC 2253, e.g. "CN=System,serialNumber=1.2.3,O=Org,C=FI"
  std::string issuer;
  std::string serial_number;  // the certificate's own serial, hexadecimal
  // The subject attribute serialNumber (2.5.4.5). In a Kanta system
  // signature certificate it is the organisation OID.
  std::string subject_serial_number;
  std::string organisation;  // subject O
  std::string common_name;   // subject CN
  std::time_t not_before = 0;
  std::time_t not_after = 0;
  bool has_key_usage = false;  // the keyUsage extension is present
  bool digital_signature = false;
  bool non_repudiation = false;
  bool key_cert_sign = false;
  std::string key_type;  // "RSA", "EC", "DSA", ...
  int key_bits = 0;
};

// Reads the facts of `cert` (never fails; unreadable parts stay empty).
CertificateInfo DescribeCertificate(X509* cert);

// Decodes a DER certificate. Fails with the OpenSSL reason.
Result<X509Ptr> CertificateFromDer(std::string_view der);

// Decodes base64 text (whitespace ignored), as in ds:X509Certificate. Fails
// when the text is not base64 or not a certificate.
Result<X509Ptr> CertificateFromBase64(std::string_view text);

// The certificate as DER, base64-encoded on one line.
std::string CertificateBase64(X509* cert);

// The certificate as PEM text.
std::string CertificatePem(X509* cert);

// Every certificate in `path`: PEM (one or more) or a single DER certificate.
// Fails when the file cannot be read or holds no certificate.
Result<std::vector<X509Ptr>> LoadCertificateFile(const std::string& path);

// Decodes base64 text, ignoring whitespace. Fails on any other character or
// bad padding.
Result<std::string> DecodeBase64(std::string_view text);
std::string EncodeBase64(std::string_view bytes);

// "2026-11-22T12:00:00Z".
std::string FormatUtc(std::time_t t);

// Reads a whole file into `out`. Fails with NotFound or a read error.
Status ReadWholeFile(const std::string& path, std::string& out);

}  // namespace kanta::crypto
