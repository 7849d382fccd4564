// Document: one unit of work flowing through the pipeline.
//
// Holds the bytes as read, the detected kind, the parsed tree (owned, opaque
// to core: the xml module supplies the concrete type) and the header facts,
// read once by the parse stage so later stages never search for them again.
//
// Thread-safety: a Document is owned by the one worker processing it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/decision.h"

namespace kanta {

enum class DocumentKind {
  kUnknown,         // not yet detected, or not recognised
  kCda,             // HL7 CDA R2 ClinicalDocument (urn:hl7-org:v3)
  kArchiveMessage,  // HL7 V3 archive message (RCMR_IN...) carrying a CDA
  kFhirJson,        // FHIR resource as JSON
  kFhirXml,         // FHIR resource as XML (http://hl7.org/fhir)
  kOtherXml,        // well-formed XML of no known kind
  kOtherJson,       // JSON that is not a FHIR resource
  kBinary,          // not text
};

std::string_view DocumentKindName(DocumentKind k);  // "cda", "archive-message", ...

// A parsed representation owned by the Document. Core knows only that it can
// be destroyed; xml::XmlTree is the concrete type.
class ParsedTree {
 public:
  virtual ~ParsedTree() = default;
};

// Identifying facts read from the document header. Empty when absent.
struct HeaderFacts {
  std::string id;              // ClinicalDocument/id (root[^extension])
  std::string set_id;          // setId
  std::string version;         // versionNumber/@value
  std::string patient;         // recordTarget/patientRole/id: "root^extension"
  std::string custodian;       // custodian/.../representedCustodianOrganization/id
  std::string custodian_name;
  std::string producer;        // responsibleParty org id, else first author's org
  std::string organiser;       // hl7fi:outsourcingServiceCustomer (the service organiser)
  std::string organiser_name;  // hl7fi:outsourcingServiceCustomerName
  std::string register_code;   // ClinicalDocument/code/@code
  std::string register_code_system;
  std::string document_time;   // effectiveTime/@value
};

// The container a document arrived in, when it was unwrapped from one.
struct Envelope {
  std::string kind;  // e.g. "RCMR_IN100016FI01"; empty when not wrapped
  std::string id;    // the message id ("root^extension")
};

struct Document {
  std::size_t index = 0;   // position in the batch, for deterministic output
  std::string source;      // path as given, or "-" for standard input
  std::string bytes;       // the document as read (the CDA after unwrapping)
  bool loaded = false;     // bytes have been read (stdin arrives loaded)
  DocumentKind kind = DocumentKind::kUnknown;
  std::unique_ptr<ParsedTree> tree;
  HeaderFacts facts;
  Envelope envelope;
  std::string input_sha256;          // hex SHA-256 of the bytes as received (ingest)
  bool bytes_rewritten = false;      // a stage replaced `bytes` with its changed tree
  std::optional<Decision> decision;  // set by the resolve stage (ingest)
};

}  // namespace kanta
