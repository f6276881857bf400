// The IAM, Redshift and EC2 request encoders (bodies byte for byte against botocore's, from
// ../shared/data/aws-sigv4-test-suite/botocore-oracle) and XML decoders (recorded-shape
// responses, error responses included), and the throttling/error classification the cluster
// lifecycle relies on.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "sparkify/aws/ec2.hpp"
#include "sparkify/aws/errors.hpp"
#include "sparkify/aws/iam.hpp"
#include "sparkify/aws/query_api.hpp"
#include "sparkify/aws/redshift.hpp"
#include "sparkify/aws/sts.hpp"
#include "sparkify/aws/uri.hpp"
#include "sparkify/aws/xml.hpp"
#include "testing/aws_testing.hpp"

namespace sparkify::aws {
namespace {

// The form body botocore sent (the last line of request.txt).
std::string OracleBody(const std::string& name) {
  std::string text = testing::ReadFileOrDie(testing::SharedDir() / "data" / "aws-sigv4-test-suite" /
                                            "botocore-oracle" / name / "request.txt");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text.substr(text.rfind('\n') + 1);
}

TEST(IacApiEncodeTest, IamBodiesMatchBotocore) {
  EXPECT_EQ(FormEncode(iam::CreateRoleParams(
                "dwhRole", iam::RedshiftTrustPolicy(),
                "Allows Redshift clusters to call AWS services on your behalf.")),
            OracleBody("iam-create-role"));
  EXPECT_EQ(FormEncode(iam::AttachRolePolicyParams("dwhRole", iam::kS3ReadOnlyPolicyArn)),
            OracleBody("iam-attach-role-policy"));
  EXPECT_EQ(FormEncode(iam::DetachRolePolicyParams("dwhRole", iam::kS3ReadOnlyPolicyArn)),
            OracleBody("iam-detach-role-policy"));
  EXPECT_EQ(FormEncode(iam::GetRoleParams("dwhRole")), OracleBody("iam-get-role"));
  EXPECT_EQ(FormEncode(iam::DeleteRoleParams("dwhRole")), OracleBody("iam-delete-role"));
}

TEST(IacApiEncodeTest, RedshiftBodiesMatchBotocore) {
  redshift::ClusterSpec spec;
  spec.identifier = "dwhCluster";
  spec.cluster_type = "multi-node";
  spec.node_type = "dc2.large";
  spec.num_nodes = 4;
  spec.db_name = "dwh";
  spec.master_user = "dwhuser";
  spec.master_password = "Passw0rd";
  spec.port = 0;  // the oracle call sent none
  spec.iam_role_arn = "arn:aws:iam::123456789012:role/dwhRole";
  EXPECT_EQ(FormEncode(redshift::CreateClusterParams(spec)), OracleBody("redshift-create-cluster"));
  EXPECT_EQ(FormEncode(redshift::DeleteClusterParams("dwhCluster", "")),
            OracleBody("redshift-delete-cluster"));
  EXPECT_EQ(FormEncode(redshift::DescribeClustersParams("dwhCluster")),
            OracleBody("redshift-describe-clusters"));

  spec.port = 5439;
  spec.cluster_type = "single-node";
  std::string body = FormEncode(redshift::CreateClusterParams(spec));
  EXPECT_EQ(body.find("NumberOfNodes"), std::string::npos) << body;
  EXPECT_NE(body.find("&Port=5439&"), std::string::npos) << body;
  EXPECT_EQ(FormEncode(redshift::DeleteClusterParams("c", "final-1")),
            "Action=DeleteCluster&Version=2012-12-01&ClusterIdentifier=c&"
            "SkipFinalClusterSnapshot=false&FinalClusterSnapshotIdentifier=final-1");
}

TEST(IacApiEncodeTest, Ec2BodiesMatchBotocore) {
  EXPECT_EQ(FormEncode(ec2::AuthorizeIngressParams("sg-0123456789abcdef0", 5439, "0.0.0.0/0")),
            OracleBody("ec2-authorize-security-group-ingress-ippermissions"));
  EXPECT_EQ(FormEncode(ec2::DescribeSecurityGroupsParams("vpc-1")),
            "Action=DescribeSecurityGroups&Version=2016-11-15&Filter.1.Name=vpc-id&"
            "Filter.1.Value.1=vpc-1");
  EXPECT_EQ(FormEncode(ec2::DescribeVpcsParams()), "Action=DescribeVpcs&Version=2016-11-15");
}

TEST(IacApiDecodeTest, IamRole) {
  constexpr char kBody[] = R"(<CreateRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <CreateRoleResult><Role><Path>/</Path>
    <AssumeRolePolicyDocument>%7B%22Statement%22%3A%5B%5D%7D</AssumeRolePolicyDocument>
    <RoleId>AROA1234567890EXAMPLE</RoleId><RoleName>dwhRole</RoleName>
    <Arn>arn:aws:iam::123456789012:role/dwhRole</Arn>
    <CreateDate>2026-11-25T14:00:00Z</CreateDate></Role></CreateRoleResult>
  <ResponseMetadata><RequestId>4a93ceee-9966-11e1-b624-b1aEXAMPLE7c</RequestId></ResponseMetadata>
</CreateRoleResponse>)";
  Result<iam::Role> role = iam::ParseRole(kBody);
  ASSERT_TRUE(role.ok()) << role.error().ToString();
  EXPECT_EQ(role->name, "dwhRole");
  EXPECT_EQ(role->arn, "arn:aws:iam::123456789012:role/dwhRole");
  EXPECT_EQ(role->role_id, "AROA1234567890EXAMPLE");
  EXPECT_FALSE(iam::ParseRole("<GetRoleResponse/>").ok());
  EXPECT_FALSE(iam::ParseRole("not xml <").ok());

  constexpr char kList[] = R"(<ListAttachedRolePoliciesResponse>
  <ListAttachedRolePoliciesResult><AttachedPolicies>
    <member><PolicyName>AmazonS3ReadOnlyAccess</PolicyName>
      <PolicyArn>arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess</PolicyArn></member>
  </AttachedPolicies><IsTruncated>false</IsTruncated></ListAttachedRolePoliciesResult>
</ListAttachedRolePoliciesResponse>)";
  auto arns = iam::ParseAttachedPolicyArns(kList);
  ASSERT_TRUE(arns.ok());
  EXPECT_EQ(*arns, std::vector<std::string>{iam::kS3ReadOnlyPolicyArn});
}

TEST(IacApiDecodeTest, RedshiftClusters) {
  constexpr char kBody[] =
      R"(<DescribeClustersResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/">
  <DescribeClustersResult><Clusters><Cluster>
    <ClusterIdentifier>dwhcluster</ClusterIdentifier><NodeType>dc2.large</NodeType>
    <ClusterStatus>available</ClusterStatus><MasterUsername>dwhuser</MasterUsername>
    <DBName>dwh</DBName>
    <Endpoint><Address>dwhcluster.abc123.us-west-2.redshift.amazonaws.com</Address><Port>5439</Port></Endpoint>
    <VpcSecurityGroups><VpcSecurityGroup><VpcSecurityGroupId>sg-1</VpcSecurityGroupId>
      <Status>active</Status></VpcSecurityGroup></VpcSecurityGroups>
    <VpcId>vpc-9</VpcId><NumberOfNodes>4</NumberOfNodes>
    <ClusterNodes><member><NodeRole>LEADER</NodeRole></member></ClusterNodes>
    <IamRoles><ClusterIamRole><IamRoleArn>arn:aws:iam::123456789012:role/dwhRole</IamRoleArn>
      <ApplyStatus>in-sync</ApplyStatus></ClusterIamRole></IamRoles>
  </Cluster></Clusters></DescribeClustersResult>
  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
</DescribeClustersResponse>)";
  auto list = redshift::ParseDescribeClusters(kBody);
  ASSERT_TRUE(list.ok()) << list.error().ToString();
  ASSERT_EQ(list->size(), 1u);
  const redshift::Cluster& c = list->front();
  EXPECT_EQ(c.identifier, "dwhcluster");
  EXPECT_EQ(c.status, "available");
  EXPECT_EQ(c.node_type, "dc2.large");
  EXPECT_EQ(c.num_nodes, 4);
  EXPECT_EQ(c.endpoint_address, "dwhcluster.abc123.us-west-2.redshift.amazonaws.com");
  EXPECT_EQ(c.endpoint_port, 5439);
  EXPECT_EQ(c.vpc_id, "vpc-9");
  EXPECT_EQ(c.iam_role_arns, std::vector<std::string>{"arn:aws:iam::123456789012:role/dwhRole"});
  EXPECT_EQ(c.vpc_security_group_ids, std::vector<std::string>{"sg-1"});

  // Creating: no endpoint, no VPC (as moto answers).
  auto created = redshift::ParseCluster(
      "<CreateClusterResponse><CreateClusterResult><Cluster><ClusterIdentifier>x"
      "</ClusterIdentifier><ClusterStatus>creating</ClusterStatus></Cluster>"
      "</CreateClusterResult></CreateClusterResponse>");
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->status, "creating");
  EXPECT_TRUE(created->endpoint_address.empty());
  EXPECT_TRUE(created->vpc_id.empty());
  EXPECT_FALSE(redshift::ParseDescribeClusters("<ErrorResponse/>").ok());
}

TEST(IacApiDecodeTest, Ec2VpcsAndGroups) {
  constexpr char kVpcs[] =
      R"(<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>r</requestId><vpcSet>
    <item><vpcId>vpc-a</vpcId><isDefault>false</isDefault></item>
    <item><vpcId>vpc-d</vpcId><state>available</state><isDefault>true</isDefault></item>
  </vpcSet></DescribeVpcsResponse>)";
  auto vpcs = ec2::ParseDescribeVpcs(kVpcs);
  ASSERT_TRUE(vpcs.ok());
  ASSERT_EQ(vpcs->size(), 2u);
  EXPECT_FALSE((*vpcs)[0].is_default);
  EXPECT_EQ((*vpcs)[1].id, "vpc-d");
  EXPECT_TRUE((*vpcs)[1].is_default);

  constexpr char kGroups[] = R"(<DescribeSecurityGroupsResponse>
  <requestId>r</requestId><securityGroupInfo>
    <item><ownerId>1</ownerId><groupId>sg-d</groupId><groupName>default</groupName>
      <vpcId>vpc-d</vpcId><ipPermissions><item><ipProtocol>-1</ipProtocol>
        <groups><item><groupId>sg-d</groupId></item></groups></item></ipPermissions></item>
    <item><groupId>sg-o</groupId><groupName>other</groupName><vpcId>vpc-d</vpcId></item>
  </securityGroupInfo></DescribeSecurityGroupsResponse>)";
  auto groups = ec2::ParseDescribeSecurityGroups(kGroups);
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0].id, "sg-d");
  EXPECT_EQ((*groups)[0].name, "default");
  EXPECT_EQ((*groups)[1].name, "other");
}

HttpResponse Response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(IacApiDecodeTest, ErrorResponsesKeepTheirCodes) {
  struct Case {
    int status;
    const char* body;
    const char* code;
    ErrorCode expected;
  };
  const Case cases[] = {
      {409,
       "<ErrorResponse><Error><Type>Sender</Type><Code>EntityAlreadyExists</Code><Message>Role "
       "with name dwhRole already "
       "exists.</Message></Error><RequestId>1</RequestId></ErrorResponse>",
       "EntityAlreadyExists", ErrorCode::kInvalidArgument},
      {400,
       "<ErrorResponse><Error><Code>ClusterAlreadyExists</Code><Message>Cluster already "
       "exists</Message></Error><RequestId>2</RequestId></ErrorResponse>",
       "ClusterAlreadyExists", ErrorCode::kInvalidArgument},
      {404,
       "<ErrorResponse><Error><Code>ClusterNotFound</Code><Message>Cluster dwhcluster not "
       "found.</Message></Error><RequestId>3</RequestId></ErrorResponse>",
       "ClusterNotFound", ErrorCode::kNotFound},
      {404,
       "<ErrorResponse><Error><Code>NoSuchEntity</Code><Message>x</Message></Error>"
       "</ErrorResponse>",
       "NoSuchEntity", ErrorCode::kNotFound},
      {409,
       "<ErrorResponse><Error><Code>DeleteConflict</Code><Message>Cannot delete entity, must "
       "detach all policies first.</Message></Error></ErrorResponse>",
       "DeleteConflict", ErrorCode::kInvalidArgument},
      {400,
       "<Response><Errors><Error><Code>InvalidPermission.Duplicate</Code><Message>the specified "
       "rule already exists</Message></Error></Errors><RequestID>4</RequestID></Response>",
       "InvalidPermission.Duplicate", ErrorCode::kInvalidArgument},
      {400,
       "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
       "</ErrorResponse>",
       "Throttling", ErrorCode::kUnavailable},
      {503,
       "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow "
       "down</Message></Error></Errors></Response>",
       "RequestLimitExceeded", ErrorCode::kUnavailable},
      {403,
       "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature "
       "we calculated does not match</Message></Error></ErrorResponse>",
       "SignatureDoesNotMatch", ErrorCode::kAuth},
      {401,
       "<Response><Errors><Error><Code>AuthFailure</Code><Message>AWS was not able to validate "
       "the provided access credentials</Message></Error></Errors></Response>",
       "AuthFailure", ErrorCode::kAuth},
  };
  for (const Case& c : cases) {
    Error e = ErrorFromResponse(Response(c.status, c.body), "call");
    EXPECT_EQ(e.code(), c.expected) << c.code;
    EXPECT_TRUE(HasServiceCode(e, c.code)) << c.code;
  }
}

TEST(IacApiTest, StsGetCallerIdentityRequestAndResponse) {
  EXPECT_EQ(FormEncode(sts::GetCallerIdentityParams()),
            "Action=GetCallerIdentity&Version=2011-06-15");
  Result<sts::CallerIdentity> id = sts::ParseGetCallerIdentity(
      R"(<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn>
  <UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult>
  <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>)");
  ASSERT_TRUE(id.ok()) << id.error().ToString();
  EXPECT_EQ(id->account, "123456789012");
  EXPECT_EQ(id->arn, "arn:aws:iam::123456789012:user/ci");
  EXPECT_EQ(id->user_id, "AIDAEXAMPLE");
  EXPECT_EQ(sts::ParseGetCallerIdentity("<ErrorResponse/>").error().code(), ErrorCode::kParse);
}

TEST(IacApiTest, RedshiftGetClusterCredentialsRequestAndResponse) {
  EXPECT_EQ(FormEncode(redshift::GetClusterCredentialsParams("dwhuser", "dwh", "dwhCluster", 900)),
            "Action=GetClusterCredentials&Version=2012-12-01&DbUser=dwhuser&DbName=dwh&"
            "ClusterIdentifier=dwhCluster&DurationSeconds=900&AutoCreate=false");
  Result<redshift::ClusterCredentials> c = redshift::ParseClusterCredentials(
      "<GetClusterCredentialsResponse><GetClusterCredentialsResult><DbUser>IAM:dwhuser</DbUser>"
      "<DbPassword>tmp-pw</DbPassword><Expiration>2026-12-06T01:00:00Z</Expiration>"
      "</GetClusterCredentialsResult></GetClusterCredentialsResponse>");
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->db_user, "IAM:dwhuser");
  EXPECT_EQ(c->db_password, "tmp-pw");
  EXPECT_EQ(c->expiration, "2026-12-06T01:00:00Z");
  Result<redshift::ClusterCredentials> no_password = redshift::ParseClusterCredentials(
      "<GetClusterCredentialsResponse><GetClusterCredentialsResult><DbUser>IAM:u</DbUser>"
      "</GetClusterCredentialsResult></GetClusterCredentialsResponse>");
  ASSERT_FALSE(no_password.ok());
  EXPECT_EQ(no_password.error().code(), ErrorCode::kParse);
}

}  // namespace
}  // namespace sparkify::aws
