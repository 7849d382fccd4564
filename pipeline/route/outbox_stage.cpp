#include "route/outbox_stage.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "formats/rcmr/archive_message_writer.h"
#include "xml/xml_tree.h"

namespace kanta::route {

OutboxStage::OutboxStage(std::string dir,
                         std::shared_ptr<const registers::OrganisationDirectory> directory,
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

Result<Verdict> OutboxStage::Process(Document& doc, Report& report) const {
  xmlDoc* tree = xml::TreeOf(doc);
  if (tree == nullptr || !doc.decision || doc.decision->action != Action::kStored) {
    return Verdict::kContinue;
  }
  formats::rcmr::MessageOptions options;
  const std::string producer(registers::OidOf(doc.facts.producer));
  const registers::Organisation* org = directory_->Owner(producer);
  options.sender_organisation = org != nullptr ? org->oid : producer;
  if (org != nullptr && org->connection.model == "joint") options.sender_device = org->connection.host;
  options.creation_time = now_();
  ASSIGN_OR_RETURN(std::string message,
                   formats::rcmr::WrapArchiveMessage(xmlDocGetRootElement(tree), doc.bytes, options));

  const std::filesystem::path target = std::filesystem::path(dir_) / MessageFileName(doc.facts.id);
  const std::filesystem::path temp = target.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(message.data(), static_cast<std::streamsize>(message.size()));
    if (!out) return Unavailable("cannot write the archive message " + temp.string());
  }
  std::error_code ec;
  std::filesystem::rename(temp, target, ec);
  if (ec) return Unavailable("cannot write the archive message " + target.string() + ": " + ec.message());
  report.Add(Severity::kInfo, name(), "outbox.message-written",
             "archive message written: " + target.string());
  return Verdict::kContinue;
}

}  // namespace kanta::route
