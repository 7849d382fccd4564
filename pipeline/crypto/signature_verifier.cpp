#include "crypto/signature_verifier.h"

// xmlsec.h (through xmlsec_ptr.h) first: the other xmlsec headers need it.
#include <openssl/evp.h>
#include <xmlsec/crypto.h>
#include <xmlsec/membuf.h>
#include <xmlsec/openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "crypto/kanta_signature.h"
#include "crypto/xmlsec_ptr.h"
#include "xml/library_errors.h"
#include "xml/node_path.h"
#include "xml/xml_tree.h"

namespace kanta::crypto {
namespace {

enum class AlgorithmKind { kSignature, kDigest, kC14n, kTransform };

struct Algorithm {
  std::string_view uri;
  std::string_view name;
  AlgorithmKind kind;
  bool sha1;
};

// The allow-list (class comment). Everything else is refused by name.
constexpr std::array<Algorithm, 20> kAlgorithms = {{
    {"http://www.w3.org/2000/09/xmldsig#rsa-sha1", "RSA-SHA1", AlgorithmKind::kSignature, true},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha224", "RSA-SHA224", AlgorithmKind::kSignature,
     false},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "RSA-SHA256", AlgorithmKind::kSignature,
     false},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", "RSA-SHA384", AlgorithmKind::kSignature,
     false},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", "RSA-SHA512", AlgorithmKind::kSignature,
     false},
    {"http://www.w3.org/2000/09/xmldsig#sha1", "SHA-1", AlgorithmKind::kDigest, true},
    {"http://www.w3.org/2001/04/xmldsig-more#sha224", "SHA-224", AlgorithmKind::kDigest, false},
    {"http://www.w3.org/2001/04/xmlenc#sha256", "SHA-256", AlgorithmKind::kDigest, false},
    {"http://www.w3.org/2001/04/xmldsig-more#sha384", "SHA-384", AlgorithmKind::kDigest, false},
    {"http://www.w3.org/2001/04/xmlenc#sha512", "SHA-512", AlgorithmKind::kDigest, false},
    {"http://www.w3.org/TR/2001/REC-xml-c14n-20010315", "inclusive c14n", AlgorithmKind::kC14n,
     false},
    {"http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments", "inclusive c14n with comments",
     AlgorithmKind::kC14n, false},
    {"http://www.w3.org/2001/10/xml-exc-c14n#", "exclusive c14n", AlgorithmKind::kC14n, false},
    {"http://www.w3.org/2001/10/xml-exc-c14n#WithComments", "exclusive c14n with comments",
     AlgorithmKind::kC14n, false},
    {"http://www.w3.org/2006/12/xml-c14n11", "c14n 1.1", AlgorithmKind::kC14n, false},
    {"http://www.w3.org/2006/12/xml-c14n11#WithComments", "c14n 1.1 with comments",
     AlgorithmKind::kC14n, false},
    {"http://www.w3.org/2000/09/xmldsig#enveloped-signature", "enveloped-signature",
     AlgorithmKind::kTransform, false},
    {"http://www.w3.org/TR/1999/REC-xpath-19991116", "XPath", AlgorithmKind::kTransform, false},
    {"http://www.w3.org/2002/06/xmldsig-filter2", "XPath Filter 2.0", AlgorithmKind::kTransform,
     false},
    {"http://www.w3.org/TR/1999/REC-xslt-19991116", "XSLT", AlgorithmKind::kTransform, false},
}};

const Algorithm* FindAlgorithm(std::string_view uri) {
  for (const Algorithm& a : kAlgorithms) {
    if (a.uri == uri) return &a;
  }
  return nullptr;
}

// The same allow-list as xmlsec transform classes, so xmlsec itself refuses
// anything else (defence in depth behind the check by URI).
Status EnableTransforms(xmlSecDSigCtx* ctx) {
  const xmlSecTransformId signature_side[] = {
      xmlSecTransformInclC14NId,   xmlSecTransformInclC14NWithCommentsId,
      xmlSecTransformInclC14N11Id, xmlSecTransformInclC14N11WithCommentsId,
      xmlSecTransformExclC14NId,   xmlSecTransformExclC14NWithCommentsId,
      xmlSecTransformRsaSha1Id,    xmlSecTransformRsaSha224Id,
      xmlSecTransformRsaSha256Id,  xmlSecTransformRsaSha384Id,
      xmlSecTransformRsaSha512Id};
  const xmlSecTransformId reference_side[] = {
      xmlSecTransformInclC14NId,   xmlSecTransformInclC14NWithCommentsId,
      xmlSecTransformInclC14N11Id, xmlSecTransformInclC14N11WithCommentsId,
      xmlSecTransformExclC14NId,   xmlSecTransformExclC14NWithCommentsId,
      xmlSecTransformEnvelopedId,  xmlSecTransformXPathId,
      xmlSecTransformXPath2Id,     xmlSecTransformXPointerId,
      xmlSecTransformXsltId,       xmlSecTransformSha1Id,
      xmlSecTransformSha224Id,     xmlSecTransformSha256Id,
      xmlSecTransformSha384Id,     xmlSecTransformSha512Id};
  for (xmlSecTransformId id : signature_side) {
    if (xmlSecDSigCtxEnableSignatureTransform(ctx, id) < 0) {
      return Internal("xmlsec: cannot enable a signature transform");
    }
  }
  for (xmlSecTransformId id : reference_side) {
    if (xmlSecDSigCtxEnableReferenceTransform(ctx, id) < 0) {
      return Internal("xmlsec: cannot enable a reference transform");
    }
  }
  return Status::Ok();
}

std::vector<xmlNode*> ElementChildren(const xmlNode* parent) {
  std::vector<xmlNode*> out;
  if (parent == nullptr) return out;
  for (xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) out.push_back(c);
  }
  return out;
}

bool IsDsig(const xmlNode* n, std::string_view local) { return xml::IsElement(n, kDsigNs, local); }

void CollectDescendants(xmlNode* from, std::string_view local, std::vector<xmlNode*>& out) {
  for (xmlNode* c = from != nullptr ? from->children : nullptr; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (IsDsig(c, local)) out.push_back(c);
    CollectDescendants(c, local, out);
  }
}

std::string BufferText(xmlSecBuffer* b) {
  if (b == nullptr || xmlSecBufferGetData(b) == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(xmlSecBufferGetData(b)), xmlSecBufferGetSize(b));
}

std::string DigestOf(std::string_view algorithm_uri, const std::string& bytes) {
  const EVP_MD* md = nullptr;
  if (algorithm_uri == "http://www.w3.org/2000/09/xmldsig#sha1") md = EVP_sha1();
  if (algorithm_uri == "http://www.w3.org/2001/04/xmldsig-more#sha224") md = EVP_sha224();
  if (algorithm_uri == "http://www.w3.org/2001/04/xmlenc#sha256") md = EVP_sha256();
  if (algorithm_uri == "http://www.w3.org/2001/04/xmldsig-more#sha384") md = EVP_sha384();
  if (algorithm_uri == "http://www.w3.org/2001/04/xmlenc#sha512") md = EVP_sha512();
  if (md == nullptr) return {};
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), out, &n, md, nullptr) != 1) return {};
  return EncodeBase64(std::string_view(reinterpret_cast<char*>(out), n));
}

std::string Squeezed(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    out += c;
  }
  return out;
}

Result<DSigCtxPtr> NewVerifyContext(unsigned int flags) {
  DSigCtxPtr ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return Internal("xmlsec: cannot create a signature context");
  ctx->flags = flags;
  // Same-document references only: never a file, never the network.
  ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty | xmlSecTransformUriTypeSameDocument;
  ctx->transformCtx.enabledUris = xmlSecTransformUriTypeEmpty | xmlSecTransformUriTypeSameDocument;
  RETURN_IF_ERROR(EnableTransforms(ctx.get()));
  return ctx;
}

class Findings {
 public:
  explicit Findings(std::vector<Finding>& out) : out_(out) {}
  void Add(Severity s, const char* rule, std::string message, const xmlNode* at) {
    Finding f;
    f.severity = s;
    f.stage = "signature";
    f.rule = rule;
    f.message = std::move(message);
    f.location.xpath = xml::NodePath(at);
    f.location.line = at != nullptr ? xmlGetLineNo(at) : 0;
    out_.push_back(std::move(f));
  }
  bool has(std::string_view rule) const {
    return std::any_of(out_.begin(), out_.end(), [&](const Finding& f) { return f.rule == rule; });
  }

 private:
  std::vector<Finding>& out_;
};

std::string Describe(const ReferenceOutcome& r, std::size_t index) {
  return "Reference " + std::to_string(index + 1) + " (URI=\"" + r.uri + "\", " +
         AlgorithmName(r.digest_method) + ")";
}

}  // namespace

std::string AlgorithmName(std::string_view uri) {
  const Algorithm* a = FindAlgorithm(uri);
  return a != nullptr ? std::string(a->name) : std::string(uri);
}

Result<std::shared_ptr<const SignatureVerifier::DecodedCertificate>> SignatureVerifier::Decode(
    const std::string& base64) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(base64);
    if (it != cache_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(X509Ptr cert, CertificateFromBase64(base64));
  auto decoded = std::make_shared<DecodedCertificate>();
  decoded->info = DescribeCertificate(cert.get());
  decoded->certificate = std::move(cert);
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= kCertificateCacheSize) cache_.clear();
  cache_.emplace(base64, decoded);
  return std::shared_ptr<const DecodedCertificate>(std::move(decoded));
}

bool SignatureOutcome::valid() const {
  return std::none_of(findings.begin(), findings.end(), [](const Finding& f) {
    return f.severity == Severity::kError || f.severity == Severity::kFatal;
  });
}

Result<SignatureOutcome> SignatureVerifier::Verify(xmlDoc* doc, xmlNode* signature,
                                                   const VerifyRequest& request) const {
  SignatureOutcome out;
  Findings findings(out.findings);

  // 1. Structure.
  const std::vector<xmlNode*> parts = ElementChildren(signature);
  xmlNode* signed_info = parts.size() > 0 && IsDsig(parts[0], "SignedInfo") ? parts[0] : nullptr;
  xmlNode* value_node = parts.size() > 1 && IsDsig(parts[1], "SignatureValue") ? parts[1] : nullptr;
  xmlNode* key_info = parts.size() > 2 && IsDsig(parts[2], "KeyInfo") ? parts[2] : nullptr;
  if (signed_info == nullptr || value_node == nullptr) {
    findings.Add(Severity::kError, "signature.structure",
                 std::string("ds:Signature must start with ds:SignedInfo and ds:SignatureValue; ") +
                     (signed_info == nullptr ? "ds:SignedInfo" : "ds:SignatureValue") +
                     " is missing or out of place",
                 signature);
    return out;
  }
  const std::vector<xmlNode*> info_parts = ElementChildren(signed_info);
  xmlNode* c14n_node = info_parts.size() > 0 && IsDsig(info_parts[0], "CanonicalizationMethod")
                           ? info_parts[0]
                           : nullptr;
  xmlNode* method_node =
      info_parts.size() > 1 && IsDsig(info_parts[1], "SignatureMethod") ? info_parts[1] : nullptr;
  std::vector<xmlNode*> reference_nodes;
  for (std::size_t i = 2; i < info_parts.size(); ++i) {
    if (!IsDsig(info_parts[i], "Reference")) {
      findings.Add(Severity::kError, "signature.structure",
                   "unexpected element " + xml::NodePath(info_parts[i]) + " in ds:SignedInfo",
                   info_parts[i]);
      return out;
    }
    reference_nodes.push_back(info_parts[i]);
  }
  if (c14n_node == nullptr || method_node == nullptr || reference_nodes.empty()) {
    findings.Add(Severity::kError, "signature.structure",
                 "ds:SignedInfo needs ds:CanonicalizationMethod, ds:SignatureMethod and at least "
                 "one ds:Reference, in that order",
                 signed_info);
    return out;
  }

  // 2. Algorithms, 3. reference URIs.
  bool refused = false;
  auto check_algorithm = [&](xmlNode* node, std::initializer_list<AlgorithmKind> kinds,
                             const char* what) -> const Algorithm* {
    const std::string uri = xml::Attribute(node, "Algorithm");
    const Algorithm* a = FindAlgorithm(uri);
    if (a == nullptr || std::find(kinds.begin(), kinds.end(), a->kind) == kinds.end()) {
      findings.Add(Severity::kError, "signature.algorithm-unsupported",
                   std::string(what) + " \"" + uri +
                       "\" is not supported (allowed: RSA with SHA-1/SHA-2, SHA-1/SHA-2 digests, "
                       "inclusive/exclusive c14n, enveloped-signature, XPath, XPath Filter 2.0, "
                       "XSLT)",
                   node);
      refused = true;
      return nullptr;
    }
    if (a->sha1) out.uses_sha1 = true;
    return a;
  };
  check_algorithm(c14n_node, {AlgorithmKind::kC14n}, "CanonicalizationMethod");
  if (check_algorithm(method_node, {AlgorithmKind::kSignature}, "SignatureMethod") != nullptr) {
    out.signature_method = xml::Attribute(method_node, "Algorithm");
  }
  for (xmlNode* ref : reference_nodes) {
    ReferenceOutcome r;
    r.node = ref;
    xmlAttr* uri = FindAttribute(ref, "URI");
    r.uri = uri != nullptr ? AttributeValue(uri) : std::string();
    xmlNode* transforms = nullptr;
    xmlNode* digest_method = nullptr;
    xmlNode* digest_value = nullptr;
    for (xmlNode* c : ElementChildren(ref)) {
      if (IsDsig(c, "Transforms")) transforms = c;
      if (IsDsig(c, "DigestMethod")) digest_method = c;
      if (IsDsig(c, "DigestValue")) digest_value = c;
    }
    if (digest_method == nullptr || digest_value == nullptr) {
      findings.Add(Severity::kError, "signature.structure",
                   "ds:Reference needs ds:DigestMethod and ds:DigestValue", ref);
      return out;
    }
    r.digest_method = xml::Attribute(digest_method, "Algorithm");
    r.signed_digest = Squeezed(xml::TextOf(digest_value));
    check_algorithm(digest_method, {AlgorithmKind::kDigest}, "DigestMethod");
    for (xmlNode* t : ElementChildren(transforms)) {
      check_algorithm(t, {AlgorithmKind::kC14n, AlgorithmKind::kTransform}, "Transform");
    }
    if (uri == nullptr || (!r.uri.empty() && r.uri[0] != '#')) {
      findings.Add(Severity::kError, "signature.reference-uri",
                   uri == nullptr
                       ? std::string("ds:Reference has no URI; only same-document references "
                                     "(\"\" or \"#id\") are accepted")
                       : "ds:Reference URI=\"" + r.uri +
                             "\" points outside the document; only same-document references "
                             "(\"\" or \"#id\") are accepted",
                   ref);
      refused = true;
    }
    out.references.push_back(std::move(r));
  }
  if (out.uses_sha1) {
    findings.Add(policy_.refuse_sha1 ? Severity::kError : Severity::kWarning, "signature.sha1",
                 std::string("the signature uses SHA-1 (") + AlgorithmName(out.signature_method) +
                     "" +
                     (policy_.refuse_sha1 ? "), which is refused (--refuse-sha1)"
                                          : "): accepted with a warning; --refuse-sha1 "
                                            "refuses it"),
                 signature);
  }
  if (refused) return out;

  // 4. SignatureValue text.
  Result<std::string> value = DecodeBase64(xml::TextOf(value_node));
  if (!value.ok()) {
    findings.Add(Severity::kError, "signature.value-malformed",
                 "SignatureValue is " + value.status().message(), value_node);
  } else if (value->empty()) {
    findings.Add(Severity::kError, "signature.value-malformed", "SignatureValue is empty",
                 value_node);
  }

  // 5. The signer's certificate and key: from X509Certificate only.
  std::vector<xmlNode*> cert_nodes;
  CollectDescendants(key_info, "X509Certificate", cert_nodes);
  if (cert_nodes.empty()) {
    findings.Add(Severity::kError, "signature.no-certificate",
                 std::string("the signer's certificate is missing: ") +
                     (key_info == nullptr ? "there is no ds:KeyInfo"
                                          : "ds:KeyInfo has no X509Data/X509Certificate") +
                     " (the key is taken only from X509Certificate, never from "
                     "X509SubjectName, KeyName or KeyValue)",
                 key_info != nullptr ? key_info : signature);
    return out;
  }
  std::vector<std::shared_ptr<const DecodedCertificate>> decoded;
  std::vector<X509*> certs;
  for (xmlNode* n : cert_nodes) {
    Result<std::shared_ptr<const DecodedCertificate>> c = Decode(Squeezed(xml::TextOf(n)));
    if (!c.ok()) {
      findings.Add(Severity::kError, "signature.certificate-invalid",
                   "X509Certificate cannot be decoded: " + c.status().message(), n);
      return out;
    }
    certs.push_back((*c)->certificate.get());
    decoded.push_back(std::move(*c));
  }
  // The signer's certificate is the one that issued none of the others.
  std::size_t leaf = 0;
  for (std::size_t i = 0; i < certs.size(); ++i) {
    bool issues_another = false;
    for (std::size_t j = 0; j < certs.size(); ++j) {
      if (i != j && X509_check_issued(certs[i], certs[j]) == X509_V_OK) {
        issues_another = true;
      }
    }
    if (!issues_another) {
      leaf = i;
      break;
    }
  }
  out.signer = ShareCertificate(certs[leaf]);
  out.signer_info = decoded[leaf]->info;
  EVP_PKEY* key = X509_get0_pubkey(out.signer.get());
  if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
    findings.Add(Severity::kError, "signature.algorithm-unsupported",
                 "the signer certificate (" + out.signer_info.subject + ") has a " +
                     (out.signer_info.key_type.empty() ? "unreadable" : out.signer_info.key_type) +
                     " key; only RSA signatures are supported",
                 cert_nodes[leaf]);
    return out;
  }
  if (value.ok() && !value->empty() &&
      value->size() != static_cast<std::size_t>(EVP_PKEY_get_size(key))) {
    findings.Add(
        Severity::kError, "signature.value-malformed",
        "SignatureValue is " + std::to_string(value->size()) + " bytes; the " +
            std::to_string(EVP_PKEY_get_bits(key)) + "-bit key of the signer gives " +
            std::to_string(EVP_PKEY_get_size(key)) + " (" +
            (value->size() < static_cast<std::size_t>(EVP_PKEY_get_size(key)) ? "truncated"
                                                                              : "too long") +
            ")",
        value_node);
  }

  // Trust, validity at the signature time, key usage.
  const std::time_t at = request.time != 0 ? request.time : std::time(nullptr);
  if (request.trust != nullptr) {
    std::vector<X509*> others = request.extra_certificates;
    others.insert(others.end(), certs.begin(), certs.end());
    ASSIGN_OR_RETURN(ChainCheck chain, request.trust->Check(out.signer.get(), others, at));
    out.chain_checked = true;
    const std::string who = chain.depth == 0
                                ? "the signer certificate (" + out.signer_info.subject + ")"
                                : "the issuing certificate " + chain.subject + " (chain depth " +
                                      std::to_string(chain.depth) + ")";
    switch (chain.problem) {
      case ChainCheck::Problem::kNone:
        break;
      case ChainCheck::Problem::kExpired:
        findings.Add(
            Severity::kError, "signature.certificate-expired",
            who + " had expired at the signature time " + FormatUtc(at) +
                (chain.depth == 0 ? " (valid until " + FormatUtc(out.signer_info.not_after) + ")"
                                  : ""),
            cert_nodes[leaf]);
        break;
      case ChainCheck::Problem::kNotYetValid:
        findings.Add(
            Severity::kError, "signature.certificate-not-yet-valid",
            who + " was not yet valid at the signature time " + FormatUtc(at) +
                (chain.depth == 0 ? " (valid from " + FormatUtc(out.signer_info.not_before) + ")"
                                  : ""),
            cert_nodes[leaf]);
        break;
      case ChainCheck::Problem::kUntrusted:
        findings.Add(Severity::kError, "signature.certificate-untrusted",
                     "the signer certificate (" + out.signer_info.subject +
                         ") does not chain to a trusted CA (--trust): " + chain.reason +
                         (chain.subject.empty() || chain.depth == 0 ? std::string()
                                                                    : " at " + chain.subject),
                     cert_nodes[leaf]);
        break;
    }
    const CertificateInfo& ci = out.signer_info;
    std::string missing;
    if (ci.has_key_usage) {
      if (request.key_usage.digital_signature && !ci.digital_signature) {
        missing += "digitalSignature";
      }
      if (request.key_usage.non_repudiation && !ci.non_repudiation) {
        missing += std::string(missing.empty() ? "" : " and ") + "nonRepudiation";
      }
      if (!request.key_usage.digital_signature && !request.key_usage.non_repudiation &&
          !ci.digital_signature && !ci.non_repudiation) {
        missing = "digitalSignature or nonRepudiation";
      }
    }
    if (!missing.empty()) {
      findings.Add(
          Severity::kError, "signature.certificate-key-usage",
          "the signer certificate (" + ci.subject + ") may not sign: its keyUsage lacks " + missing,
          cert_nodes[leaf]);
    } else if (!ci.has_key_usage && request.key_usage.extension_required) {
      findings.Add(Severity::kError, "signature.certificate-key-usage",
                   "the signer certificate (" + ci.subject +
                       ") has no keyUsage extension; a signing certificate must state "
                       "digitalSignature and nonRepudiation",
                   cert_nodes[leaf]);
    }
  } else {
    findings.Add(Severity::kWarning, "signature.chain-not-checked",
                 "the certificate chain was not checked (no --trust given): only the "
                 "cryptography was verified; signer " +
                     out.signer_info.subject,
                 signature);
  }

  // 6. Cryptography by xmlsec, with the key from the certificate.
  unsigned int flags = XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
  if (request.keep_canonical) {
    flags |= XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES | XMLSEC_DSIG_FLAGS_STORE_SIGNATURE;
  }
  ASSIGN_OR_RETURN(DSigCtxPtr ctx, NewVerifyContext(flags));
  ASSIGN_OR_RETURN(SecKeyPtr sign_key, MakeXmlsecKey(key));
  ctx->signKey = sign_key.release();  // the context owns it now
  int verified;
  std::string xmlsec_reason;
  {
    xml::LibraryErrorCapture capture;
    verified = xmlSecDSigCtxVerify(ctx.get(), signature);
    xmlsec_reason = capture.Summary();
  }
  out.cryptography_checked = true;
  if (verified == 0 && ctx->status == xmlSecDSigStatusSucceeded) {
    out.cryptography_valid = true;
    out.value_valid = true;
    const xmlSecSize n = xmlSecPtrListGetSize(&ctx->signedInfoReferences);
    for (xmlSecSize i = 0; i < n && i < out.references.size(); ++i) {
      auto* rc =
          static_cast<xmlSecDSigReferenceCtx*>(xmlSecPtrListGetItem(&ctx->signedInfoReferences, i));
      ReferenceOutcome& r = out.references[i];
      r.status = ReferenceStatus::kValid;
      r.computed_digest = r.signed_digest;
      if (request.keep_canonical) {
        r.canonical = BufferText(xmlSecDSigReferenceCtxGetPreDigestBuffer(rc));
      }
    }
    return out;
  }

  // xmlsec said no. Find out what exactly: every reference on its own (with
  // its canonical bytes), then the SignatureValue on its own.
  ASSIGN_OR_RETURN(DSigCtxPtr diag,
                   NewVerifyContext(flags | XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES));
  diag->operation = xmlSecTransformOperationVerify;
  std::size_t refs_ok = 0;
  for (std::size_t i = 0; i < out.references.size(); ++i) {
    ReferenceOutcome& r = out.references[i];
    DSigReferenceCtxPtr rc(
        xmlSecDSigReferenceCtxCreate(diag.get(), xmlSecDSigReferenceOriginSignedInfo));
    if (!rc) return Internal("xmlsec: cannot create a reference context");
    xml::LibraryErrorCapture capture;
    const int processed = xmlSecDSigReferenceCtxProcessNode(rc.get(), r.node);
    r.canonical = BufferText(xmlSecDSigReferenceCtxGetPreDigestBuffer(rc.get()));
    if (processed < 0) {
      r.status = ReferenceStatus::kFailed;
      r.error = capture.empty() ? "xmlsec gave no reason" : capture.Summary(400);
      if (r.error.find("Namespace prefix xsl") != std::string::npos) {
        r.error =
            "the XSLT stylesheet uses the xsl prefix without declaring it inside the "
            "Transform (XML-DSig takes the stylesheet on its own, so it must declare its "
            "namespaces itself): " +
            r.error;
      }
      findings.Add(Severity::kError, "signature.reference-failed",
                   Describe(r, i) + " could not be processed: " + r.error, r.node);
      continue;
    }
    r.computed_digest = DigestOf(r.digest_method, r.canonical);
    if (rc->status == xmlSecDSigStatusSucceeded) {
      r.status = ReferenceStatus::kValid;
      ++refs_ok;
    } else {
      r.status = ReferenceStatus::kDigestMismatch;
      findings.Add(Severity::kError, "signature.reference-digest",
                   Describe(r, i) +
                       " does not match: what it covers changed after signing (digest now " +
                       r.computed_digest + ", signed " + r.signed_digest + ")",
                   r.node);
    }
  }

  {
    xml::LibraryErrorCapture capture;
    TransformCtxScope t;
    if (!t.ok()) return Internal("xmlsec: cannot create a transform context");
    t.get()->enabledUris = xmlSecTransformUriTypeEmpty | xmlSecTransformUriTypeSameDocument;
    xmlSecTransformPtr c14n =
        xmlSecTransformCtxNodeRead(t.get(), c14n_node, xmlSecTransformUsageC14NMethod);
    xmlSecTransformPtr membuf =
        c14n != nullptr ? xmlSecTransformCtxCreateAndAppend(t.get(), xmlSecTransformMemBufId)
                        : nullptr;
    xmlSecTransformPtr method =
        membuf != nullptr
            ? xmlSecTransformCtxNodeRead(t.get(), method_node, xmlSecTransformUsageSignatureMethod)
            : nullptr;
    std::string why;
    bool value_ok = false;
    if (method == nullptr) {
      why = capture.Summary();
    } else {
      method->operation = xmlSecTransformOperationVerify;
      ASSIGN_OR_RETURN(SecKeyPtr value_key, MakeXmlsecKey(key));
      NodeSetPtr nodes(xmlSecNodeSetGetChildren(doc, signed_info, 1, 0));
      if (xmlSecTransformSetKey(method, value_key.get()) < 0 || !nodes ||
          xmlSecTransformCtxXmlExecute(t.get(), nodes.get()) < 0 ||
          xmlSecTransformVerifyNodeContent(method, value_node, t.get()) < 0) {
        why = capture.empty() ? "xmlsec gave no reason" : capture.Summary();
      } else {
        value_ok = method->status == xmlSecTransformStatusOk;
      }
      out.canonical_signed_info = BufferText(xmlSecTransformMemBufGetBuffer(membuf));
    }
    out.value_valid = value_ok;
    if (!value_ok && !findings.has("signature.value-malformed")) {
      const std::string tally = std::to_string(refs_ok) + " of " +
                                std::to_string(out.references.size()) + " references match";
      findings.Add(Severity::kError, "signature.value",
                   why.empty()
                       ? "SignatureValue does not verify with the key of the signer certificate (" +
                             out.signer_info.subject +
                             "): ds:SignedInfo changed after signing (for example re-indented) "
                             "or the value was made with another key; " +
                             tally
                       : "SignatureValue could not be checked: " + why + "; " + tally,
                   value_node);
    }
  }
  if (out.valid()) {
    // xmlsec refused, yet every part holds on its own: report xmlsec's reason.
    findings.Add(Severity::kError, "signature.failed",
                 "xmlsec refused the signature although each reference and the value verify on "
                 "their own: " +
                     (xmlsec_reason.empty() ? "no reason given" : xmlsec_reason),
                 signature);
  }
  return out;
}

}  // namespace kanta::crypto
