#include "route/archive_lookup.h"

#include "registers/authorisation.h"
#include "xml/secure_parser.h"

namespace kanta::route {

registers::StoredPlacement PlacementOf(const archive::DocumentRecord& r) {
  registers::StoredPlacement p;
  p.id = r.id;
  p.set_id = r.set_id;
  p.version = r.version;
  p.custodian = r.custodian;
  p.custodian_name = r.custodian_name;
  p.register_code = r.register_code;
  p.register_system = r.register_system;
  p.specifier = r.specifier;
  p.specifier_name = r.specifier_name;
  p.organiser = r.organiser;
  p.basis_kind = r.basis.kind;
  p.basis_document = r.basis.document;
  return p;
}

Result<std::optional<registers::StoredPlacement>> ArchiveLookup::Find(std::string_view id) const {
  ASSIGN_OR_RETURN(std::optional<archive::DocumentRecord> r, archive_->Find(id));
  if (!r) return std::optional<registers::StoredPlacement>();
  return std::optional<registers::StoredPlacement>(PlacementOf(*r));
}

Result<int> ArchiveLookup::LatestVersion(std::string_view set_id) const {
  return archive_->LatestVersion(set_id);
}

Status LoadAuthorisations(archive::Archive& archive, const registers::RegisterPolicy& policy,
                          registers::AuthorisationStore& store) {
  // Stored documents passed every check when they came in; they are parsed
  // with the same secure parser all the same (the database is outside us).
  const xml::SecureParser parser;
  for (const char* form : {"osva", "client-relationship"}) {
    archive::DocumentQuery q;
    q.form = form;
    ASSIGN_OR_RETURN(std::vector<archive::DocumentRecord> records, archive.List(q));
    for (const archive::DocumentRecord& r : records) {
      ASSIGN_OR_RETURN(std::optional<std::string> bytes, archive.Bytes(r.id));
      if (!bytes) return DataLoss("the archive lists " + r.id + " but has no bytes for it");
      Report scratch;
      ASSIGN_OR_RETURN(std::unique_ptr<xml::XmlTree> tree,
                       parser.Parse(*bytes, r.id, "archive", scratch));
      if (tree == nullptr) {
        return DataLoss("the stored authorisation document " + r.id + " cannot be parsed");
      }
      const xmlNode* root = tree->root();
      switch (registers::FormOf(root, policy)) {
        case registers::AuthorisationForm::kOutsourcing:
          store.Add(registers::ReadOutsourcingAuthorisation(root));
          break;
        case registers::AuthorisationForm::kClientRelationship:
          store.Add(registers::ReadRegisterAccessRight(root));
          break;
        case registers::AuthorisationForm::kNone:
          break;
      }
    }
  }
  return Status::Ok();
}

}  // namespace kanta::route
