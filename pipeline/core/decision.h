// Decision: where a document goes, and on what basis (ingest only).
//
// The resolve stage fills in the register the document belongs to and the
// authorisation that proves it (or why there is none); the route stage adds
// what finally happened. Reports carry it so users see, per document, the
// register it landed in and why, or why it was refused.
#pragma once

#include <string>
#include <string_view>

namespace kanta {

enum class Action {
  kPending,      // resolved, not yet routed
  kStored,       // written to the archive now
  kDuplicate,    // the same document was already stored; nothing written
  kRefused,      // no valid basis (or a conflict); kept in quarantine with the report
  kQuarantined,  // invalid or unreadable; kept in quarantine with the report
  kDeferred,     // waits for a document of the same batch (its predecessor); retried
};

std::string_view ActionName(Action a);  // "pending", "stored", "duplicate", "refused", "quarantined", "deferred"

struct Decision {
  Action action = Action::kPending;
  // The register the document belongs to (after stamping, what its header says).
  std::string custodian;        // register keeper OID
  std::string custodian_name;
  std::string custodian_type;   // "1" public, "2" private (1.2.246.537.5.40172.2008)
  std::string register_code;    // e.g. "2" (health 1.2.246.537.5.40150.2009) or a social-welfare code
  std::string register_system;  // the register code system
  std::string specifier;        // register specifier "root^extension", or ""
  std::string specifier_name;
  std::string organiser;        // service organiser OID when the document is outsourced, else ""
  std::string organiser_name;
  // Why: "own", "outsourcing-authorisation" or "register-access-right", and
  // the id of the authorising document ("" for own).
  std::string basis_kind;
  std::string basis_document;
  // Refused or quarantined: the rule id and the one-line reason.
  std::string rule;
  std::string reason;
  // A duplicate found by its input bytes before it was parsed (ingest's
  // already-stored stage): nothing else was done to it.
  bool stored_before = false;
};

}  // namespace kanta
