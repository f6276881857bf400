#include "sparkify/aws/xml.hpp"

#include <pugixml.hpp>

namespace sparkify::aws {
namespace {

// The first element named `name` in document order below `node`.
pugi::xml_node FindFirst(pugi::xml_node node, const char* name) {
  return node.find_node([name](pugi::xml_node n) {
    return n.type() == pugi::node_element && std::string_view(n.name()) == name;
  });
}

std::string Text(pugi::xml_node node) { return node ? node.text().as_string() : ""; }

}  // namespace

std::optional<ServiceError> ParseServiceError(std::string_view body) {
  if (body.empty()) return std::nullopt;
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer(body.data(), body.size(), pugi::parse_default);
  if (!parsed) return std::nullopt;
  pugi::xml_node error = FindFirst(doc, "Error");
  if (!error || !error.child("Code")) return std::nullopt;
  ServiceError e;
  e.code = Text(error.child("Code"));
  e.message = Text(error.child("Message"));
  e.region = Text(error.child("Region"));
  pugi::xml_node id = FindFirst(doc, "RequestId");
  if (!id) id = FindFirst(doc, "RequestID");
  e.request_id = Text(id);
  return e;
}

}  // namespace sparkify::aws
