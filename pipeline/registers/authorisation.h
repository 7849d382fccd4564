// Authorisations: what lets a provider store into an organiser's register.
//
// Health care: the outsourcing authorisation ("ostopalvelun valtuutus",
// OSVA), a form-362 CDA document made by the organiser (DOMAIN.md 2.1).
// Social welfare: the register access right, formed when the organiser
// records the provider's service unit and the start of the client
// relationship on the client's client-relationship document (DOMAIN.md 2.2;
// the CDA representation is this project's decision, docs/social-welfare.md).
//
// Both are read from the parsed document tree into plain values. Reading
// never judges completeness (the rule sets do that before a document is
// stored); a field that is absent stays empty.
#pragma once

#include <libxml/tree.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registers/directory.h"

namespace kanta::registers {

// An interval of HL7 timestamps; either end may be open ("").
struct Period {
  std::string low;
  std::string high;
};

// A right to retrieve from, or store into, one register of a custodian.
struct RegisterRight {
  bool granted = false;         // the form has the group (15 retrieve, 20 store)
  std::string custodian;        // II (root)
  std::string register_code;    // CV in 1.2.246.537.5.40150.2009
  std::string specifier;        // II "root^extension", e.g. 1.2.246.10^1234567-1
  std::string specifier_name;
};

enum class OutsourcingType { kUnknown, kPatientSpecific, kRegisterSpecific };
std::string_view OutsourcingTypeName(OutsourcingType t);  // "patient-specific", "register-specific", "unknown"

// Form 362, field by field (codes in 1.2.246.537.6.12.2002.362).
struct OutsourcingAuthorisation {
  // The document (header).
  std::string id;
  std::string set_id;
  int version = 0;
  bool invalidated = false;      // localHeader/recordStatus 7 ("Poistettu")
  std::string custodian;         // the organiser's custodian keeping this document
  std::string custodian_name;
  // The form.
  std::string form_id;           // 2
  OutsourcingType type = OutsourcingType::kUnknown;  // 4 (1.2.246.537.6.1400.1)
  Period validity;               // 6
  std::string organiser;         // 8
  std::string organiser_name;    // 9
  std::string organiser_unit;    // 10
  std::string organiser_unit_name;  // 11
  std::string provider;          // 13
  std::string provider_name;     // 14
  RegisterRight retrieve;        // 15: 16-19
  RegisterRight store;           // 20: 21-24
  std::string patient;           // 26, "1.2.246.21^hetu"
  std::string patient_name;      // 27
  std::string patient_birth_date;  // 28
  bool all_documents = false;    // 30
  Period disclosed_period;       // 31
  std::vector<std::string> disclosed_service_events;  // 32 (repeatable)
  std::string recorder;          // 34
  std::string recorder_name;     // 35
  std::string recorder_unit;     // 36
  std::string recorded_at;       // 37
};

// The register access right a client-relationship document forms.
struct RegisterAccessRight {
  std::string id;
  std::string set_id;
  int version = 0;
  bool invalidated = false;      // localHeader/recordStatus 7
  std::string organiser;         // encompassingEncounter/responsibleParty/.../representedOrganization/id
  std::string custodian;         // the organiser's register keeper
  std::string custodian_name;
  std::string register_code;     // ClinicalDocument/code (1.2.246.537.6.1264)
  std::string register_system;
  std::string provider_unit;     // encompassingEncounter/location/healthCareFacility/serviceProviderOrganization/id
  std::string provider_unit_name;
  std::string client;            // recordTarget/patientRole/id "root^extension"
  Period relationship;           // encompassingEncounter/effectiveTime low/high
};

// Which authorisation, if any, a document carries.
enum class AuthorisationForm { kNone, kOutsourcing, kClientRelationship };
std::string_view AuthorisationFormName(AuthorisationForm f);  // "", "osva", "client-relationship"

// Code systems the readers and the resolver rely on.
inline constexpr std::string_view kHealthRegisterSystem = "1.2.246.537.5.40150.2009";
inline constexpr std::string_view kSocialWelfareRegisterSystem = "1.2.246.537.6.1264";
inline constexpr std::string_view kViewSystem = "1.2.246.537.6.12.2002";        // contentsCode
inline constexpr std::string_view kDocumentGroupSystem = "1.2.246.537.6.1505";   // social welfare
inline constexpr std::string_view kOsvaFormSystem = "1.2.246.537.6.12.2002.362";
inline constexpr std::string_view kHetuRoot = "1.2.246.21";

// True when `code_system` is the social-welfare register code system (also
// with a version suffix such as ".201701").
bool IsSocialWelfareRegisterSystem(std::string_view code_system);

// The form of a ClinicalDocument: OSVA when its contentsCode is 362 in
// 1.2.246.537.6.12.2002; a client-relationship document when its register is
// social welfare and its document group is `policy.client_relationship_group`.
AuthorisationForm FormOf(const xmlNode* clinical_document, const RegisterPolicy& policy);

OutsourcingAuthorisation ReadOutsourcingAuthorisation(const xmlNode* clinical_document);
RegisterAccessRight ReadRegisterAccessRight(const xmlNode* clinical_document);

// The version number of a ClinicalDocument (0 when absent or not a number).
int VersionOf(const xmlNode* clinical_document);
// True when hl7fi:localHeader/hl7fi:recordStatus is 7 (invalidated).
bool IsInvalidation(const xmlNode* clinical_document);

// Compares HL7 timestamps by their date part: true when `time` lies within
// `period` (both ends inclusive, open ends unbounded). An empty `time` is
// never inside a closed period.
bool Covers(const Period& period, std::string_view time);

// "YYYYMMDD" -> "YYYY-MM-DD" for messages; other input unchanged.
std::string DisplayDate(std::string_view ts);

}  // namespace kanta::registers
