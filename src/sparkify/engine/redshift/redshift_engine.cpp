#include "sparkify/engine/redshift/redshift_engine.hpp"

#include "sparkify/sql/bulk_load.hpp"

namespace sparkify::engine {

Result<std::unique_ptr<BulkLoader>> RedshiftEngine::OpenBulkLoader(const TableSchema& table) {
  return Error::InvalidArgument("Redshift loads " + table.name +
                                " with COPY from S3 on the cluster, not from this machine");
}

std::string RedshiftConnInfo(std::string_view target) {
  std::string out(target);
  const bool uri = out.find("://") != std::string::npos;
  if (out.starts_with("redshift://")) out = "postgresql://" + out.substr(11);
  if (out.find("sslmode") != std::string::npos) return out;
  if (uri) return out + (out.find('?') == std::string::npos ? "?" : "&") + "sslmode=require";
  return out + (out.empty() ? "" : " ") + "sslmode=require";
}

Result<std::unique_ptr<Engine>> OpenRedshift(std::string_view target) {
  SPARKIFY_ASSIGN_OR_RETURN(PgConnection connection,
                            PgConnection::Connect(RedshiftConnInfo(target)));
  Status setup = connection.Execute(sql::RedshiftSessionSetup());
  if (!setup.ok()) return setup.take_error().WithContext("setting up the session");
  return std::unique_ptr<Engine>(
      std::make_unique<RedshiftEngine>(std::move(connection), sql::CopyFormat::kText));
}

}  // namespace sparkify::engine
