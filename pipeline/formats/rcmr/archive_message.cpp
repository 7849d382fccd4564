#include "formats/rcmr/archive_message.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Exception.h>
#include <Poco/Net/MediaType.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/MultipartReader.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <sstream>

#include "formats/cda/header_facts.h"
#include "xml/xml_tree.h"

namespace kanta::formats::rcmr {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string StripAngles(std::string s) {
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
  return s;
}

// All Poco calls live here: Poco reports errors by throwing, and nothing may
// escape into the pipeline.
Result<std::pair<std::string, std::string>> DecodeMime(const std::string& mime) {
  try {
    std::istringstream in(mime);
    Poco::Net::MessageHeader top;
    top.read(in);
    if (!top.has("Content-Type")) {
      return InvalidArgument("the MIME body has no Content-Type header");
    }
    Poco::Net::MediaType type(top.get("Content-Type"));
    if (!type.hasParameter("boundary")) {
      return InvalidArgument("the MIME Content-Type '" + top.get("Content-Type") +
                             "' has no boundary");
    }
    Poco::Net::MultipartReader reader(in, type.getParameter("boundary"));
    while (reader.hasNextPart()) {
      Poco::Net::MessageHeader part;
      reader.nextPart(part);
      std::string body;
      Poco::StreamCopier::copyToString(reader.stream(), body);
      const std::string part_type = Lower(part.get("Content-Type", "text/xml"));
      if (part_type.find("xml") == std::string::npos) continue;
      const std::string encoding = Lower(part.get("Content-Transfer-Encoding", ""));
      const std::string content_id = StripAngles(part.get("Content-ID", ""));
      if (encoding == "base64") {
        std::istringstream b64(body);
        Poco::Base64Decoder decoder(b64);
        std::string decoded;
        Poco::StreamCopier::copyToString(decoder, decoded);
        if (decoded.empty()) return InvalidArgument("the base64 XML part decodes to nothing");
        return std::make_pair(content_id, decoded);
      }
      return std::make_pair(content_id, body);
    }
    return InvalidArgument("the MIME body has no XML part");
  } catch (const Poco::Exception& e) {
    return InvalidArgument("the MIME body cannot be read: " + e.displayText());
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("the MIME body cannot be read: ") + e.what());
  }
}

}  // namespace

Result<UnwrappedMessage> UnwrapArchiveMessage(const xmlNode* root) {
  UnwrappedMessage m;
  m.interaction = reinterpret_cast<const char*>(root->name);
  m.message_id = cda::InstanceId(xml::FirstChild(root, xml::kHl7V3Ns, "id"));
  const xmlNode* n = xml::FirstChild(root, xml::kHl7V3Ns, "controlActProcess");
  for (const char* step : {"subject", "clinicalDocument", "text"}) {
    if (n == nullptr) break;
    n = xml::FirstChild(n, xml::kHl7V3Ns, step);
  }
  if (n == nullptr) {
    return InvalidArgument(
        "the message has no controlActProcess/subject/clinicalDocument/text element");
  }
  const std::string media = xml::Attribute(n, "mediaType");
  if (!media.empty() && Lower(media) != "multipart/related") {
    return InvalidArgument("the clinicalDocument/text has mediaType '" + media +
                           "', expected multipart/related");
  }
  std::string mime = xml::TextOf(n);
  // The text element is indented inside the message; MIME headers start at
  // the first non-blank character.
  const std::size_t start = mime.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return InvalidArgument("the clinicalDocument/text is empty");
  mime.erase(0, start);
  ASSIGN_OR_RETURN(auto part, DecodeMime(mime));
  m.content_id = std::move(part.first);
  m.cda = std::move(part.second);
  return m;
}

}  // namespace kanta::formats::rcmr
