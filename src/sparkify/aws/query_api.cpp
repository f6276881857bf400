#include "sparkify/aws/query_api.hpp"

#include "sparkify/aws/uri.hpp"

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

std::string ParamValue(const QueryParams& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return "";
}

bool HasServiceCode(const Error& error, std::string_view code) {
  return error.service_code.has_value() && *error.service_code == code;
}

Result<std::unique_ptr<QueryService>> QueryService::Create(QueryServiceConfig config) {
  std::string scheme = "https";
  std::string host = config.default_host;
  if (!config.endpoint_url.empty()) {
    SPARKIFY_ASSIGN_OR_RETURN(Url url, ParseUrl(config.endpoint_url));
    if (!url.path.empty() && url.path != "/") {
      return Error::InvalidArgument("endpoint URL " + config.endpoint_url +
                                    ": a path is not supported for " + config.client.service);
    }
    scheme = url.scheme;
    host = url.Authority();
  }
  auto client = std::make_unique<Client>(std::move(config.client));
  return std::unique_ptr<QueryService>(
      new QueryService(std::move(client), std::move(scheme), std::move(host)));
}

Result<std::string> QueryService::Call(const QueryParams& params) {
  HttpRequest request = MakeQueryApiRequest(scheme_, host_, params);
  std::string what = service() + " " + ParamValue(params, "Action");
  SPARKIFY_ASSIGN_OR_RETURN(HttpResponse response, client_->Call(request, what));
  return std::move(response.body);
}

}  // namespace sparkify::aws
