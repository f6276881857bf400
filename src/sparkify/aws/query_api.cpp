#include "sparkify/aws/query_api.hpp"

namespace sparkify::aws {

HttpRequest MakeQueryApiRequest(const std::string& scheme, const std::string& host,
                                const QueryParams& params) {
  HttpRequest r;
  r.method = "POST";
  r.scheme = scheme;
  r.host = host;
  r.path = "/";
  r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  r.body = FormEncode(params);
  return r;
}

}  // namespace sparkify::aws
