#include "sparkify/aws/ec2.hpp"

#include <pugixml.hpp>

#include "sparkify/aws/xml_response.hpp"

namespace sparkify::aws::ec2 {
namespace {

QueryParams Base(const char* action) { return {{"Action", action}, {"Version", kVersion}}; }

}  // namespace

QueryParams DescribeVpcsParams() { return Base("DescribeVpcs"); }

QueryParams DescribeSecurityGroupsParams(const std::string& vpc_id) {
  QueryParams p = Base("DescribeSecurityGroups");
  p.emplace_back("Filter.1.Name", "vpc-id");
  p.emplace_back("Filter.1.Value.1", vpc_id);
  return p;
}

QueryParams AuthorizeIngressParams(const std::string& group_id, int port, const std::string& cidr) {
  QueryParams p = Base("AuthorizeSecurityGroupIngress");
  p.emplace_back("GroupId", group_id);
  p.emplace_back("IpPermissions.1.IpProtocol", "tcp");
  p.emplace_back("IpPermissions.1.FromPort", std::to_string(port));
  p.emplace_back("IpPermissions.1.ToPort", std::to_string(port));
  p.emplace_back("IpPermissions.1.IpRanges.1.CidrIp", cidr);
  return p;
}

Result<std::vector<Vpc>> ParseDescribeVpcs(std::string_view body) {
  pugi::xml_document doc;
  SPARKIFY_ASSIGN_OR_RETURN(pugi::xml_node set, LoadAndFind(doc, body, "EC2", "vpcSet"));
  std::vector<Vpc> out;
  for (pugi::xml_node item : set.children("item")) {
    out.push_back({item.child("vpcId").text().as_string(),
                   std::string_view(item.child("isDefault").text().as_string()) == "true"});
  }
  return out;
}

Result<std::vector<SecurityGroup>> ParseDescribeSecurityGroups(std::string_view body) {
  pugi::xml_document doc;
  SPARKIFY_ASSIGN_OR_RETURN(pugi::xml_node set, LoadAndFind(doc, body, "EC2", "securityGroupInfo"));
  std::vector<SecurityGroup> out;
  for (pugi::xml_node item : set.children("item")) {
    out.push_back({item.child("groupId").text().as_string(),
                   item.child("groupName").text().as_string(),
                   item.child("vpcId").text().as_string()});
  }
  return out;
}

}  // namespace sparkify::aws::ec2
