// Reading the XML body of a successful Query/EC2 API response (IAM, Redshift, EC2, STS): the
// document is parsed once and the result element looked up, with the same Parse errors for
// every service. Internal to aws/*.cpp (it exposes pugixml). Implemented in xml.cpp.
#pragma once

#include <pugixml.hpp>
#include <string_view>

#include "sparkify/common/error.hpp"

namespace sparkify::aws {

// The first element named `name` in document order below `node` (a null node when none).
pugi::xml_node FindFirst(pugi::xml_node node, const char* name);

// Parses `body` into `doc`. Error::Parse("<service>: response is not XML") when it is not XML.
Status LoadResponse(pugi::xml_document& doc, std::string_view body, std::string_view service);

// LoadResponse, then FindFirst(doc, name); Error::Parse("<service>: response has no <name>")
// when there is no such element. The node lives as long as `doc`.
Result<pugi::xml_node> LoadAndFind(pugi::xml_document& doc, std::string_view body,
                                   std::string_view service, const char* name);

}  // namespace sparkify::aws
