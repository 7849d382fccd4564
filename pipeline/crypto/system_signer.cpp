#include "crypto/system_signer.h"

// xmlsec.h (through xmlsec_ptr.h) first: the other xmlsec headers need it.
#include <libxml/valid.h>
#include <openssl/rand.h>
#include <xmlsec/crypto.h>
#include <xmlsec/templates.h>

#include <array>
#include <string_view>

#include "crypto/kanta_signature.h"
#include "crypto/xmlsec_ptr.h"
#include "xml/library_errors.h"
#include "xml/xml_tree.h"

namespace kanta::crypto {
namespace {

// hl7fi:localHeader children in schema order (KCDA-XSD, the bundled schema).
constexpr std::array<std::string_view, 36> kLocalHeaderOrder = {"description",
                                                                "tableOfContents",
                                                                "registratedTime",
                                                                "declaredTime",
                                                                "typeCode",
                                                                "fileFormat",
                                                                "softwareSupport",
                                                                "documentType",
                                                                "currentLocation",
                                                                "retentionPeriod",
                                                                "functionCode",
                                                                "recordStatus",
                                                                "auditTrail",
                                                                "serviceChainLink",
                                                                "episodeLink",
                                                                "product",
                                                                "signatureCollection",
                                                                "sender",
                                                                "password",
                                                                "patientRegistrySpecifier",
                                                                "patientRegistrySpecifierName",
                                                                "custodianTypeCode",
                                                                "encompassingEncounterCode",
                                                                "activeCustodian",
                                                                "activeCustodianName",
                                                                "encompassingEncounterMasterCode",
                                                                "secondaryEncompassingEncounterId",
                                                                "outsourcingServiceCustomer",
                                                                "outsourcingServiceCustomerName",
                                                                "retentionPeriodClass",
                                                                "extendedRetentionPeriod",
                                                                "sensitiveDocument",
                                                                "eprServiceProvider",
                                                                "eprServiceProviderName",
                                                                "releaseDateForPatientViewing",
                                                                "patientHomeMunicipality"};

int OrderOf(const xmlNode* n) {
  if (n->type != XML_ELEMENT_NODE || n->ns == nullptr ||
      xml::kHl7FiNs != reinterpret_cast<const char*>(n->ns->href)) {
    return -1;
  }
  const std::string_view name = reinterpret_cast<const char*>(n->name);
  for (std::size_t i = 0; i < kLocalHeaderOrder.size(); ++i) {
    if (kLocalHeaderOrder[i] == name) return static_cast<int>(i);
  }
  return -1;
}

const xmlChar* X(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
const xmlChar* X(const std::string& s) { return reinterpret_cast<const xmlChar*>(s.c_str()); }

Result<std::string> RandomHex(std::size_t bytes) {
  std::array<unsigned char, 32> raw{};
  if (bytes > raw.size() || RAND_bytes(raw.data(), static_cast<int>(bytes)) != 1) {
    return Internal(WithOpenSslErrors("random bytes for signature IDs"));
  }
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < bytes; ++i) {
    s += hex[raw[i] >> 4];
    s += hex[raw[i] & 15];
  }
  return s;
}

// Removes what a failed signing added, so the tree is as it was.
class Undo {
 public:
  ~Undo() {
    if (done_) return;
    for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) {
      xmlUnlinkNode(*it);
      xmlFreeNode(*it);
    }
    if (body_id_ != nullptr) xmlRemoveProp(body_id_);
  }
  void Node(xmlNode* n) { nodes_.push_back(n); }
  void BodyId(xmlAttr* a) { body_id_ = a; }
  void Keep() { done_ = true; }

 private:
  std::vector<xmlNode*> nodes_;
  xmlAttr* body_id_ = nullptr;
  bool done_ = false;
};

SignOutcome Refuse(const char* rule, std::string message, const xmlNode* at) {
  SignOutcome o;
  o.refused = true;
  o.rule = rule;
  o.message = std::move(message);
  o.location = at;
  return o;
}

}  // namespace

Result<std::unique_ptr<SystemSigner>> SystemSigner::Create(
    std::shared_ptr<const SigningCredentials> credentials, std::shared_ptr<const Clock> clock) {
  if (!credentials) return InvalidArgument("no signing credentials");
  if (EVP_PKEY_get_base_id(credentials->key()) != EVP_PKEY_RSA) {
    return InvalidArgument("the signing key is " + credentials->info().key_type +
                           "; Kanta system signatures are RSA-SHA256");
  }
  if (credentials->info().subject_serial_number.empty()) {
    return InvalidArgument("the certificate " + credentials->info().subject +
                           " has no serialNumber in its subject; a Kanta system signature "
                           "certificate carries the organisation OID there");
  }
  if (!clock) clock = std::make_shared<SystemClock>();
  return std::unique_ptr<SystemSigner>(new SystemSigner(std::move(credentials), std::move(clock)));
}

Result<SignOutcome> SystemSigner::Sign(xmlDoc* doc) const {
  xmlNode* root = xmlDocGetRootElement(doc);
  if (!xml::IsElement(root, xml::kHl7V3Ns, "ClinicalDocument")) {
    return Refuse("sign.not-cda", "only a CDA R2 ClinicalDocument can be signed", root);
  }
  xmlNode* body = DocumentBody(root);
  if (body == nullptr) {
    return Refuse("sign.no-structured-body",
                  "the document has no /ClinicalDocument/component/structuredBody to sign", root);
  }
  const DocumentScan scan(doc);
  if (!scan.duplicates().empty()) {
    const auto& [value, attrs] = scan.duplicates().front();
    return Refuse("sign.duplicate-id",
                  "the ID value \"" + value + "\" is used " + std::to_string(attrs.size()) +
                      " times; a signature over such a document could not be verified",
                  attrs.front()->parent);
  }

  SignOutcome outcome;
  Undo undo;
  xmlAttr* body_id = FindAttribute(body, "ID");
  if (body_id != nullptr) {
    outcome.body_id = AttributeValue(body_id);
  } else {
    // A signature already present may cover the body through a whole-document
    // reference; a new ID attribute would change what it signed.
    if (!scan.signatures().empty()) {
      return Refuse("sign.body-id-needed",
                    "the body has no ID, and giving it one would change a body that the " +
                        std::to_string(scan.signatures().size()) +
                        " signature(s) already present may cover",
                    body);
    }
    const std::string id_root = xml::Attribute(xml::FirstChild(root, xml::kHl7V3Ns, "id"), "root");
    if (id_root.empty()) {
      return Refuse("sign.no-document-id",
                    "the document has no id/@root, so its body cannot get the ID \"OID\" + "
                    "document id",
                    root);
    }
    outcome.body_id = "OID" + id_root;
    if (xmlValidateNCName(X(outcome.body_id), 0) != 0) {
      return Refuse("sign.no-document-id",
                    "\"" + outcome.body_id + "\" (from the document id) is not a valid XML ID",
                    root);
    }
    if (scan.UniqueIdAttribute(outcome.body_id) != nullptr) {
      return Refuse(
          "sign.id-conflict",
          "the body ID \"" + outcome.body_id + "\" is already used by " +
              std::string(reinterpret_cast<const char*>(scan.ElementWithId(outcome.body_id)->name)),
          scan.ElementWithId(outcome.body_id));
    }
    body_id = xmlSetProp(body, X("ID"), X(outcome.body_id));
    if (body_id == nullptr) return Internal("libxml2 could not set the body ID");
    undo.BodyId(body_id);
    outcome.body_id_added = true;
  }

  // localHeader (before component) and signatureCollection, in schema order.
  xmlNs* fi = xmlSearchNsByHref(doc, root, X(std::string(xml::kHl7FiNs)));
  xmlNode* header = xml::FirstChild(root, xml::kHl7FiNs, "localHeader");
  if (header == nullptr) {
    header = xmlNewDocNode(doc, nullptr, X("localHeader"), nullptr);
    if (fi == nullptr) fi = xmlNewNs(header, X(std::string(xml::kHl7FiNs)), X("hl7fi"));
    xmlSetNs(header, fi);
    xmlAddPrevSibling(xml::FirstChild(root, xml::kHl7V3Ns, "component"), header);
    undo.Node(header);
  }
  if (fi == nullptr) fi = header->ns;
  xmlNode* collection = xml::FirstChild(header, xml::kHl7FiNs, "signatureCollection");
  if (collection == nullptr) {
    collection = xmlNewDocNode(doc, fi, X("signatureCollection"), nullptr);
    const int mine = OrderOf(collection);
    xmlNode* before = nullptr;
    for (xmlNode* c = header->children; c != nullptr; c = c->next) {
      if (OrderOf(c) > mine) {
        before = c;
        break;
      }
    }
    if (before != nullptr) {
      xmlAddPrevSibling(before, collection);
    } else {
      xmlAddChild(header, collection);
    }
    undo.Node(collection);
  }

  ASSIGN_OR_RETURN(const std::string uuid, RandomHex(16));
  outcome.signature_id = "sig1_" + uuid;
  const std::string timestamp_id = "sigt_" + uuid;
  outcome.timestamp = FormatDateTime(clock_->Now());

  xmlNode* wrapper = xmlNewDocNode(doc, fi, X("signature"), nullptr);
  xmlAddChild(collection, wrapper);
  undo.Node(wrapper);
  xmlSetProp(wrapper, X("ID"), X(outcome.signature_id));
  xmlNode* description = xmlNewChild(wrapper, fi, X("signatureDescription"), nullptr);
  xmlSetProp(description, X("code"), X(std::string(kSystemSignatureCode)));
  xmlSetProp(description, X("codeSystem"), X(std::string(kSignatureTypeCodeSystem)));
  xmlSetProp(description, X("codeSystemName"), X(std::string(kSignatureTypeCodeSystemName)));
  xmlSetProp(description, X("displayName"), X(std::string(kSystemSignatureDisplayName)));
  xmlNode* timestamp = xmlNewChild(wrapper, fi, X("signatureTimestamp"), nullptr);
  xmlNodeAddContent(timestamp, X(outcome.timestamp));
  xmlAttr* timestamp_attr = xmlSetProp(timestamp, X("ID"), X(timestamp_id));

  xml::LibraryErrorCapture capture;
  const std::string signature_id = "sig2_" + uuid;
  xmlNode* signature = xmlSecTmplSignatureCreateNsPref(
      doc, xmlSecTransformExclC14NId, xmlSecTransformRsaSha256Id, X(signature_id), nullptr);
  if (signature == nullptr)
    return Internal("xmlsec: cannot make the signature template: " + capture.Summary());
  xmlAddChild(wrapper, signature);
  for (const std::string& target : {timestamp_id, outcome.body_id}) {
    const std::string uri = "#" + target;
    xmlNode* ref = xmlSecTmplSignatureAddReference(signature, xmlSecTransformSha256Id, nullptr,
                                                   X(uri), nullptr);
    if (ref == nullptr ||
        xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) == nullptr) {
      return Internal("xmlsec: cannot add a reference: " + capture.Summary());
    }
  }
  xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(signature, nullptr);
  xmlNode* x509 = key_info != nullptr ? xmlSecTmplKeyInfoAddX509Data(key_info) : nullptr;
  xmlNode* certificate = x509 != nullptr ? xmlSecTmplX509DataAddCertificate(x509) : nullptr;
  if (certificate == nullptr) return Internal("xmlsec: cannot add KeyInfo: " + capture.Summary());
  xmlNodeAddContent(certificate, X(credentials_->certificate_base64()));

  RegisterId(timestamp_attr);
  RegisterId(body_id);

  DSigCtxPtr ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return Internal("xmlsec: cannot create a signature context");
  ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
  ASSIGN_OR_RETURN(SecKeyPtr key, MakeXmlsecKey(credentials_->key()));
  ctx->signKey = key.release();  // the context owns it now
  if (xmlSecDSigCtxSign(ctx.get(), signature) < 0) {
    return Internal("xmlsec could not sign: " +
                    (capture.empty() ? std::string("no reason given") : capture.Summary()));
  }
  undo.Keep();
  outcome.signature = signature;
  return outcome;
}

}  // namespace kanta::crypto
