#include "sparkify/aws/redshift.hpp"

#include <pugixml.hpp>

#include "sparkify/aws/xml_response.hpp"

namespace sparkify::aws::redshift {
namespace {

QueryParams Base(const char* action) { return {{"Action", action}, {"Version", kVersion}}; }

Cluster Decode(pugi::xml_node c) {
  Cluster out;
  out.identifier = c.child("ClusterIdentifier").text().as_string();
  out.status = c.child("ClusterStatus").text().as_string();
  out.node_type = c.child("NodeType").text().as_string();
  out.num_nodes = c.child("NumberOfNodes").text().as_int();
  out.db_name = c.child("DBName").text().as_string();
  out.master_user = c.child("MasterUsername").text().as_string();
  out.endpoint_address = c.child("Endpoint").child("Address").text().as_string();
  out.endpoint_port = c.child("Endpoint").child("Port").text().as_int();
  out.vpc_id = c.child("VpcId").text().as_string();
  for (pugi::xml_node r : c.child("IamRoles").children("ClusterIamRole")) {
    out.iam_role_arns.emplace_back(r.child("IamRoleArn").text().as_string());
  }
  for (pugi::xml_node g : c.child("VpcSecurityGroups").children("VpcSecurityGroup")) {
    out.vpc_security_group_ids.emplace_back(g.child("VpcSecurityGroupId").text().as_string());
  }
  return out;
}

}  // namespace

QueryParams CreateClusterParams(const ClusterSpec& spec) {
  // The order of the peers' boto3 call (and of botocore-oracle/redshift-create-cluster).
  QueryParams p = Base("CreateCluster");
  if (!spec.cluster_type.empty()) p.emplace_back("ClusterType", spec.cluster_type);
  p.emplace_back("NodeType", spec.node_type);
  if (spec.cluster_type != "single-node") {
    p.emplace_back("NumberOfNodes", std::to_string(spec.num_nodes));
  }
  if (!spec.db_name.empty()) p.emplace_back("DBName", spec.db_name);
  p.emplace_back("ClusterIdentifier", spec.identifier);
  p.emplace_back("MasterUsername", spec.master_user);
  p.emplace_back("MasterUserPassword", spec.master_password);
  if (spec.port > 0) p.emplace_back("Port", std::to_string(spec.port));
  if (spec.encrypted) p.emplace_back("Encrypted", "true");
  if (!spec.iam_role_arn.empty()) p.emplace_back("IamRoles.IamRoleArn.1", spec.iam_role_arn);
  return p;
}

QueryParams DescribeClustersParams(const std::string& identifier) {
  QueryParams p = Base("DescribeClusters");
  p.emplace_back("ClusterIdentifier", identifier);
  return p;
}

QueryParams DeleteClusterParams(const std::string& identifier, const std::string& final_snapshot) {
  QueryParams p = Base("DeleteCluster");
  p.emplace_back("ClusterIdentifier", identifier);
  if (final_snapshot.empty()) {
    p.emplace_back("SkipFinalClusterSnapshot", "true");
  } else {
    p.emplace_back("SkipFinalClusterSnapshot", "false");
    p.emplace_back("FinalClusterSnapshotIdentifier", final_snapshot);
  }
  return p;
}

QueryParams GetClusterCredentialsParams(const std::string& db_user, const std::string& db_name,
                                        const std::string& identifier, int duration_seconds) {
  QueryParams p = Base("GetClusterCredentials");
  p.emplace_back("DbUser", db_user);
  if (!db_name.empty()) p.emplace_back("DbName", db_name);
  p.emplace_back("ClusterIdentifier", identifier);
  p.emplace_back("DurationSeconds", std::to_string(duration_seconds));
  p.emplace_back("AutoCreate", "false");  // the user must exist; AWS's default, said out loud
  return p;
}

Result<ClusterCredentials> ParseClusterCredentials(std::string_view body) {
  pugi::xml_document doc;
  SPARKIFY_ASSIGN_OR_RETURN(pugi::xml_node r,
                            LoadAndFind(doc, body, "Redshift", "GetClusterCredentialsResult"));
  ClusterCredentials c;
  c.db_user = r.child("DbUser").text().as_string();
  c.db_password = r.child("DbPassword").text().as_string();
  c.expiration = r.child("Expiration").text().as_string();
  if (c.db_user.empty() || c.db_password.empty()) {
    return Error::Parse("Redshift: GetClusterCredentials answered without DbUser or DbPassword");
  }
  return c;
}

Result<Cluster> ParseCluster(std::string_view body) {
  pugi::xml_document doc;
  SPARKIFY_ASSIGN_OR_RETURN(pugi::xml_node c, LoadAndFind(doc, body, "Redshift", "Cluster"));
  return Decode(c);
}

Result<std::vector<Cluster>> ParseDescribeClusters(std::string_view body) {
  pugi::xml_document doc;
  SPARKIFY_ASSIGN_OR_RETURN(pugi::xml_node result,
                            LoadAndFind(doc, body, "Redshift", "DescribeClustersResult"));
  std::vector<Cluster> out;
  for (pugi::xml_node c : result.child("Clusters").children("Cluster")) out.push_back(Decode(c));
  return out;
}

}  // namespace sparkify::aws::redshift
