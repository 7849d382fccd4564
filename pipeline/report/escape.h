// Escaping for the report formats. Invalid UTF-8 becomes U+FFFD, so every
// report is valid JSON / XML whatever bytes a document contained.
#pragma once

#include <string>
#include <string_view>

namespace kanta::report {

// Appends `s` as the inside of a JSON string (no surrounding quotes).
void AppendJsonEscaped(std::string& out, std::string_view s);
// "..." with escaping.
std::string JsonString(std::string_view s);

// Appends `s` escaped for XML text and attribute values; characters not
// allowed in XML 1.0 are dropped.
void AppendXmlEscaped(std::string& out, std::string_view s);
std::string XmlEscaped(std::string_view s);

}  // namespace kanta::report
