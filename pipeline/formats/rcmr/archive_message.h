// HL7 V3 archive messages (RCMR_IN...): unwrapping the CDA they carry.
//
// The message's controlActProcess/subject/clinicalDocument/text holds a MIME
// multipart/related body whose part is the CDA, base64-encoded. Unwrapping
// reads the MIME with Poco::Net and decodes the part.
#pragma once

#include <libxml/tree.h>

#include <string>

#include "core/status.h"

namespace kanta::formats::rcmr {

struct UnwrappedMessage {
  std::string interaction;  // root element name, e.g. RCMR_IN100016FI01
  std::string message_id;   // /*/id as root^extension
  std::string content_id;   // Content-ID of the CDA part, without <>
  std::string cda;          // the decoded CDA bytes
};

// Unwraps the CDA from a parsed archive message. Fails with InvalidArgument
// and a message saying what is missing or malformed (no text element, no
// MIME boundary, no XML part, bad base64) — a data problem the caller turns
// into a finding.
Result<UnwrappedMessage> UnwrapArchiveMessage(const xmlNode* message_root);

}  // namespace kanta::formats::rcmr
