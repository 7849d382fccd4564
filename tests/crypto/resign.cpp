#include "resign.h"

// xmlsec.h (through xmlsec_ptr.h) first.
#include <gtest/gtest.h>
#include <libxml/parser.h>

#include "crypto/kanta_signature.h"
#include "crypto/sign_stage.h"
#include "crypto/xmlsec_ptr.h"
#include "crypto_test_support.h"
#include "xml/library_errors.h"
#include "xml/xml_tree.h"

namespace kanta::testing {
namespace {

void RegisterAll(xmlNode* n) {
  for (; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    crypto::RegisterId(crypto::FindAttribute(n, "ID"));
    RegisterAll(n->children);
  }
}

}  // namespace

xmlNode* NthReference(xmlNode* ds, int n) {
  xmlNode* info = xml::FirstChild(ds, crypto::kDsigNs, "SignedInfo");
  int i = 0;
  for (xmlNode* c = info != nullptr ? info->children : nullptr; c != nullptr; c = c->next) {
    if (xml::IsElement(c, crypto::kDsigNs, "Reference") && ++i == n) return c;
  }
  return nullptr;
}

void SetAlgorithms(xmlNode* ds, const std::string& signature_method,
                   const std::string& digest_method) {
  xmlNode* info = xml::FirstChild(ds, crypto::kDsigNs, "SignedInfo");
  xmlSetProp(xml::FirstChild(info, crypto::kDsigNs, "SignatureMethod"), BAD_CAST "Algorithm",
             BAD_CAST signature_method.c_str());
  for (int i = 1; xmlNode* ref = NthReference(ds, i); ++i) {
    xmlSetProp(xml::FirstChild(ref, crypto::kDsigNs, "DigestMethod"), BAD_CAST "Algorithm",
               BAD_CAST digest_method.c_str());
  }
}

xmlNode* ReplaceWithXml(xmlNode* old, const std::string& xml) {
  xmlNode* list = nullptr;
  const xmlParserErrors e =
      xmlParseInNodeContext(old->parent, xml.data(), static_cast<int>(xml.size()), 0, &list);
  EXPECT_EQ(e, XML_ERR_OK) << xml;
  if (e != XML_ERR_OK || list == nullptr) return nullptr;
  xmlReplaceNode(old, list);
  xmlFreeNode(old);
  return list;
}

std::string Resign(const std::string& signed_bytes,
                   const std::function<void(xmlDoc*, xmlNode*)>& mutate,
                   std::shared_ptr<const crypto::SigningCredentials> credentials) {
  if (!credentials) credentials = SystemCredentials();
  Document doc = Parse(signed_bytes);
  xmlDoc* tree = xml::TreeOf(doc);
  xmlNode* collection = crypto::SignatureCollection(xmlDocGetRootElement(tree));
  xmlNode* ds = nullptr;
  for (xmlNode* w = collection != nullptr ? collection->children : nullptr; w; w = w->next) {
    if (xml::IsElement(w, xml::kHl7FiNs, "signature")) {
      ds = xml::FirstChild(w, crypto::kDsigNs, "Signature");
    }
  }
  EXPECT_NE(ds, nullptr);
  if (ds == nullptr) return {};
  mutate(tree, ds);
  RegisterAll(xmlDocGetRootElement(tree));
  crypto::DSigCtxPtr ctx(xmlSecDSigCtxCreate(nullptr));
  auto key = crypto::MakeXmlsecKey(credentials->key());
  EXPECT_TRUE(key.ok());
  ctx->signKey = key->release();
  xml::LibraryErrorCapture capture;
  EXPECT_EQ(xmlSecDSigCtxSign(ctx.get(), ds), 0) << capture.Summary();
  const std::string out = xml::Serialize(tree).value();
  return out;
}

}  // namespace kanta::testing
