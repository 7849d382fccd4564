// hl7fi:localHeader: the Finnish header extension and its schema order.
//
// The children of hl7fi:localHeader form an xs:sequence (DOMAIN.md 1.2), so
// anything written into it must go in its schema place. These helpers find or
// create elements there; they never reorder what the document already has.
#pragma once

#include <libxml/tree.h>

#include <array>
#include <string_view>

namespace kanta::formats::cda {

// The children of hl7fi:localHeader in schema order.
inline constexpr std::array<std::string_view, 36> kLocalHeaderOrder = {
    "description", "tableOfContents", "registratedTime", "declaredTime", "typeCode",
    "fileFormat", "softwareSupport", "documentType", "currentLocation", "retentionPeriod",
    "functionCode", "recordStatus", "auditTrail", "serviceChainLink", "episodeLink", "product",
    "signatureCollection", "sender", "password", "patientRegistrySpecifier",
    "patientRegistrySpecifierName", "custodianTypeCode", "encompassingEncounterCode",
    "activeCustodian", "activeCustodianName", "encompassingEncounterMasterCode",
    "secondaryEncompassingEncounterId", "outsourcingServiceCustomer",
    "outsourcingServiceCustomerName", "retentionPeriodClass", "extendedRetentionPeriod",
    "sensitiveDocument", "eprServiceProvider", "eprServiceProviderName",
    "releaseDateForPatientViewing", "patientHomeMunicipality"};

// The ClinicalDocument's hl7fi:localHeader; when it has none, a new one in
// its schema place (after componentOf, before component). Never nullptr.
xmlNode* EnsureLocalHeader(xmlNode* clinical_document);

// The first child `name` (one of kLocalHeaderOrder) of `local_header`; when
// there is none, a new empty element inserted in schema order. Never nullptr.
xmlNode* EnsureLocalHeaderChild(xmlNode* local_header, std::string_view name);

// Removes every child `name` of `local_header`. Returns how many.
int RemoveLocalHeaderChildren(xmlNode* local_header, std::string_view name);

}  // namespace kanta::formats::cda
