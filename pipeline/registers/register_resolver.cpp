#include "registers/register_resolver.h"

#include <algorithm>

#include "formats/cda/header_facts.h"
#include "xml/xml_tree.h"

namespace kanta::registers {
namespace {

using formats::cda::InstanceId;
using xml::Attribute;
using xml::FirstChild;
using xml::kHl7FiNs;
using xml::kHl7V3Ns;

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

// A candidate authorisation's verdict: how far it got through the checks
// (a higher stage is a closer miss, reported when nothing matches).
struct Check {
  int stage = 0;
  std::string rule;
  std::string reason;
};

// The first check an authorisation series fails when its latest version
// invalidated it (outsourcing authorisations and client relationships alike).
template <typename Series>
Check Invalidated(const Series& series, const std::string& name) {
  return {1, "route.authorisation-invalidated",
          "the " + name + " was invalidated by version " +
              std::to_string(series.invalidated_by_version) + " (" + series.invalidated_by_id +
              ")"};
}

class Resolver {
 public:
  Resolver(const OrganisationDirectory& dir, const AuthorisationStore& store,
           const ResolverOptions& options, const Subject& s, const PlacementLookup& lookup)
      : dir_(dir), store_(store), options_(options), s_(s), lookup_(lookup) {}

  // Decides; a document that would be refused but is already stored is a
  // duplicate instead (a re-run must not refuse what it stored before). The
  // archive is asked only then: for a new document, storing it is what
  // tells a duplicate (RouteStage), so the common case costs no lookup.
  Result<Resolution> Run() {
    ASSIGN_OR_RETURN(Resolution r, Decide());
    if (r.decision.action != Action::kRefused || s_.id.empty()) return r;
    ASSIGN_OR_RETURN(std::optional<StoredPlacement> stored, lookup_.Find(s_.id));
    if (!stored) return r;
    resolution_ = Resolution{};
    return AlreadyStored(*stored);
  }

 private:
  Result<Resolution> Decide() {
    if (s_.id.empty()) {
      return Refuse("route.no-id", "the document has no id (ClinicalDocument/id/@root): it cannot be stored or referred to");
    }
    social_ = IsSocialWelfareRegisterSystem(s_.register_system);
    if (!social_ && s_.register_system != kHealthRegisterSystem) {
      return Refuse("route.not-a-register-document",
                    "ClinicalDocument/code is in code system '" + s_.register_system +
                        "', not a register: only patient-register documents (" +
                        std::string(kHealthRegisterSystem) + ") and social-welfare documents (" +
                        std::string(kSocialWelfareRegisterSystem) +
                        ") are archived (e-prescriptions go to the Prescription Centre)");
    }
    if (s_.producer.empty()) {
      return Refuse("route.no-producer",
                    "the producer is not named: neither componentOf/encompassingEncounter/"
                    "responsibleParty nor the first author has a representedOrganization/id");
    }
    producer_ = dir_.Owner(s_.producer);
    if (producer_ == nullptr) {
      return Refuse("route.unknown-organisation",
                    "the producer " + std::string(OidOf(s_.producer)) +
                        " is not in the organisation directory");
    }
    if (!s_.service_unit.empty() && dir_.Owner(s_.service_unit) == nullptr) {
      Note(social_ ? Severity::kError : Severity::kWarning, "route.unknown-service-unit",
           "the service unit " + std::string(OidOf(s_.service_unit)) +
               " (encompassingEncounter/location) is not in the organisation directory");
      if (social_) {
        return Refuse("route.unknown-organisation",
                      "the provider's service unit " + std::string(OidOf(s_.service_unit)) +
                          " is not in the organisation directory");
      }
    }

    ASSIGN_OR_RETURN(bool chain_ok, CheckVersionChain());
    if (!chain_ok || !FindOrganiser()) return resolution_;
    if (organiser_ == nullptr) return Own();
    return social_ ? ByAccessRight() : ByOutsourcing();
  }

  Resolution Refuse(std::string rule, std::string reason) {
    resolution_.decision.action = Action::kRefused;
    resolution_.decision.rule = std::move(rule);
    resolution_.decision.reason = std::move(reason);
    return resolution_;
  }

  void Note(Severity severity, std::string rule, std::string message) {
    resolution_.notes.push_back({severity, std::move(rule), std::move(message)});
  }

  std::string Describe(const Organisation& o) const { return o.oid + " (" + o.name + ")"; }

  Resolution AlreadyStored(const StoredPlacement& p) {
    PlaceAsDuplicate(p, resolution_.decision);
    return resolution_;
  }

  // Version n+1 needs version n, in the same set, and nothing newer stored.
  Result<bool> CheckVersionChain() {
    const int v = s_.version;
    if (s_.replaces.empty() && v <= 1) return true;
    if (s_.replaces.empty()) {
      Refuse("route.version-gap", "version " + std::to_string(v) +
                                      " has no relatedDocument typeCode=\"RPLC\" naming the "
                                      "version it replaces");
      return false;
    }
    ASSIGN_OR_RETURN(predecessor_, lookup_.Find(s_.replaces));
    if (!predecessor_) {
      Refuse("route.predecessor-missing",
             "version " + std::to_string(v) + " replaces " + s_.replaces +
                 ", which is not in the archive: version " + std::to_string(v - 1) +
                 " must be stored first");
      return false;
    }
    if (predecessor_->set_id != s_.set_id) {
      Refuse("route.version-gap", "the replaced document " + s_.replaces + " belongs to set " +
                                      predecessor_->set_id + ", this one to set " + s_.set_id);
      return false;
    }
    if (predecessor_->version != v - 1) {
      Refuse("route.version-gap", "version " + std::to_string(v) + " replaces " + s_.replaces +
                                      ", which is version " +
                                      std::to_string(predecessor_->version) + "; it must replace version " +
                                      std::to_string(v - 1));
      return false;
    }
    ASSIGN_OR_RETURN(int latest, lookup_.LatestVersion(s_.set_id));
    if (latest >= v) {
      Refuse("route.superseded", "version " + std::to_string(latest) + " of set " + s_.set_id +
                                     " is already stored; version " + std::to_string(v) +
                                     " cannot replace version " + std::to_string(v - 1));
      return false;
    }
    return true;
  }

  // Sets organiser_ (nullptr: the producer's own document). False when the
  // document was refused on the way.
  bool FindOrganiser() {
    std::string oid(OidOf(s_.organiser));
    std::string from = "hl7fi:outsourcingServiceCustomer";
    const std::string own_custodian = producer_->custodian.oid;
    auto by_custodian = [&](const std::string& custodian, const std::string& where) {
      const Organisation* keeper = dir_.ByCustodian(custodian);
      if (keeper == nullptr) {
        Refuse("route.unknown-organisation",
               "the custodian " + custodian + " (" + where + ") is not in the organisation directory");
        return false;
      }
      oid = keeper->oid;
      from = where;
      return true;
    };
    if (oid.empty() && !s_.custodian.empty() && OidOf(s_.custodian) != own_custodian) {
      if (!by_custodian(std::string(OidOf(s_.custodian)), "the document's custodian")) return false;
    }
    if (oid.empty() && predecessor_ && predecessor_->custodian != own_custodian) {
      if (!by_custodian(predecessor_->custodian, "the custodian of the replaced version")) {
        return false;
      }
    }
    if (oid.empty() && !options_.batch_organiser.empty()) {
      oid = options_.batch_organiser;
      from = "--organiser";
    }
    if (oid.empty()) return true;
    organiser_ = dir_.Owner(oid);
    if (organiser_ == nullptr) {
      Refuse("route.unknown-organisation",
             "the organiser " + oid + " (" + from + ") is not in the organisation directory");
      return false;
    }
    if (organiser_ == producer_) organiser_ = nullptr;  // its own document
    return true;
  }

  // Fills the register part of the decision; a replacement takes its
  // predecessor's register whatever the new version says.
  void Place(const std::string& custodian, const std::string& register_code,
             const std::string& register_system, const std::string& specifier,
             const std::string& specifier_name) {
    Decision& d = resolution_.decision;
    d.action = Action::kPending;
    d.custodian = custodian;
    d.register_code = register_code;
    d.register_system = register_system;
    d.specifier = specifier;
    d.specifier_name = specifier_name;
    if (predecessor_) {
      d.custodian = predecessor_->custodian;
      d.register_code = predecessor_->register_code;
      d.register_system = predecessor_->register_system;
      d.specifier = predecessor_->specifier;
      d.specifier_name = predecessor_->specifier_name;
    }
    if (const Organisation* keeper = dir_.ByCustodian(d.custodian)) {
      d.custodian_name = keeper->custodian.name;
      d.custodian_type = keeper->custodian.type;
    }
    if (organiser_ != nullptr) {
      d.organiser = organiser_->oid;
      d.organiser_name = organiser_->name;
    }
  }

  bool SpecifierMissing(const std::string& register_code, const std::string& specifier) {
    if (social_ || !dir_.policy().NeedsSpecifier(register_code) || !specifier.empty()) return false;
    Refuse("route.specifier-missing", "register " + register_code +
                                          " needs a register specifier "
                                          "(hl7fi:patientRegistrySpecifier and its name)");
    return true;
  }

  Result<Resolution> Own() {
    const std::string code = predecessor_ ? predecessor_->register_code : s_.register_code;
    const auto& implicit = dir_.policy().implicit_registers;
    const bool implicit_ok =
        !social_ && std::find(implicit.begin(), implicit.end(), code) != implicit.end();
    if (!producer_->KeepsRegister(code, social_) && !implicit_ok) {
      return Refuse("route.register-not-kept",
                    "the document is for " + std::string(social_ ? "social-welfare " : "") +
                        "register " + code + ", but the producer " + Describe(*producer_) +
                        " keeps registers: " +
                        Join(social_ ? producer_->social_welfare_registers : producer_->registers));
    }
    if (!predecessor_ && SpecifierMissing(code, s_.specifier)) return resolution_;
    Place(producer_->custodian.oid, s_.register_code, s_.register_system, s_.specifier,
          s_.specifier_name);
    resolution_.decision.basis_kind = "own";
    return resolution_;
  }

  // The closest miss among `checks` (all failed).
  Resolution RefuseClosest(const std::vector<Check>& checks) {
    const Check* best = &checks.front();
    for (const Check& c : checks) {
      if (c.stage > best->stage) best = &c;
    }
    return Refuse(best->rule, best->reason);
  }

  Check Validity(const Period& p, const std::string& what, int stage) {
    Check c;
    c.stage = stage;
    if (s_.document_time.size() < 8) {
      c.rule = "route.no-document-time";
      c.reason = "the document has no effectiveTime to check against the " + what;
      return c;
    }
    const std::string day = s_.document_time.substr(0, 8);
    if (!p.low.empty() && day < p.low.substr(0, 8)) {
      c.rule = "route.authorisation-not-yet-valid";
      c.reason = "the " + what + " is valid from " + DisplayDate(p.low) +
                 (p.high.empty() ? "" : " to " + DisplayDate(p.high)) + "; the document is dated " +
                 DisplayDate(day);
    } else if (!p.high.empty() && day > p.high.substr(0, 8)) {
      c.rule = "route.authorisation-expired";
      c.reason = "the " + what + " expired on " + DisplayDate(p.high) +
                 (p.low.empty() ? "" : " (valid from " + DisplayDate(p.low) + ")") +
                 "; the document is dated " + DisplayDate(day);
    }
    return c;
  }

  Result<Resolution> ByOutsourcing() {
    std::vector<OutsourcingSeries> found = store_.Outsourcing(organiser_->oid, producer_->oid);
    if (OidOf(s_.producer) != producer_->oid) {
      for (OutsourcingSeries& s : store_.Outsourcing(organiser_->oid, OidOf(s_.producer))) {
        found.push_back(std::move(s));
      }
    }
    if (found.empty()) {
      return Refuse("route.no-authorisation",
                    "no outsourcing authorisation from the organiser " + Describe(*organiser_) +
                        " to the provider " + Describe(*producer_) +
                        " is held; the organiser must make one (form 362) before the provider "
                        "stores into its register");
    }
    std::vector<Check> checks;
    for (const OutsourcingSeries& series : found) {
      const OutsourcingAuthorisation& a = series.content;
      const std::string name = "outsourcing authorisation " + a.id;
      if (series.invalidated) {
        checks.push_back(Invalidated(series, name));
        continue;
      }
      Check time = Validity(a.validity, name, 2);
      if (!time.rule.empty()) {
        checks.push_back(std::move(time));
        continue;
      }
      if (a.type != OutsourcingType::kRegisterSpecific && a.patient != s_.patient) {
        checks.push_back({3, "route.patient-not-covered",
                          "the " + name + " is patient-specific for " +
                              (a.patient.empty() ? std::string("no named patient") : a.patient) +
                              "; this document's patient is " + s_.patient});
        continue;
      }
      if (!a.store.granted || a.store.register_code.empty()) {
        checks.push_back({4, "route.no-store-right",
                          "the " + name + " grants no right to store into the organiser's register"});
        continue;
      }
      if (!a.store.custodian.empty() && OidOf(a.store.custodian) != organiser_->custodian.oid) {
        checks.push_back({4, "route.no-store-right",
                          "the " + name + " grants storing into custodian " + a.store.custodian +
                              ", not the organiser's custodian " + organiser_->custodian.oid});
        continue;
      }
      if (SpecifierMissing(a.store.register_code, a.store.specifier)) return resolution_;
      Place(a.store.custodian.empty() ? organiser_->custodian.oid : std::string(OidOf(a.store.custodian)),
            a.store.register_code, std::string(kHealthRegisterSystem), a.store.specifier,
            a.store.specifier_name);
      resolution_.decision.basis_kind = "outsourcing-authorisation";
      resolution_.decision.basis_document = a.id;
      return resolution_;
    }
    return RefuseClosest(checks);
  }

  Result<Resolution> ByAccessRight() {
    if (organiser_->social_welfare_phase != 2) {
      return Refuse("route.phase-mismatch",
                    "the organiser " + Describe(*organiser_) +
                        (organiser_->social_welfare_phase == 0
                             ? " has not joined the Client Data Archive"
                             : " has phase-1 functionality only") +
                        "; a register access right needs phase-2 functionality at the organiser");
    }
    if (producer_->social_welfare_phase == 0) {
      return Refuse("route.phase-mismatch", "the provider " + Describe(*producer_) +
                                                " has not joined the Client Data Archive");
    }
    if (producer_->social_welfare_phase == 1) {
      if (!dir_.policy().accept_phase1_provider) {
        return Refuse("route.phase-mismatch",
                      "the provider " + Describe(*producer_) +
                          " has phase-1 functionality only, and this site does not accept "
                          "phase-1 providers (policy acceptPhase1Provider)");
      }
      Note(Severity::kWarning, "route.partial-implementation",
           "the provider " + Describe(*producer_) +
               " has phase-1 functionality only: a partial implementation of the register "
               "access right (the organiser has phase 2)");
    }
    std::string unit(OidOf(s_.service_unit));
    if (unit.empty() && dir_.Unit(s_.producer) != nullptr) unit = OidOf(s_.producer);
    if (unit.empty()) {
      return Refuse("route.no-service-unit",
                    "a provider's social-welfare document must name the provider's service unit "
                    "(encompassingEncounter/location/healthCareFacility/serviceProviderOrganization/id)");
    }
    const std::vector<AccessRightSeries> found = store_.AccessRights(organiser_->oid, unit);
    if (found.empty()) {
      return Refuse("route.no-authorisation",
                    "no register access right: the organiser " + Describe(*organiser_) +
                        " has not recorded the service unit " + unit +
                        " on a client-relationship document");
    }
    std::vector<Check> checks;
    for (const AccessRightSeries& series : found) {
      const RegisterAccessRight& r = series.content;
      const std::string name = "client relationship " + r.id;
      if (series.invalidated) {
        checks.push_back(Invalidated(series, name));
        continue;
      }
      if (r.client != s_.patient) {
        checks.push_back({2, "route.patient-not-covered",
                          "the " + name + " is for the client " + r.client +
                              "; this document's client is " + s_.patient});
        continue;
      }
      Check time = Validity(r.relationship, name, 3);
      if (!time.rule.empty()) {
        checks.push_back(std::move(time));
        continue;
      }
      Place(std::string(OidOf(r.custodian)), r.register_code, r.register_system, "", "");
      resolution_.decision.basis_kind = "register-access-right";
      resolution_.decision.basis_document = r.id;
      return resolution_;
    }
    return RefuseClosest(checks);
  }

  const OrganisationDirectory& dir_;
  const AuthorisationStore& store_;
  const ResolverOptions& options_;
  const Subject& s_;
  const PlacementLookup& lookup_;
  bool social_ = false;
  const Organisation* producer_ = nullptr;
  const Organisation* organiser_ = nullptr;
  std::optional<StoredPlacement> predecessor_;
  Resolution resolution_;
};

}  // namespace

void PlaceAsDuplicate(const StoredPlacement& p, Decision& d) {
  d.action = Action::kDuplicate;
  d.custodian = p.custodian;
  d.custodian_name = p.custodian_name;
  d.register_code = p.register_code;
  d.register_system = p.register_system;
  d.specifier = p.specifier;
  d.specifier_name = p.specifier_name;
  d.organiser = p.organiser;
  d.basis_kind = p.basis_kind;
  d.basis_document = p.basis_document;
}

Subject ReadSubject(const xmlNode* doc, const HeaderFacts& facts, const RegisterPolicy& policy) {
  Subject s;
  s.id = facts.id;
  s.set_id = facts.set_id;
  s.version = VersionOf(doc);
  s.patient = facts.patient;
  s.custodian = facts.custodian;
  s.producer = facts.producer;
  s.organiser = facts.organiser;
  s.register_code = facts.register_code;
  s.register_system = facts.register_code_system;
  s.document_time = facts.document_time;
  const xmlNode* local = FirstChild(doc, kHl7FiNs, "localHeader");
  s.specifier = InstanceId(FirstChild(local, kHl7FiNs, "patientRegistrySpecifier"));
  s.specifier_name = xml::TrimmedText(FirstChild(local, kHl7FiNs, "patientRegistrySpecifierName"));
  s.service_unit = InstanceId(xml::V3Path(doc, {"componentOf", "encompassingEncounter", "location",
                                         "healthCareFacility", "serviceProviderOrganization", "id"}));
  for (const xmlNode* c = doc->children; c != nullptr; c = c->next) {
    if (xml::IsElement(c, kHl7V3Ns, "relatedDocument") && Attribute(c, "typeCode") == "RPLC") {
      s.replaces = InstanceId(xml::V3Path(c, {"parentDocument", "id"}));
      break;
    }
  }
  s.form = FormOf(doc, policy);
  return s;
}

RegisterResolver::RegisterResolver(std::shared_ptr<const OrganisationDirectory> directory,
                                   std::shared_ptr<const AuthorisationStore> authorisations,
                                   ResolverOptions options)
    : directory_(std::move(directory)),
      authorisations_(std::move(authorisations)),
      options_(std::move(options)) {}

Result<Resolution> RegisterResolver::Resolve(const Subject& subject,
                                             const PlacementLookup& lookup) const {
  return Resolver(*directory_, *authorisations_, options_, subject, lookup).Run();
}

}  // namespace kanta::registers
