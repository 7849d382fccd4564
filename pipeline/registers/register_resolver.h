// RegisterResolver: decides which register a document belongs to, and proves it.
//
// The producer is the organisation responsible for the encounter
// (componentOf/encompassingEncounter/responsibleParty/.../representedOrganization,
// else the first author's organisation). The organiser is
// hl7fi:outsourcingServiceCustomer when present, else a custodian that is not
// the producer's own, else the batch's --organiser. Without an organiser the
// document goes to the producer's own register. With one, an authorisation in
// force must cover organiser, provider, patient (or client) and the
// document's time and grant the store right: an outsourcing authorisation in
// health care, a register access right in social welfare (which also needs a
// phase-2 organiser). A replacement (RPLC) lands where its predecessor is, and
// version n+1 needs version n. Every refusal names the exact reason
// (docs/registers.md lists the rule ids).
//
// Thread-safety: immutable after construction; Resolve() may run
// concurrently (the authorisation store synchronises itself).
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/decision.h"
#include "core/document.h"
#include "core/finding.h"
#include "core/status.h"
#include "registers/authorisation_store.h"
#include "registers/directory.h"

namespace kanta::registers {

// The facts of a document the resolver decides on.
struct Subject {
  std::string id;
  std::string set_id;
  int version = 0;
  std::string patient;           // recordTarget/patientRole/id "root^extension"
  std::string custodian;         // as the document names it
  std::string producer;          // organisation OID (see above)
  std::string organiser;         // hl7fi:outsourcingServiceCustomer
  std::string register_code;     // ClinicalDocument/code
  std::string register_system;
  std::string specifier;         // hl7fi:patientRegistrySpecifier "root^extension"
  std::string specifier_name;
  std::string service_unit;      // encompassingEncounter/location/healthCareFacility/serviceProviderOrganization/id
  std::string replaces;          // relatedDocument[@typeCode='RPLC']/parentDocument/id
  std::string document_time;     // effectiveTime/@value
  AuthorisationForm form = AuthorisationForm::kNone;
};

// Reads the subject from a ClinicalDocument and its header facts.
Subject ReadSubject(const xmlNode* clinical_document, const HeaderFacts& facts,
                    const RegisterPolicy& policy);

// Where an already stored document is, as far as the resolver needs it.
struct StoredPlacement {
  std::string id;
  std::string set_id;
  int version = 0;
  std::string custodian;
  std::string custodian_name;
  std::string register_code;
  std::string register_system;
  std::string specifier;
  std::string specifier_name;
  std::string organiser;
  std::string basis_kind;
  std::string basis_document;
};

// Makes `d` the decision of a duplicate of the document stored at `p`: action
// duplicate, placed where it is, on its basis.
void PlaceAsDuplicate(const StoredPlacement& p, Decision& d);

// What the resolver may ask of the archive. Implementations are thread-safe.
class PlacementLookup {
 public:
  virtual ~PlacementLookup() = default;
  // The stored document with this id, or nullopt.
  virtual Result<std::optional<StoredPlacement>> Find(std::string_view id) const = 0;
  // The highest version stored in this set (0 when none).
  virtual Result<int> LatestVersion(std::string_view set_id) const = 0;
};

// A warning or note the resolver adds to the report.
struct ResolutionNote {
  Severity severity = Severity::kWarning;
  std::string rule;
  std::string message;
};

struct Resolution {
  // kPending with the register and basis; kRefused with rule and reason;
  // kDuplicate when the document would be refused but its id is already
  // stored (the route stage tells a duplicate from a conflict by the input
  // bytes; a new-looking document that is stored already is found out when
  // it is stored).
  Decision decision;
  std::vector<ResolutionNote> notes;
};

struct ResolverOptions {
  std::string batch_organiser;  // --organiser OID: the organiser when the document names none
};

class RegisterResolver {
 public:
  RegisterResolver(std::shared_ptr<const OrganisationDirectory> directory,
                   std::shared_ptr<const AuthorisationStore> authorisations,
                   ResolverOptions options);

  // Decides for `subject`. A non-OK Status only when `lookup` failed.
  Result<Resolution> Resolve(const Subject& subject, const PlacementLookup& lookup) const;

  const OrganisationDirectory& directory() const { return *directory_; }

 private:
  std::shared_ptr<const OrganisationDirectory> directory_;
  std::shared_ptr<const AuthorisationStore> authorisations_;
  ResolverOptions options_;
};

}  // namespace kanta::registers
