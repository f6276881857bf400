// Requests for the AWS Query protocol (IAM, Redshift, STS; EC2's variant is the same on the
// wire): POST / with a form-encoded body "Action=...&Version=...&...". Parameter order is
// kept, because the body's hash is signed; botocore's order is the model's member order.
//
// QueryService is one such service (IAM, Redshift or EC2) on the shared Client: endpoint
// (AWS or an override such as AWS_ENDPOINT_URL_IAM), signing name and region, retries.
// Failed calls come back as aws/errors.hpp Errors whose service_code holds the AWS code
// ("EntityAlreadyExists", "ClusterNotFound"), so callers can treat expected codes as outcomes.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "sparkify/aws/client.hpp"
#include "sparkify/aws/http.hpp"

namespace sparkify::aws {

// An unsigned Query-API request to `scheme`://`host`/ (host as in the Host header).
HttpRequest MakeQueryApiRequest(const std::string& scheme, const std::string& host,
                                const QueryParams& params);

// The value of parameter `name`, or "" (e.g. "Action").
std::string ParamValue(const QueryParams& params, std::string_view name);

// True when `error` is the service error `code` ("ClusterNotFound").
bool HasServiceCode(const Error& error, std::string_view code);

struct QueryServiceConfig {
  ClientConfig client;       // service (signing name) and region must be set
  std::string endpoint_url;  // empty: `default_host` over https
  std::string default_host;  // "iam.amazonaws.com", "redshift.us-west-2.amazonaws.com"
};

class QueryService {
 public:
  // kInvalidArgument for an endpoint URL that does not parse.
  static Result<std::unique_ptr<QueryService>> Create(QueryServiceConfig config);

  // Sends `params` (Action first) and returns the 2xx response body.
  Result<std::string> Call(const QueryParams& params);

  const std::string& service() const { return client_->config().service; }
  // "https://iam.amazonaws.com" or the override, for --verbose.
  std::string DescribeEndpoint() const { return scheme_ + "://" + host_; }

 private:
  QueryService(std::unique_ptr<Client> client, std::string scheme, std::string host)
      : client_(std::move(client)), scheme_(std::move(scheme)), host_(std::move(host)) {}
  std::unique_ptr<Client> client_;
  std::string scheme_;
  std::string host_;
};

}  // namespace sparkify::aws
