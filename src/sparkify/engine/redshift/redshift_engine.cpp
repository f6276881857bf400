#include "sparkify/engine/redshift/redshift_engine.hpp"

#include <algorithm>
#include <cstdlib>

#include "sparkify/sql/bulk_load.hpp"

namespace sparkify::engine {

namespace {

class InsertValuesLoader : public BulkLoader {
 public:
  InsertValuesLoader(Engine& engine, const TableSchema& table) : engine_(engine), table_(table) {}

  Status Append(const ColumnBatch& batch) override {
    constexpr size_t kStatementBytes = 1 << 20;
    size_t begin = 0;
    while (begin < batch.rows()) {
      // Rows per statement from the first row's size, so no statement grows far past the limit.
      const std::string first = sql::RenderInsertValues(batch, begin, begin + 1);
      const size_t rows = std::max<size_t>(1, kStatementBytes / first.size());
      const size_t end = std::min(batch.rows(), begin + rows);
      Status s =
          engine_.Execute(end == begin + 1 ? first : sql::RenderInsertValues(batch, begin, end));
      if (!s.ok()) return s.take_error().WithContext("inserting into " + table_.name);
      begin = end;
    }
    return Status::Ok();
  }
  Status Finish() override { return Status::Ok(); }

 private:
  Engine& engine_;
  const TableSchema& table_;
};

}  // namespace

std::unique_ptr<BulkLoader> MakeInsertValuesLoader(Engine& engine, const TableSchema& table) {
  return std::make_unique<InsertValuesLoader>(engine, table);
}

Result<std::unique_ptr<BulkLoader>> RedshiftEngine::OpenBulkLoader(const TableSchema& table) {
  return MakeInsertValuesLoader(*this, table);
}

std::string RedshiftConnInfo(std::string_view target) {
  std::string out(target);
  const bool uri = out.find("://") != std::string::npos;
  if (out.starts_with("redshift://")) out = "postgresql://" + out.substr(11);
  if (out.find("sslmode") != std::string::npos) return out;
  // $PGSSLMODE, when set, wins over the default as every PG* variable does (libpq reads it).
  if (const char* mode = std::getenv("PGSSLMODE"); mode != nullptr && mode[0] != '\0') return out;
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
