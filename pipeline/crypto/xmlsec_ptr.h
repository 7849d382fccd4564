// Owning smart pointers for xmlsec handles. Include this header (or
// xmlsec/xmlsec.h) before any other xmlsec header: they rely on its types.
#pragma once

#include <openssl/evp.h>
#include <xmlsec/keys.h>
#include <xmlsec/nodeset.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include <memory>

#include "core/status.h"

namespace kanta::crypto {

struct DSigCtxDeleter {
  void operator()(xmlSecDSigCtx* p) const { xmlSecDSigCtxDestroy(p); }
};
struct DSigReferenceCtxDeleter {
  void operator()(xmlSecDSigReferenceCtx* p) const { xmlSecDSigReferenceCtxDestroy(p); }
};
struct SecKeyDeleter {
  void operator()(xmlSecKey* p) const { xmlSecKeyDestroy(p); }
};
struct NodeSetDeleter {
  void operator()(xmlSecNodeSet* p) const { xmlSecNodeSetDestroy(p); }
};
struct SecBufferDeleter {
  void operator()(xmlSecBuffer* p) const { xmlSecBufferDestroy(p); }
};

using DSigCtxPtr = std::unique_ptr<xmlSecDSigCtx, DSigCtxDeleter>;
using DSigReferenceCtxPtr = std::unique_ptr<xmlSecDSigReferenceCtx, DSigReferenceCtxDeleter>;
using SecKeyPtr = std::unique_ptr<xmlSecKey, SecKeyDeleter>;
using NodeSetPtr = std::unique_ptr<xmlSecNodeSet, NodeSetDeleter>;
using SecBufferPtr = std::unique_ptr<xmlSecBuffer, SecBufferDeleter>;

// An xmlsec key holding a new reference to `key` (public or private).
Result<SecKeyPtr> MakeXmlsecKey(EVP_PKEY* key);

// A transform context on the stack, finalised when the scope ends.
class TransformCtxScope {
 public:
  TransformCtxScope() { ok_ = xmlSecTransformCtxInitialize(&ctx_) == 0; }
  ~TransformCtxScope() {
    if (ok_) xmlSecTransformCtxFinalize(&ctx_);
  }
  TransformCtxScope(const TransformCtxScope&) = delete;
  TransformCtxScope& operator=(const TransformCtxScope&) = delete;
  bool ok() const { return ok_; }
  xmlSecTransformCtx* get() { return &ctx_; }

 private:
  xmlSecTransformCtx ctx_{};
  bool ok_ = false;
};

}  // namespace kanta::crypto
