#include "registers/authorisation_store.h"

#include <mutex>

namespace kanta::registers {
namespace {

// Applies version `item` to `series` (both kinds share the logic). An
// invalidation version carries no form content of its own (its body is
// emptied), so the series keeps the content of the version before it.
template <typename T>
bool Apply(std::map<std::string, Series<T>>& all, const T& item) {
  const std::string key = item.set_id.empty() ? item.id : item.set_id;
  auto [it, fresh] = all.try_emplace(key);
  Series<T>& s = it->second;
  if (!fresh && item.version <= s.latest_version) return false;
  s.latest_version = item.version;
  s.latest_id = item.id;
  if (item.invalidated) {
    s.invalidated = true;
    s.invalidated_by_version = item.version;
    s.invalidated_by_id = item.id;
    if (fresh) s.content = item;  // nothing earlier is known
  } else {
    s.content = item;
    s.invalidated = false;
    s.invalidated_by_version = 0;
    s.invalidated_by_id.clear();
  }
  return true;
}

}  // namespace

bool AuthorisationStore::Add(const OutsourcingAuthorisation& a) {
  std::unique_lock lock(mu_);
  return Apply(outsourcing_, a);
}

bool AuthorisationStore::Add(const RegisterAccessRight& r) {
  std::unique_lock lock(mu_);
  return Apply(rights_, r);
}

std::vector<OutsourcingSeries> AuthorisationStore::Outsourcing(std::string_view organiser,
                                                               std::string_view provider) const {
  std::shared_lock lock(mu_);
  std::vector<OutsourcingSeries> out;
  for (const auto& [key, s] : outsourcing_) {
    if (OidOf(s.content.organiser) == organiser && OidOf(s.content.provider) == provider) {
      out.push_back(s);
    }
  }
  return out;
}

std::vector<OutsourcingSeries> AuthorisationStore::OutsourcingForProvider(
    std::string_view provider) const {
  std::shared_lock lock(mu_);
  std::vector<OutsourcingSeries> out;
  for (const auto& [key, s] : outsourcing_) {
    if (OidOf(s.content.provider) == provider) out.push_back(s);
  }
  return out;
}

std::vector<AccessRightSeries> AuthorisationStore::AccessRights(
    std::string_view organiser, std::string_view provider_unit) const {
  std::shared_lock lock(mu_);
  std::vector<AccessRightSeries> out;
  for (const auto& [key, s] : rights_) {
    if (OidOf(s.content.organiser) == organiser && OidOf(s.content.provider_unit) == provider_unit) {
      out.push_back(s);
    }
  }
  return out;
}

std::vector<OutsourcingSeries> AuthorisationStore::AllOutsourcing() const {
  std::shared_lock lock(mu_);
  std::vector<OutsourcingSeries> out;
  for (const auto& [key, s] : outsourcing_) out.push_back(s);
  return out;
}

std::vector<AccessRightSeries> AuthorisationStore::AllAccessRights() const {
  std::shared_lock lock(mu_);
  std::vector<AccessRightSeries> out;
  for (const auto& [key, s] : rights_) out.push_back(s);
  return out;
}

}  // namespace kanta::registers
