// Stamping: writes a register decision into the document header.
//
// Writes the custodian (id, name), ClinicalDocument/code (the register),
// hl7fi:patientRegistrySpecifier and its name (removed when the register has
// none), hl7fi:custodianTypeCode, and, for an outsourced document,
// hl7fi:outsourcingServiceCustomer and its name — each in its schema place.
// The producer (responsibleParty) is left as it is. The caller re-checks the
// stamped document against the schema.
#pragma once

#include <libxml/tree.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/decision.h"

namespace kanta::registers {

// One header field the stamp changed.
struct StampChange {
  std::string field;   // e.g. "custodian/id", "hl7fi:custodianTypeCode"
  std::string before;  // "" when absent
  std::string after;   // "" when removed
};

// Stamps `decision` into the ClinicalDocument; returns what changed (empty
// when the header already said all of it).
std::vector<StampChange> StampHeader(xmlNode* clinical_document, const Decision& decision);

// The Finnish name of a patient-register code (1.2.246.537.5.40150.2009),
// or "" when unknown.
std::string_view HealthRegisterName(std::string_view code);

}  // namespace kanta::registers
