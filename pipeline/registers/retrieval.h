// RetrievalCheck: what a provider may read from a register (archive --as).
//
// Kanta lets a provider read an organiser's register only as far as an
// outsourcing authorisation in force grants: a retrieve right naming that
// custodian, register (and specifier), the patient for a patient-specific
// authorisation, and the disclosed scope (all documents, a period, or listed
// service events). In social welfare, a register access right in force lets
// the provider's service unit use the organiser's register for that client.
// A provider always sees its own documents.
//
// Thread-safety: immutable; Check() may run concurrently.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "registers/authorisation_store.h"
#include "registers/directory.h"

namespace kanta::registers {

// The stored document being asked about.
struct RetrievalSubject {
  std::string id;
  std::string custodian;
  std::string register_code;
  std::string register_system;
  std::string specifier;
  std::string patient;
  std::string producer;
  std::string document_time;
};

struct Visibility {
  bool visible = false;
  std::string basis;   // "own", or the authorising document's id
  std::string reason;  // why not, one line; no personal data
};

class RetrievalCheck {
 public:
  // `provider`: the reading organisation's OID; `today`: the date (YYYYMMDD)
  // an authorisation must be in force on; `service_event`: reads a stored
  // document's service-event id, needed only for scopes listing service
  // events. `directory` may be null (then only the producer tells "own").
  RetrievalCheck(std::shared_ptr<const AuthorisationStore> authorisations,
                 std::shared_ptr<const OrganisationDirectory> directory, std::string provider,
                 std::string today, std::function<std::string(const std::string& id)> service_event);

  Visibility Check(const RetrievalSubject& doc) const;

 private:
  std::shared_ptr<const AuthorisationStore> authorisations_;
  std::shared_ptr<const OrganisationDirectory> directory_;
  std::string provider_;
  std::string provider_custodian_;
  std::string today_;
  std::function<std::string(const std::string&)> service_event_;
};

}  // namespace kanta::registers
