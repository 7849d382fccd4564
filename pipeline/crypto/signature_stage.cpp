#include "crypto/signature_stage.h"

#include <libxml/valid.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "crypto/kanta_signature.h"
#include "formats/cda/header_facts.h"
#include "xml/node_path.h"
#include "xml/xml_tree.h"

namespace kanta::crypto {
namespace {

namespace fs = std::filesystem;

Location At(const xmlNode* n) {
  return Location{xml::NodePath(n), n != nullptr ? xmlGetLineNo(n) : 0, 0};
}

std::string Where(const xmlNode* n) {
  const long line = n != nullptr ? xmlGetLineNo(n) : 0;
  return xml::NodePath(n) + (line > 0 ? " (line " + std::to_string(line) + ")" : "");
}

std::vector<xmlNode*> Children(const xmlNode* parent, std::string_view ns, std::string_view local) {
  std::vector<xmlNode*> out;
  for (xmlNode* c = parent != nullptr ? parent->children : nullptr; c != nullptr; c = c->next) {
    if (xml::IsElement(c, ns, local)) out.push_back(c);
  }
  return out;
}

bool IsInside(const xmlNode* node, const xmlNode* ancestor) {
  for (const xmlNode* n = node; n != nullptr; n = n->parent) {
    if (n == ancestor) return true;
  }
  return false;
}

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || static_cast<unsigned char>(c) >= 0x80;
}

// Whether canonical XML bytes contain a start tag `name` (with or without a
// prefix): how a whole-document reference shows that its transforms kept
// the body (or the multipleDocumentSignature list).
bool ContainsStartTag(const std::string& canonical, std::string_view name) {
  for (std::size_t pos = canonical.find(name); pos != std::string::npos;
       pos = canonical.find(name, pos + 1)) {
    const std::size_t end = pos + name.size();
    if (end >= canonical.size()) break;
    const char next = canonical[end];
    if (next != ' ' && next != '>' && next != '/' && next != '\t' && next != '\n') continue;
    if (pos == 0) continue;
    std::size_t p = pos - 1;
    if (canonical[p] == ':') {
      while (p > 0 && IsNameChar(canonical[p - 1])) --p;
      if (p == 0) continue;
      --p;
    }
    if (canonical[p] == '<') return true;
  }
  return false;
}

std::string TypeLabel(const std::string& code) {
  if (code == "1") return "type 1 professional signature";
  if (code == "2") return "type 2 professional multi-document signature";
  if (code == "3") return "type 3 system signature";
  if (code == "4") return "type 4 Kanta system signature";
  if (code.empty()) return "signature without hl7fi:signatureDescription";
  return "signature of type " + code;
}

// Professional signatures (1, 2) are made by a person and Kanta's own (4) by
// Kanta; neither names an organisation of the document.
bool SignedByOrganisationOfDocument(const std::string& code) {
  return code != "1" && code != "2" && code != "4";
}

std::string FileStem(const Document& doc) {
  std::string base = doc.source == "-" ? "stdin" : fs::path(doc.source).filename().string();
  for (char& c : base) {
    if (!IsNameChar(c) || static_cast<unsigned char>(c) >= 0x80) c = '_';
  }
  return std::to_string(doc.index + 1) + "-" + base;
}

}  // namespace

Result<Verdict> SignatureStage::Process(Document& doc, Report& report) const {
  xmlDoc* tree = xml::TreeOf(doc);
  if (tree == nullptr ||
      (doc.kind != DocumentKind::kCda && doc.kind != DocumentKind::kArchiveMessage)) {
    return Verdict::kContinue;
  }
  xmlNode* root = xmlDocGetRootElement(tree);
  xmlNode* collection = SignatureCollection(root);
  if (collection == nullptr) {
    if (options_.require_signature) {
      report.Add(Severity::kError, name(), "signature.missing",
                 "the document carries no signature (no hl7fi:localHeader/"
                 "hl7fi:signatureCollection)",
                 At(root));
    }
    return Verdict::kContinue;
  }

  // Whole-document checks before any cryptography.
  const std::size_t errors_at_start = report.Count(Severity::kError);
  const DocumentScan scan(tree);
  for (const auto& [value, attrs] : scan.duplicates()) {
    std::string where;
    for (std::size_t i = 0; i < attrs.size() && i < 4; ++i) {
      where += (i > 0 ? ", " : "") + Where(attrs[i]->parent);
    }
    if (attrs.size() > 4) where += ", ...";
    report.Add(Severity::kError, name(), "signature.duplicate-id",
               "the ID value \"" + value + "\" is used " + std::to_string(attrs.size()) +
                   " times (" + where +
                   "): a same-document reference could resolve to either, so no signature of "
                   "this document can be trusted",
               At(attrs[1]->parent));
  }
  xmlNode* body = DocumentBody(root);
  for (xmlNode* b : scan.bodies()) {
    if (b == body) continue;
    report.Add(Severity::kError, name(), "signature.wrapping",
               "a second document body (" + std::string(reinterpret_cast<const char*>(b->name)) +
                   ") at " + Where(b) +
                   ": only /ClinicalDocument/component/structuredBody is the document's body; a "
                   "signed body moved elsewhere (signature wrapping) is refused",
               At(b));
  }
  for (xmlNode* s : scan.signatures()) {
    if (IsInside(s, collection)) continue;
    report.Add(Severity::kWarning, name(), "signature.outside-collection",
               "a ds:Signature outside hl7fi:signatureCollection is not a Kanta signature and was "
               "not verified",
               At(s));
  }

  // Only these attributes become XML IDs, so "#id" reaches nothing else.
  auto register_id = [&](xmlNode* element) {
    xmlAttr* a = FindAttribute(element, "ID");
    if (a != nullptr && scan.UniqueIdAttribute(AttributeValue(a)) == a) RegisterId(a);
  };
  register_id(body);
  const std::vector<xmlNode*> wrappers = Children(collection, xml::kHl7FiNs, "signature");
  for (xmlNode* w : wrappers) {
    register_id(xml::FirstChild(w, xml::kHl7FiNs, "signatureTimestamp"));
    register_id(xml::FirstChild(w, xml::kHl7FiNs, "multipleDocumentSignature"));
  }
  if (wrappers.empty()) {
    report.Add(Severity::kWarning, name(), "signature.empty-collection",
               "hl7fi:signatureCollection holds no hl7fi:signature", At(collection));
    return Verdict::kContinue;
  }

  const bool document_clean = report.Count(Severity::kError) == errors_at_start;
  const HeaderFacts facts = formats::cda::ReadHeaderFacts(root);
  std::size_t number = 0;
  for (xmlNode* wrapper : wrappers) {
    const std::string code =
        xml::Attribute(xml::FirstChild(wrapper, xml::kHl7FiNs, "signatureDescription"), "code");
    xmlNode* timestamp = xml::FirstChild(wrapper, xml::kHl7FiNs, "signatureTimestamp");
    xmlNode* multiple = xml::FirstChild(wrapper, xml::kHl7FiNs, "multipleDocumentSignature");
    const std::vector<xmlNode*> dsigs = Children(wrapper, kDsigNs, "Signature");
    std::optional<std::time_t> signed_at;
    if (timestamp == nullptr) {
      report.Add(Severity::kError, name(), "signature.timestamp",
                 "hl7fi:signature has no hl7fi:signatureTimestamp", At(wrapper));
    } else if (!(signed_at = ParseDateTime(xml::TextOf(timestamp)))) {
      report.Add(Severity::kError, name(), "signature.timestamp",
                 "hl7fi:signatureTimestamp \"" + xml::TextOf(timestamp) +
                     "\" is not an xs:dateTime; the certificate is checked at the current time",
                 At(timestamp));
    }
    if (dsigs.empty()) {
      report.Add(Severity::kError, name(), "signature.structure",
                 "hl7fi:signature holds no ds:Signature", At(wrapper));
      continue;
    }

    for (xmlNode* ds : dsigs) {
      ++number;
      const std::size_t errors_before = report.Count(Severity::kError);
      const std::string label =
          "signature " + std::to_string(number) + " (" + TypeLabel(code) + ")";

      // Where each reference points, before any cryptography.
      std::set<std::string> refused_refs;
      bool covers_body = false;
      bool covers_multiple = false;
      bool whole_document = false;
      std::size_t j = 0;
      for (xmlNode* ref :
           Children(xml::FirstChild(ds, kDsigNs, "SignedInfo"), kDsigNs, "Reference")) {
        ++j;
        xmlAttr* uri_attr = FindAttribute(ref, "URI");
        if (uri_attr == nullptr) continue;  // the verifier reports it
        const std::string uri = AttributeValue(uri_attr);
        const std::string which = "Reference " + std::to_string(j) + " URI=\"" + uri + "\"";
        if (uri.empty()) {
          whole_document = true;
          continue;
        }
        if (uri[0] != '#') continue;  // the verifier refuses it
        const std::string id = uri.substr(1);
        if (xmlValidateNCName(reinterpret_cast<const xmlChar*>(id.c_str()), 0) != 0) {
          report.Add(Severity::kError, name(), "signature.reference-uri",
                     which +
                         ": a Kanta signature names what it signs by \"#ID\" (or \"\" with "
                         "transforms); XPointer and other forms are refused",
                     At(ref));
          refused_refs.insert(xml::NodePath(ref));
          continue;
        }
        xmlNode* target = scan.ElementWithId(id);
        if (target == nullptr) {
          const bool duplicated =
              std::any_of(scan.duplicates().begin(), scan.duplicates().end(),
                          [&](const auto& d) { return d.first == id; });
          report.Add(Severity::kError, name(), "signature.reference-unresolved",
                     which + (duplicated ? " names an ID that several elements carry"
                                         : " names no element of the document"),
                     At(ref));
          refused_refs.insert(xml::NodePath(ref));
        } else if (target == body) {
          covers_body = true;
        } else if (multiple != nullptr && target == multiple) {
          covers_multiple = true;
        } else if (target != timestamp) {
          report.Add(Severity::kError, name(), "signature.wrapping",
                     which + " resolves to " + Where(target) +
                         ", which is neither the document's body "
                         "(/ClinicalDocument/component/structuredBody) nor this signature's "
                         "signatureTimestamp: the signature does not vouch for what a reader "
                         "sees",
                     At(ref));
          refused_refs.insert(xml::NodePath(ref));
        }
      }

      VerifyRequest request;
      request.trust = options_.trust.get();
      request.time = signed_at.value_or(0);
      request.key_usage.extension_required = true;
      request.key_usage.non_repudiation = true;
      request.key_usage.digital_signature = SignedByOrganisationOfDocument(code) || code == "4";
      request.keep_canonical = whole_document || !options_.explain_dir.empty();
      ASSIGN_OR_RETURN(SignatureOutcome outcome, verifier_.Verify(tree, ds, request));
      for (Finding& f : outcome.findings) {
        // A reference refused above cannot be resolved by xmlsec either; the
        // refusal already says why.
        if (f.rule == "signature.reference-failed" && refused_refs.count(f.location.xpath) > 0) {
          continue;
        }
        report.Add(std::move(f));
      }

      if (!covers_body) {
        bool found = false;
        bool unknown = !outcome.cryptography_checked;
        for (const ReferenceOutcome& r : outcome.references) {
          if (!r.uri.empty()) continue;
          if (r.status == ReferenceStatus::kValid || r.status == ReferenceStatus::kDigestMismatch) {
            found = found || ContainsStartTag(r.canonical, "structuredBody");
            covers_multiple =
                covers_multiple || ContainsStartTag(r.canonical, "multipleDocumentSignature");
          } else {
            unknown = true;
          }
        }
        // A multi-document signature (type 2) signs a list of document OIDs
        // and hashes instead of the body; what the hash is computed over is
        // not published, so it is accepted with a warning when it lists this
        // document.
        const std::string document_oid =
            xml::Attribute(xml::FirstChild(root, xml::kHl7V3Ns, "id"), "root");
        bool listed = false;
        for (xmlNode* r : Children(covers_multiple ? multiple : nullptr, xml::kHl7FiNs, "Ref")) {
          listed = listed || (!document_oid.empty() && xml::Attribute(r, "OID") == document_oid);
        }
        if (!found && !unknown && listed) {
          report.Add(Severity::kWarning, name(), "signature.multi-document",
                     label +
                         " binds the body only through the hash in "
                         "hl7fi:multipleDocumentSignature/hl7fi:Ref[@OID='" +
                         document_oid +
                         "'], whose input is not published, so the body itself is not checked",
                     At(ds));
        } else if (!found && !unknown) {
          report.Add(Severity::kError, name(), "signature.body-not-covered",
                     label +
                         " covers nothing of the document's body: no Reference resolves to "
                         "/ClinicalDocument/component/structuredBody" +
                         (covers_multiple ? " and its multipleDocumentSignature does not list "
                                            "this document's OID"
                                          : ""),
                     At(ds));
        }
      }

      if (outcome.signer && SignedByOrganisationOfDocument(code)) {
        const std::string& oid = outcome.signer_info.subject_serial_number;
        if (oid.empty()) {
          report.Add(Severity::kError, name(), "signature.signer-not-named",
                     "the signer certificate (" + outcome.signer_info.subject +
                         ") has no serialNumber; a system signature certificate carries its "
                         "organisation OID there",
                     At(ds));
        } else if (!SameOrganisation(oid, facts.custodian) &&
                   !SameOrganisation(oid, facts.producer) &&
                   !SameOrganisation(oid, facts.organiser)) {
          auto or_none = [](const std::string& s) { return s.empty() ? std::string("none") : s; };
          report.Add(Severity::kError, name(), "signature.signer-not-named",
                     "the signer certificate's serialNumber " + oid +
                         " is the OID of no organisation the document names (custodian " +
                         or_none(facts.custodian) + ", producer " + or_none(facts.producer) +
                         ", organiser " + or_none(facts.organiser) + ")",
                     At(ds));
        }
      }

      if (!options_.explain_dir.empty()) {
        std::error_code ec;
        fs::create_directories(options_.explain_dir, ec);
        auto write = [&](const std::string& what, const std::string& suffix,
                         const std::string& bytes, const xmlNode* at) {
          const fs::path file = fs::path(options_.explain_dir) /
                                (FileStem(doc) + ".sig" + std::to_string(number) + suffix);
          std::ofstream out(file, std::ios::binary | std::ios::trunc);
          out << bytes;
          out.close();
          if (out) {
            report.Add(Severity::kInfo, name(), "signature.explain",
                       "canonical bytes of " + what + " (" + std::to_string(bytes.size()) +
                           " bytes) written to " + file.string(),
                       At(at));
          } else {
            report.Add(Severity::kWarning, name(), "signature.explain",
                       "could not write " + file.string(), At(at));
          }
        };
        for (std::size_t i = 0; i < outcome.references.size(); ++i) {
          const ReferenceOutcome& r = outcome.references[i];
          if ((r.status == ReferenceStatus::kDigestMismatch ||
               r.status == ReferenceStatus::kFailed) &&
              !r.canonical.empty()) {
            write("Reference " + std::to_string(i + 1), ".ref" + std::to_string(i + 1) + ".c14n",
                  r.canonical, r.node);
          }
        }
        if (outcome.cryptography_checked && !outcome.value_valid &&
            !outcome.canonical_signed_info.empty()) {
          write("SignedInfo", ".signedinfo.c14n", outcome.canonical_signed_info, ds);
        }
      }

      if (document_clean && report.Count(Severity::kError) == errors_before) {
        std::size_t refs = outcome.references.size();
        report.Add(Severity::kInfo, name(), "signature.verified",
                   label + " verified: " + AlgorithmName(outcome.signature_method) + ", " +
                       std::to_string(refs) + " of " + std::to_string(refs) +
                       " references and the SignatureValue; signer " + outcome.signer_info.subject +
                       "; certificate chain " + (outcome.chain_checked ? "trusted" : "not checked"),
                   At(ds));
      }
    }
  }
  return Verdict::kContinue;
}

}  // namespace kanta::crypto
