// Outbox: the HL7 V3 archive message of each stored document, as files.
//
// With --emit-messages DIR, every document ingest stored gets the archive
// message a provider system would send to Kanta: RCMR_IN100002FI01 for a new
// document, RCMR_IN100016FI01 for a new version, the stamped (and signed)
// CDA inside (formats/rcmr). The sender is the producer, or its host when it
// connects through a joint connection. Files are named after the document id
// and written atomically.
//
// Thread-safety: immutable; Build() and Write() may run concurrently.
#pragma once

#include <libxml/tree.h>

#include <functional>
#include <memory>
#include <string>

#include "core/document.h"
#include "core/status.h"
#include "registers/directory.h"

namespace kanta::route {

class Outbox {
 public:
  // `now` gives the message creation time as an HL7 TS (a seam for tests).
  Outbox(std::string dir, std::shared_ptr<const registers::OrganisationDirectory> directory,
         std::function<std::string()> now);

  // The archive message for `doc` (its tree and its bytes as they will be stored).
  Result<std::string> Build(const Document& doc) const;
  // Writes `message` for document `id`; returns the path written.
  Result<std::string> Write(std::string_view id, const std::string& message) const;

 private:
  std::string dir_;
  std::shared_ptr<const registers::OrganisationDirectory> directory_;
  std::function<std::string()> now_;
};

// The file name a document's message (or an exported document) gets: its id
// with characters that are not safe in file names replaced, plus ".xml".
std::string MessageFileName(std::string_view document_id);

}  // namespace kanta::route
