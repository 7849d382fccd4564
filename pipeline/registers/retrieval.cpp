#include "registers/retrieval.h"

#include <algorithm>

namespace kanta::registers {

RetrievalCheck::RetrievalCheck(std::shared_ptr<const AuthorisationStore> authorisations,
                               std::shared_ptr<const OrganisationDirectory> directory,
                               std::string provider, std::string today,
                               std::function<std::string(const std::string&)> service_event)
    : authorisations_(std::move(authorisations)),
      directory_(std::move(directory)),
      provider_(std::move(provider)),
      today_(std::move(today)),
      service_event_(std::move(service_event)) {
  if (directory_ != nullptr) {
    if (const Organisation* o = directory_->Owner(provider_)) provider_custodian_ = o->custodian.oid;
  }
}

Visibility RetrievalCheck::Check(const RetrievalSubject& d) const {
  Visibility v;
  if (OidOf(d.producer) == provider_ ||
      (!provider_custodian_.empty() && OidOf(d.custodian) == provider_custodian_)) {
    v.visible = true;
    v.basis = "own";
    return v;
  }
  if (IsSocialWelfareRegisterSystem(d.register_system)) {
    // A right belongs to one of the provider's service units.
    const Organisation* org = directory_ != nullptr ? directory_->Owner(provider_) : nullptr;
    v.reason = "no register access right in force for this client";
    for (const AccessRightSeries& s : authorisations_->AllAccessRights()) {
      const RegisterAccessRight& r = s.content;
      const bool ours = OidOf(r.provider_unit) == provider_ ||
                        (org != nullptr && directory_->Owner(r.provider_unit) == org);
      if (!ours || s.invalidated || OidOf(r.custodian) != OidOf(d.custodian)) continue;
      if (r.client != d.patient) continue;
      if (!Covers(r.relationship, today_)) {
        v.reason = "the client relationship is not in force on " + DisplayDate(today_);
        continue;
      }
      v.visible = true;
      v.basis = r.id;
      return v;
    }
    return v;
  }

  v.reason = "no outsourcing authorisation in force grants retrieving from custodian " +
             std::string(OidOf(d.custodian)) + " register " + d.register_code;
  int closest = 0;
  auto miss = [&](int stage, std::string reason) {
    if (stage > closest) {
      closest = stage;
      v.reason = std::move(reason);
    }
  };
  for (const OutsourcingSeries& s : authorisations_->OutsourcingForProvider(provider_)) {
    const OutsourcingAuthorisation& a = s.content;
    const RegisterRight& r = a.retrieve;
    if (!r.granted || OidOf(r.custodian) != OidOf(d.custodian) || r.register_code != d.register_code ||
        (!r.specifier.empty() && r.specifier != d.specifier)) {
      continue;
    }
    if (s.invalidated) {
      miss(1, "the authorisation " + a.id + " was invalidated by version " +
                  std::to_string(s.invalidated_by_version));
      continue;
    }
    if (!Covers(a.validity, today_)) {
      miss(2, "the authorisation " + a.id + " is not in force on " + DisplayDate(today_));
      continue;
    }
    if (a.type != OutsourcingType::kRegisterSpecific && a.patient != d.patient) {
      miss(3, "the authorisation " + a.id + " is for another patient");
      continue;
    }
    bool in_scope = a.all_documents;
    if (!in_scope && (!a.disclosed_period.low.empty() || !a.disclosed_period.high.empty())) {
      in_scope = Covers(a.disclosed_period, d.document_time);
    }
    if (!in_scope && !a.disclosed_service_events.empty() && service_event_) {
      const std::string event = service_event_(d.id);
      in_scope = !event.empty() && std::find(a.disclosed_service_events.begin(),
                                             a.disclosed_service_events.end(),
                                             event) != a.disclosed_service_events.end();
    }
    if (!in_scope) {
      miss(4, "outside the disclosed scope of the authorisation " + a.id);
      continue;
    }
    v.visible = true;
    v.basis = a.id;
    v.reason.clear();
    return v;
  }
  return v;
}

}  // namespace kanta::registers
