#include "sparkify/aws/xml.hpp"

#include <pugixml.hpp>

#include "sparkify/aws/xml_response.hpp"

namespace sparkify::aws {

pugi::xml_node FindFirst(pugi::xml_node node, const char* name) {
  return node.find_node([name](pugi::xml_node n) {
    return n.type() == pugi::node_element && std::string_view(n.name()) == name;
  });
}

Status LoadResponse(pugi::xml_document& doc, std::string_view body, std::string_view service) {
  if (!doc.load_buffer(body.data(), body.size())) {
    return Error::Parse(std::string(service) + ": response is not XML");
  }
  return Status::Ok();
}

Result<pugi::xml_node> LoadAndFind(pugi::xml_document& doc, std::string_view body,
                                   std::string_view service, const char* name) {
  SPARKIFY_RETURN_IF_ERROR(LoadResponse(doc, body, service));
  pugi::xml_node node = FindFirst(doc, name);
  if (!node) return Error::Parse(std::string(service) + ": response has no <" + name + ">");
  return node;
}

namespace {

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
