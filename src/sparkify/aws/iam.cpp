#include "sparkify/aws/iam.hpp"

#include <pugixml.hpp>

#include "sparkify/aws/xml_response.hpp"

namespace sparkify::aws::iam {
namespace {

QueryParams Base(const char* action) { return {{"Action", action}, {"Version", kVersion}}; }

}  // namespace

std::string RedshiftTrustPolicy() {
  return R"({"Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow", )"
         R"("Principal": {"Service": "redshift.amazonaws.com"}}], "Version": "2012-10-17"})";
}

QueryParams CreateRoleParams(const std::string& role_name, const std::string& trust_policy,
                             const std::string& description) {
  QueryParams p = Base("CreateRole");
  p.emplace_back("Path", "/");
  p.emplace_back("RoleName", role_name);
  if (!description.empty()) p.emplace_back("Description", description);
  p.emplace_back("AssumeRolePolicyDocument", trust_policy);
  return p;
}

QueryParams GetRoleParams(const std::string& role_name) {
  QueryParams p = Base("GetRole");
  p.emplace_back("RoleName", role_name);
  return p;
}

QueryParams DeleteRoleParams(const std::string& role_name) {
  QueryParams p = Base("DeleteRole");
  p.emplace_back("RoleName", role_name);
  return p;
}

QueryParams AttachRolePolicyParams(const std::string& role_name, const std::string& policy_arn) {
  QueryParams p = Base("AttachRolePolicy");
  p.emplace_back("RoleName", role_name);
  p.emplace_back("PolicyArn", policy_arn);
  return p;
}

QueryParams DetachRolePolicyParams(const std::string& role_name, const std::string& policy_arn) {
  QueryParams p = Base("DetachRolePolicy");
  p.emplace_back("RoleName", role_name);
  p.emplace_back("PolicyArn", policy_arn);
  return p;
}

QueryParams ListAttachedRolePoliciesParams(const std::string& role_name) {
  QueryParams p = Base("ListAttachedRolePolicies");
  p.emplace_back("RoleName", role_name);
  return p;
}

Result<Role> ParseRole(std::string_view body) {
  pugi::xml_document doc;
  SPARKIFY_ASSIGN_OR_RETURN(pugi::xml_node role, LoadAndFind(doc, body, "IAM", "Role"));
  Role r;
  r.name = role.child("RoleName").text().as_string();
  r.arn = role.child("Arn").text().as_string();
  r.role_id = role.child("RoleId").text().as_string();
  if (r.arn.empty()) return Error::Parse("IAM: <Role> has no <Arn>");
  return r;
}

Result<std::vector<std::string>> ParseAttachedPolicyArns(std::string_view body) {
  pugi::xml_document doc;
  SPARKIFY_RETURN_IF_ERROR(
      LoadAndFind(doc, body, "IAM", "ListAttachedRolePoliciesResult").status());
  pugi::xml_node list = FindFirst(doc, "AttachedPolicies");
  std::vector<std::string> arns;
  for (pugi::xml_node m : list.children("member")) {
    arns.emplace_back(m.child("PolicyArn").text().as_string());
  }
  return arns;
}

}  // namespace sparkify::aws::iam
