// Requests for the AWS Query protocol (IAM, Redshift, STS; EC2's variant is the same on the
// wire): POST / with a form-encoded body "Action=...&Version=...&...". Parameter order is
// kept, because the body's hash is signed; botocore's order is the model's member order.
#pragma once

#include <string>

#include "sparkify/aws/http.hpp"

namespace sparkify::aws {

// An unsigned Query-API request to `scheme`://`host`/ (host as in the Host header).
HttpRequest MakeQueryApiRequest(const std::string& scheme, const std::string& host,
                                const QueryParams& params);

}  // namespace sparkify::aws
