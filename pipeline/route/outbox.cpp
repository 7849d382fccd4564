#include "route/outbox.h"

#include <filesystem>
#include <fstream>

#include "formats/rcmr/archive_message_writer.h"
#include "xml/xml_tree.h"

namespace kanta::route {

Outbox::Outbox(std::string dir, std::shared_ptr<const registers::OrganisationDirectory> directory,
               std::function<std::string()> now)
    : dir_(std::move(dir)), directory_(std::move(directory)), now_(std::move(now)) {}

std::string MessageFileName(std::string_view id) {
  std::string name;
  for (char c : id) {
    const bool safe = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      c == '.' || c == '-' || c == '_';
    name += safe ? c : '_';
  }
  return name + ".xml";
}

Result<std::string> Outbox::Build(const Document& doc) const {
  formats::rcmr::MessageOptions options;
  const std::string producer(registers::OidOf(doc.facts.producer));
  const registers::Organisation* org = directory_->Owner(producer);
  options.sender_organisation = org != nullptr ? org->oid : producer;
  if (org != nullptr && org->connection.model == "joint") options.sender_device = org->connection.host;
  options.creation_time = now_();
  return formats::rcmr::WrapArchiveMessage(xmlDocGetRootElement(xml::TreeOf(doc)), doc.bytes,
                                           options);
}

Result<std::string> Outbox::Write(std::string_view id, const std::string& message) const {
  const std::filesystem::path target = std::filesystem::path(dir_) / MessageFileName(id);
  const std::filesystem::path temp = target.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(message.data(), static_cast<std::streamsize>(message.size()));
    if (!out) return Unavailable("cannot write the archive message " + temp.string());
  }
  std::error_code ec;
  std::filesystem::rename(temp, target, ec);
  if (ec) return Unavailable("cannot write the archive message " + target.string() + ": " + ec.message());
  return target.string();
}

}  // namespace kanta::route
