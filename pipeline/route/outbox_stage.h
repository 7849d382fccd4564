// OutboxStage ("outbox"): writes an archive message for each stored document.
//
// With --emit-messages DIR, every document the route stage stored gets the
// HL7 V3 archive message a provider system would send to Kanta: an
// RCMR_IN100002FI01 for a new document, an RCMR_IN100016FI01 for a new
// version, the stamped (and signed) CDA inside (formats/rcmr). The sender is
// the producer, or its host when it connects through a joint connection.
// Files are named after the document id and written atomically.
//
// Thread-safety: immutable; Process() may run concurrently.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/stage.h"
#include "registers/directory.h"

namespace kanta::route {

class OutboxStage final : public Stage {
 public:
  // `now` gives the message creation time as an HL7 TS (a seam for tests).
  OutboxStage(std::string dir, std::shared_ptr<const registers::OrganisationDirectory> directory,
              std::function<std::string()> now);
  std::string_view name() const override { return "outbox"; }
  Result<Verdict> Process(Document& doc, Report& report) const override;

 private:
  std::string dir_;
  std::shared_ptr<const registers::OrganisationDirectory> directory_;
  std::function<std::string()> now_;
};

// The file name a document's message gets: its id with characters that are
// not safe in file names replaced, plus ".xml".
std::string MessageFileName(std::string_view document_id);

}  // namespace kanta::route
