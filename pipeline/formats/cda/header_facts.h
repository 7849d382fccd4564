// Reading the identifying facts of a CDA R2 header, once per document.
#pragma once

#include <libxml/tree.h>

#include "core/document.h"

namespace kanta::formats::cda {

// Reads id, setId, versionNumber, patient, custodian, producer, organiser
// (hl7fi:outsourcingServiceCustomer), register code and document time from a ClinicalDocument root. Missing parts stay empty;
// this never fails (judging the header is the validators' job).
HeaderFacts ReadHeaderFacts(const xmlNode* clinical_document);

// "root^extension", or "root" when there is no extension; "" for nullptr.
std::string InstanceId(const xmlNode* ii);

}  // namespace kanta::formats::cda
