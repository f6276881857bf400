#include "sparkify/aws/sts.hpp"

#include <pugixml.hpp>

#include "sparkify/aws/xml_response.hpp"

namespace sparkify::aws::sts {

QueryParams GetCallerIdentityParams() {
  return {{"Action", "GetCallerIdentity"}, {"Version", kVersion}};
}

Result<CallerIdentity> ParseGetCallerIdentity(std::string_view body) {
  pugi::xml_document doc;
  SPARKIFY_RETURN_IF_ERROR(LoadResponse(doc, body, "STS"));
  pugi::xml_node result = doc.child("GetCallerIdentityResponse").child("GetCallerIdentityResult");
  if (!result) return Error::Parse("STS: response has no <GetCallerIdentityResult>");
  CallerIdentity id;
  id.account = result.child("Account").text().as_string();
  id.arn = result.child("Arn").text().as_string();
  id.user_id = result.child("UserId").text().as_string();
  if (id.arn.empty()) return Error::Parse("STS: <GetCallerIdentityResult> has no <Arn>");
  return id;
}

}  // namespace sparkify::aws::sts
