#include "crypto/xmlsec_ptr.h"

#include <xmlsec/openssl/evp.h>

#include "crypto/ossl_ptr.h"

namespace kanta::crypto {

Result<SecKeyPtr> MakeXmlsecKey(EVP_PKEY* key) {
  SecKeyPtr k(xmlSecKeyCreate());
  if (!k) return Internal("xmlsec: cannot create a key");
  EvpPkeyPtr shared = ShareKey(key);
  xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(shared.get());
  if (data == nullptr) return Internal(WithOpenSslErrors("xmlsec: cannot adopt the key"));
  shared.release();  // owned by `data` from here on
  if (xmlSecKeySetValue(k.get(), data) < 0) {
    xmlSecKeyDataDestroy(data);
    return Internal("xmlsec: cannot set the key value");
  }
  return k;
}

}  // namespace kanta::crypto
