#include "crypto/trust_store.h"

#include <openssl/err.h>

#include "crypto/certificate.h"

namespace kanta::crypto {

Result<std::shared_ptr<const TrustStore>> TrustStore::Load(const std::vector<std::string>& files) {
  auto store = std::shared_ptr<TrustStore>(new TrustStore());
  store->store_.reset(X509_STORE_new());
  if (!store->store_) return Internal(WithOpenSslErrors("cannot create a certificate store"));
  for (const std::string& f : files) {
    ASSIGN_OR_RETURN(std::vector<X509Ptr> certs, LoadCertificateFile(f));
    for (const X509Ptr& c : certs) {
      // X509_STORE_add_cert takes its own reference.
      if (X509_STORE_add_cert(store->store_.get(), c.get()) != 1) {
        const unsigned long e = ERR_peek_last_error();
        if (ERR_GET_REASON(e) == X509_R_CERT_ALREADY_IN_HASH_TABLE) {
          ERR_clear_error();
          continue;
        }
        return InvalidArgument(WithOpenSslErrors("cannot trust a certificate of " + f));
      }
      ++store->anchors_;
    }
    store->files_.push_back(f);
  }
  return std::shared_ptr<const TrustStore>(std::move(store));
}

Result<ChainCheck> TrustStore::Check(X509* leaf, const std::vector<X509*>& untrusted,
                                     std::time_t at) const {
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx) return Internal(WithOpenSslErrors("cannot create a verification context"));
  // The stack borrows the certificates; only the stack itself is freed.
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> chain(
      sk_X509_new_null(), [](STACK_OF(X509) * s) { sk_X509_free(s); });
  for (X509* c : untrusted) {
    if (c != leaf) sk_X509_push(chain.get(), c);
  }
  if (X509_STORE_CTX_init(ctx.get(), store_.get(), leaf, chain.get()) != 1) {
    return Internal(WithOpenSslErrors("cannot start a certificate check"));
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, at);

  ChainCheck result;
  const int verified = X509_verify_cert(ctx.get());
  if (STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get())) {
    for (int i = 0; i < sk_X509_num(built); ++i) {
      result.chain.push_back(DescribeCertificate(sk_X509_value(built, i)).subject);
    }
  }
  if (verified == 1) {
    ERR_clear_error();
    return result;
  }
  const int error = X509_STORE_CTX_get_error(ctx.get());
  result.depth = X509_STORE_CTX_get_error_depth(ctx.get());
  result.reason = X509_verify_cert_error_string(error);
  if (X509* at_fault = X509_STORE_CTX_get_current_cert(ctx.get())) {
    result.subject = DescribeCertificate(at_fault).subject;
  }
  switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      result.problem = ChainCheck::Problem::kExpired;
      break;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      result.problem = ChainCheck::Problem::kNotYetValid;
      break;
    default:
      result.problem = ChainCheck::Problem::kUntrusted;
      break;
  }
  ERR_clear_error();
  return result;
}

}  // namespace kanta::crypto
