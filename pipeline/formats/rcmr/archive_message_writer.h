// Writing HL7 V3 archive messages (RCMR_IN...) that carry a CDA document.
//
// The shape follows the real messages (DOMAIN.md 4.1): the transmission
// wrapper, controlActProcess with the service request PP1, a metadata copy of
// the CDA header in subject/clinicalDocument, and the CDA itself, base64, as
// the part of a MIME multipart/related body in clinicalDocument/text.
// RCMR_IN100002FI01 archives a new document, RCMR_IN100016FI01 a new version
// (replacement) of a stored one.
#pragma once

#include <libxml/tree.h>

#include <string>

#include "core/status.h"

namespace kanta::formats::rcmr {

struct MessageOptions {
  std::string sender_organisation;  // authorOrPerformer organisation OID
  std::string sender_device;        // sender device (system) OID; default: the organisation
  std::string creation_time;        // HL7 TS of the message (e.g. 20261122120000)
};

// Builds the archive message for the CDA `cda_bytes` whose parsed root is
// `clinical_document`. A document that replaces another (relatedDocument
// RPLC) gets RCMR_IN100016FI01, any other RCMR_IN100002FI01. Fails with
// InvalidArgument when the document has no id.
Result<std::string> WrapArchiveMessage(const xmlNode* clinical_document, std::string_view cda_bytes,
                                       const MessageOptions& options);

}  // namespace kanta::formats::rcmr
