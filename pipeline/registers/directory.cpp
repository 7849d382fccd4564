#include "registers/directory.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace kanta::registers {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Poco::JSON throws; every access to the parsed tree goes through these.
Result<std::string> Text(const Object::Ptr& o, const std::string& key, bool required,
                         const std::string& where) {
  if (!o->has(key) || o->isNull(key)) {
    if (required) return InvalidArgument(where + ": \"" + key + "\" is missing");
    return std::string();
  }
  const Poco::Dynamic::Var v = o->get(key);
  if (!v.isString()) return InvalidArgument(where + ": \"" + key + "\" must be a string");
  return v.extract<std::string>();
}

Result<std::vector<std::string>> TextList(const Object::Ptr& o, const std::string& key,
                                          const std::string& where) {
  std::vector<std::string> out;
  if (!o->has(key)) return out;
  Array::Ptr a = o->getArray(key);
  if (a.isNull()) return InvalidArgument(where + ": \"" + key + "\" must be an array of strings");
  for (std::size_t i = 0; i < a->size(); ++i) {
    const Poco::Dynamic::Var v = a->get(i);
    if (!v.isString()) {
      return InvalidArgument(where + ": \"" + key + "\"[" + std::to_string(i) +
                             "] must be a string");
    }
    out.push_back(v.extract<std::string>());
  }
  return out;
}

Result<Organisation> ReadOrganisation(const Object::Ptr& o, const std::string& where) {
  Organisation org;
  ASSIGN_OR_RETURN(org.oid, Text(o, "oid", true, where));
  const std::string at = where + " (" + org.oid + ")";
  ASSIGN_OR_RETURN(org.name, Text(o, "name", true, at));
  ASSIGN_OR_RETURN(org.kind, Text(o, "kind", true, at));
  if (org.kind != "public" && org.kind != "private" && org.kind != "self-employed") {
    return InvalidArgument(at + ": \"kind\" is '" + org.kind +
                           "'; expected public, private or self-employed");
  }
  Object::Ptr c = o->getObject("custodian");
  if (c.isNull()) return InvalidArgument(at + ": \"custodian\" object is missing");
  ASSIGN_OR_RETURN(org.custodian.oid, Text(c, "oid", true, at + " custodian"));
  ASSIGN_OR_RETURN(org.custodian.name, Text(c, "name", true, at + " custodian"));
  ASSIGN_OR_RETURN(org.custodian.type, Text(c, "type", false, at + " custodian"));
  if (org.custodian.type.empty()) org.custodian.type = org.kind == "public" ? "1" : "2";
  if (org.custodian.type != "1" && org.custodian.type != "2") {
    return InvalidArgument(at + ": custodian \"type\" is '" + org.custodian.type +
                           "'; expected \"1\" (public) or \"2\" (private)");
  }
  ASSIGN_OR_RETURN(org.registers, TextList(o, "registers", at));
  ASSIGN_OR_RETURN(org.social_welfare_registers, TextList(o, "socialWelfareRegisters", at));
  if (o->has("socialWelfarePhase")) {
    const Poco::Dynamic::Var v = o->get("socialWelfarePhase");
    if (!v.isInteger() || (v.convert<int>() != 1 && v.convert<int>() != 2)) {
      return InvalidArgument(at + ": \"socialWelfarePhase\" must be 1 or 2");
    }
    org.social_welfare_phase = v.convert<int>();
  }
  if (o->has("connection")) {
    Object::Ptr k = o->getObject("connection");
    if (k.isNull()) return InvalidArgument(at + ": \"connection\" must be an object");
    ASSIGN_OR_RETURN(org.connection.model, Text(k, "model", true, at + " connection"));
    ASSIGN_OR_RETURN(org.connection.host, Text(k, "host", false, at + " connection"));
    if (org.connection.model != "direct" && org.connection.model != "joint") {
      return InvalidArgument(at + ": connection \"model\" is '" + org.connection.model +
                             "'; expected direct or joint");
    }
    if (org.connection.model == "joint" && org.connection.host.empty()) {
      return InvalidArgument(at + ": a joint connection needs the \"host\" organisation's OID");
    }
  }
  if (o->has("serviceUnits")) {
    Array::Ptr units = o->getArray("serviceUnits");
    if (units.isNull()) return InvalidArgument(at + ": \"serviceUnits\" must be an array");
    for (std::size_t i = 0; i < units->size(); ++i) {
      Object::Ptr u = units->getObject(i);
      const std::string uat = at + " serviceUnits[" + std::to_string(i) + "]";
      if (u.isNull()) return InvalidArgument(uat + " must be an object");
      ServiceUnit unit;
      ASSIGN_OR_RETURN(unit.oid, Text(u, "oid", true, uat));
      ASSIGN_OR_RETURN(unit.name, Text(u, "name", true, uat));
      org.service_units.push_back(std::move(unit));
    }
  }
  return org;
}

Status ReadPolicy(const Object::Ptr& p, RegisterPolicy& policy) {
  const std::string at = "policy";
  if (p->has("registersNeedingSpecifier")) {
    ASSIGN_OR_RETURN(policy.registers_needing_specifier,
                     TextList(p, "registersNeedingSpecifier", at));
  }
  if (p->has("implicitRegisters")) {
    ASSIGN_OR_RETURN(policy.implicit_registers, TextList(p, "implicitRegisters", at));
  }
  if (p->has("clientRelationshipGroup")) {
    ASSIGN_OR_RETURN(policy.client_relationship_group,
                     Text(p, "clientRelationshipGroup", true, at));
  }
  if (p->has("acceptPhase1Provider")) {
    const Poco::Dynamic::Var v = p->get("acceptPhase1Provider");
    if (!v.isBoolean()) return InvalidArgument("policy: \"acceptPhase1Provider\" must be true or false");
    policy.accept_phase1_provider = v.convert<bool>();
  }
  return Status::Ok();
}

}  // namespace

bool Organisation::KeepsRegister(std::string_view code, bool social_welfare) const {
  return Contains(social_welfare ? social_welfare_registers : registers, code);
}

bool RegisterPolicy::NeedsSpecifier(std::string_view register_code) const {
  return Contains(registers_needing_specifier, register_code);
}

std::string_view OidOf(std::string_view instance_id) {
  return instance_id.substr(0, instance_id.find('^'));
}

Result<std::shared_ptr<const OrganisationDirectory>> OrganisationDirectory::Load(
    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("the organisation directory " + path + " cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

Result<std::shared_ptr<const OrganisationDirectory>> OrganisationDirectory::Parse(
    std::string_view json, std::string_view name) {
  auto dir = std::make_shared<OrganisationDirectory>();
  const std::string where(name);
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var root = parser.parse(std::string(json));
    Object::Ptr top = root.extract<Object::Ptr>();
    Array::Ptr orgs = top->getArray("organisations");
    if (orgs.isNull()) {
      return InvalidArgument(where + ": the top-level \"organisations\" array is missing");
    }
    for (std::size_t i = 0; i < orgs->size(); ++i) {
      Object::Ptr o = orgs->getObject(i);
      const std::string at = where + ": organisations[" + std::to_string(i) + "]";
      if (o.isNull()) return InvalidArgument(at + " must be an object");
      ASSIGN_OR_RETURN(Organisation org, ReadOrganisation(o, at));
      dir->organisations_.push_back(std::move(org));
    }
    if (top->has("policy")) {
      Object::Ptr p = top->getObject("policy");
      if (p.isNull()) return InvalidArgument(where + ": \"policy\" must be an object");
      RETURN_IF_ERROR(ReadPolicy(p, dir->policy_).WithContext(where));
    }
  } catch (const Poco::Exception& e) {
    return InvalidArgument(where + ": not valid JSON: " + e.displayText());
  } catch (const std::exception& e) {
    return InvalidArgument(where + ": not valid JSON: " + e.what());
  }

  for (std::size_t i = 0; i < dir->organisations_.size(); ++i) {
    const Organisation& org = dir->organisations_[i];
    if (!dir->by_oid_.emplace(org.oid, i).second || dir->by_unit_.count(org.oid) != 0) {
      return InvalidArgument(where + ": the OID " + org.oid + " is listed twice");
    }
    dir->by_custodian_.emplace(org.custodian.oid, i);
    for (std::size_t u = 0; u < org.service_units.size(); ++u) {
      const std::string& unit = org.service_units[u].oid;
      if (dir->by_oid_.count(unit) != 0 || !dir->by_unit_.emplace(unit, std::make_pair(i, u)).second) {
        return InvalidArgument(where + ": the OID " + unit + " is listed twice");
      }
    }
  }
  for (const Organisation& org : dir->organisations_) {
    if (org.connection.model == "joint" && dir->Find(org.connection.host) == nullptr) {
      return InvalidArgument(where + ": " + org.oid + " connects through host " +
                             org.connection.host + ", which the directory does not list");
    }
  }
  return std::shared_ptr<const OrganisationDirectory>(std::move(dir));
}

const Organisation* OrganisationDirectory::Find(std::string_view oid) const {
  auto it = by_oid_.find(OidOf(oid));
  return it == by_oid_.end() ? nullptr : &organisations_[it->second];
}

const Organisation* OrganisationDirectory::Owner(std::string_view oid) const {
  if (const Organisation* o = Find(oid)) return o;
  auto it = by_unit_.find(OidOf(oid));
  return it == by_unit_.end() ? nullptr : &organisations_[it->second.first];
}

const ServiceUnit* OrganisationDirectory::Unit(std::string_view oid) const {
  auto it = by_unit_.find(OidOf(oid));
  if (it == by_unit_.end()) return nullptr;
  return &organisations_[it->second.first].service_units[it->second.second];
}

const Organisation* OrganisationDirectory::ByCustodian(std::string_view custodian_oid) const {
  auto it = by_custodian_.find(OidOf(custodian_oid));
  return it == by_custodian_.end() ? nullptr : &organisations_[it->second];
}

}  // namespace kanta::registers
