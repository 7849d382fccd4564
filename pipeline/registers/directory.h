// OrganisationDirectory: the organisations, custodians, registers and service
// units the pipeline knows, read from a JSON file (--directory FILE).
//
// It stands in for the national code-service registers (SOTE organisation
// register, register-keeper register): which custodian keeps an
// organisation's records, which registers it keeps, its social-welfare phase,
// how it connects to Kanta and which service units it has. The file format is
// documented in docs/directory.md; the site policy for decisions the public
// sources leave open (RegisterPolicy) lives in the same file.
//
// Thread-safety: immutable after Load(); shared read-only by all workers.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace kanta::registers {

struct Custodian {
  std::string oid;
  std::string name;
  std::string type;  // "1" public, "2" private (1.2.246.537.5.40172.2008)
};

struct ServiceUnit {
  std::string oid;
  std::string name;
};

struct Connection {
  std::string model = "direct";  // "direct" | "joint" (through a host's system)
  std::string host;              // the host organisation's OID for "joint"
};

struct Organisation {
  std::string oid;
  std::string name;
  std::string kind;                              // "public" | "private" | "self-employed"
  Custodian custodian;
  std::vector<std::string> registers;            // health registers kept (1.2.246.537.5.40150.2009)
  std::vector<std::string> social_welfare_registers;  // social-welfare registers (1.2.246.537.6.1264)
  int social_welfare_phase = 0;                  // 0 = not on the Client Data Archive; 1 or 2
  Connection connection;
  std::vector<ServiceUnit> service_units;

  bool KeepsRegister(std::string_view code, bool social_welfare) const;
};

// Decisions the public sources leave open, configurable per site in the
// directory file's "policy" object (docs/registers.md).
struct RegisterPolicy {
  // Health registers whose documents need hl7fi:patientRegistrySpecifier (+name).
  std::vector<std::string> registers_needing_specifier = {"4"};
  // Document group (1.2.246.537.6.1505) of a client-relationship document.
  std::string client_relationship_group = "asiakkuus";
  // A phase-1 provider storing under a phase-2 organiser's register access
  // right: accepted with a warning (partial implementation) when true.
  bool accept_phase1_provider = true;
  // Health registers an organisation may keep without listing them: the
  // archive-document register 13 (OSVA and other archive documents).
  std::vector<std::string> implicit_registers = {"13"};

  bool NeedsSpecifier(std::string_view register_code) const;
};

class OrganisationDirectory {
 public:
  // Reads and checks `path`. Fails with InvalidArgument naming the entry and
  // field when the file is not the documented JSON (missing oid, unknown
  // kind, a service unit listed twice, a joint connection without a host...).
  static Result<std::shared_ptr<const OrganisationDirectory>> Load(const std::string& path);
  // The same from JSON text (`name` is used in messages).
  static Result<std::shared_ptr<const OrganisationDirectory>> Parse(std::string_view json,
                                                                    std::string_view name);

  // The organisation with this OID, or nullptr.
  const Organisation* Find(std::string_view oid) const;
  // The organisation owning this OID: the organisation itself, or the one a
  // service unit belongs to. nullptr when unknown.
  const Organisation* Owner(std::string_view oid) const;
  // The service unit with this OID, or nullptr.
  const ServiceUnit* Unit(std::string_view oid) const;
  // The organisation whose custodian has this OID (the first listed), or nullptr.
  const Organisation* ByCustodian(std::string_view custodian_oid) const;

  const std::vector<Organisation>& organisations() const { return organisations_; }
  const RegisterPolicy& policy() const { return policy_; }

 private:
  std::vector<Organisation> organisations_;
  std::map<std::string, std::size_t, std::less<>> by_oid_;        // organisation OIDs
  std::map<std::string, std::pair<std::size_t, std::size_t>, std::less<>> by_unit_;  // unit OID -> (org, unit)
  std::map<std::string, std::size_t, std::less<>> by_custodian_;
  RegisterPolicy policy_;
};

// The OID part of an instance id "root^extension" (everything before '^').
std::string_view OidOf(std::string_view instance_id);

}  // namespace kanta::registers
