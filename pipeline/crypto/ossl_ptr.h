// Owning smart pointers for OpenSSL handles, and the error-queue reader used
// at every OpenSSL failure site. Every OpenSSL object our code owns is held
// in one of these; no raw owning pointers cross our APIs.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <vector>

#include "core/c_ptr.h"

namespace kanta::crypto {

using BioPtr = CPtr<BIO, BIO_free_all>;
using BignumPtr = CPtr<BIGNUM, BN_free>;
using EvpPkeyPtr = CPtr<EVP_PKEY, EVP_PKEY_free>;
using EvpPkeyCtxPtr = CPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using Pkcs12Ptr = CPtr<PKCS12, PKCS12_free>;
using X509Ptr = CPtr<X509, X509_free>;
using X509NamePtr = CPtr<X509_NAME, X509_NAME_free>;
using X509ExtensionPtr = CPtr<X509_EXTENSION, X509_EXTENSION_free>;
using X509StorePtr = CPtr<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = CPtr<X509_STORE_CTX, X509_STORE_CTX_free>;

// Macros in OpenSSL, so deleters of their own: a stack that owns its
// certificates (frees each, then the stack), and memory OpenSSL allocated.
struct X509StackDeleter {
  void operator()(STACK_OF(X509) * p) const { sk_X509_pop_free(p, X509_free); }
};
struct OpensslCharDeleter {
  void operator()(char* p) const { OPENSSL_free(p); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;
using OpensslCharPtr = std::unique_ptr<char, OpensslCharDeleter>;

// Takes a new reference to `cert` (X509_up_ref) and returns it owned.
inline X509Ptr ShareCertificate(X509* cert) {
  if (cert != nullptr) X509_up_ref(cert);
  return X509Ptr(cert);
}

// Takes a new reference to `key` (EVP_PKEY_up_ref) and returns it owned.
inline EvpPkeyPtr ShareKey(EVP_PKEY* key) {
  if (key != nullptr) EVP_PKEY_up_ref(key);
  return EvpPkeyPtr(key);
}

// Drains this thread's OpenSSL error queue into one line ("" when empty), so
// a failure message carries the library's own reasons.
std::string OpenSslErrors();

// "what: <OpenSSL errors>", or just `what` when the queue is empty.
std::string WithOpenSslErrors(const std::string& what);

}  // namespace kanta::crypto
