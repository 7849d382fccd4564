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

#include "core/c_ptr.h"
#include "core/status.h"

namespace kanta::crypto {

using DSigCtxPtr = CPtr<xmlSecDSigCtx, xmlSecDSigCtxDestroy>;
using DSigReferenceCtxPtr = CPtr<xmlSecDSigReferenceCtx, xmlSecDSigReferenceCtxDestroy>;
using SecKeyPtr = CPtr<xmlSecKey, xmlSecKeyDestroy>;
using NodeSetPtr = CPtr<xmlSecNodeSet, xmlSecNodeSetDestroy>;
using SecBufferPtr = CPtr<xmlSecBuffer, xmlSecBufferDestroy>;

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
