// The Kanta signature conventions shared by the signer and the verifier:
// namespaces and codes, where the signature wrapper and the document body
// are, which attributes are XML IDs, the signature time, and when a
// certificate's organisation OID names an organisation of the document.
// DOMAIN.md section 3 and docs/signatures.md describe them.
#pragma once

#include <libxml/tree.h>

#include <chrono>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kanta::crypto {

inline constexpr std::string_view kDsigNs = "http://www.w3.org/2000/09/xmldsig#";
// "KanTa-palvelut - Sähköisen allekirjoituksen tyyppi".
inline constexpr std::string_view kSignatureTypeCodeSystem = "1.2.246.537.5.40127.2006";
inline constexpr std::string_view kSignatureTypeCodeSystemName =
    "KanTa-palvelut - Sähköisen allekirjoituksen tyyppi";
inline constexpr std::string_view kSystemSignatureCode = "3";  // by the source system
inline constexpr std::string_view kSystemSignatureDisplayName =
    "Järjestelmäallekirjoitus / perusjärjestelmä";

// /ClinicalDocument/component/structuredBody, or nullptr.
xmlNode* DocumentBody(const xmlNode* clinical_document);
// /ClinicalDocument/hl7fi:localHeader/hl7fi:signatureCollection, or nullptr.
xmlNode* SignatureCollection(const xmlNode* clinical_document);

// One pass over a document collecting what the signature checks need.
// Holds pointers into the tree: valid while the tree is unchanged.
class DocumentScan {
 public:
  explicit DocumentScan(xmlDoc* doc);

  // The element whose ID-like attribute (ID or Id without namespace, or
  // xml:id) has `value`, when exactly one attribute has it; else nullptr.
  xmlNode* ElementWithId(std::string_view value) const;
  // The attribute carrying `value` when exactly one does; else nullptr.
  xmlAttr* UniqueIdAttribute(std::string_view value) const;
  // Values carried by more than one ID-like attribute, in document order of
  // their first use, with every attribute carrying them.
  const std::vector<std::pair<std::string, std::vector<xmlAttr*>>>& duplicates() const {
    return duplicates_;
  }
  // Every structuredBody and nonXMLBody element (urn:hl7-org:v3), anywhere.
  const std::vector<xmlNode*>& bodies() const { return bodies_; }
  // Every ds:Signature element, anywhere.
  const std::vector<xmlNode*>& signatures() const { return signatures_; }

 private:
  std::unordered_map<std::string, std::vector<xmlAttr*>> ids_;
  std::vector<std::pair<std::string, std::vector<xmlAttr*>>> duplicates_;
  std::vector<xmlNode*> bodies_;
  std::vector<xmlNode*> signatures_;
};

// The value of `attr`.
std::string AttributeValue(const xmlAttr* attr);

// Registers `attr` as an XML ID of its document (what xmlsec resolves "#x"
// references with). Does nothing when the value is already registered.
void RegisterId(xmlAttr* attr);

// The attribute `name` (no namespace) of `node`, or nullptr.
xmlAttr* FindAttribute(const xmlNode* node, const char* name);

// "2026-11-22T12:00:00Z".
std::string FormatDateTime(std::chrono::system_clock::time_point t);

// Parses an xs:dateTime ("2017-06-15T05:02:06Z", "2015-05-07T12:31:51+03:00",
// fractional seconds allowed; no zone = UTC). nullopt when malformed.
std::optional<std::time_t> ParseDateTime(std::string_view text);

// The OID part of "root^extension".
std::string_view OidOf(std::string_view instance_id);

// The organisation root of a SOTE-register style OID: "<root>.10.<n>"
// (organisation, service unit) or "<root>.19.<n>" (custodian) gives <root>;
// any other OID is its own root.
std::string_view OrganisationRoot(std::string_view oid);

// True when a certificate issued to organisation `signer_oid` may sign for
// `named_oid`: the same OID, or both under the same organisation root
// (an organisation signs for its own service units and custodian).
bool SameOrganisation(std::string_view signer_oid, std::string_view named_oid);

}  // namespace kanta::crypto
