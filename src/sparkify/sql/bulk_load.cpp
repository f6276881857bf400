#include "sparkify/sql/bulk_load.hpp"

#include <cassert>
#include <cmath>

#include "sparkify/engine/canonical.hpp"
#include "sparkify/sql/catalog.hpp"

namespace sparkify::sql {
namespace {

[[maybe_unused]] bool IsPlainIdentifier(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// "table (col, ...)": the target of a COPY or INSERT, every name a plain identifier.
std::string TableWithColumns(const TableSchema& table) {
  assert(IsPlainIdentifier(table.name) && "target table must be a plain identifier");
  std::string out = table.name + " (";
  for (size_t i = 0; i < table.columns.size(); ++i) {
    assert(IsPlainIdentifier(table.columns[i].name) && "target column must be a plain identifier");
    if (i > 0) out += ", ";
    out += table.columns[i].name;
  }
  return out + ")";
}

}  // namespace

std::string_view CopyFormatName(CopyFormat format) {
  return format == CopyFormat::kBinary ? "binary" : "text";
}

std::string RenderCopyFromStdin(const TableSchema& table, CopyFormat format) {
  std::string out = "copy " + TableWithColumns(table) + " from stdin with (format ";
  out += CopyFormatName(format);
  out += ")";
  return out;
}

std::string RenderInsertFromFeed(const TableSchema& table, std::string_view feed_function,
                                 int64_t feed_id) {
  assert(IsPlainIdentifier(feed_function) && "the feed must be a plain identifier");
  return "set preserve_insertion_order = false;\ninsert into " + TableWithColumns(table) +
         "\nselect * from " + std::string(feed_function) + "(" + std::to_string(feed_id) +
         ");\nreset preserve_insertion_order";
}

std::string RenderInsertValues(const ColumnBatch& batch, size_t begin, size_t end) {
  const TableSchema& table = batch.schema();
  std::string out = "insert into " + TableWithColumns(table) + " values";
  for (size_t row = begin; row < end; ++row) {
    out += row == begin ? "\n(" : ",\n(";
    for (size_t c = 0; c < table.columns.size(); ++c) {
      if (c > 0) out += ", ";
      if (batch.IsNull(c, row)) {
        out += "null";
        continue;
      }
      switch (table.columns[c].type) {
        case ColumnType::kBigInt:
          out += std::to_string(batch.Int(c, row));
          break;
        case ColumnType::kDouble: {
          const double v = batch.Double(c, row);
          out += std::isfinite(v)
                     ? engine::FormatDouble(v)
                     : "cast(" + QuoteLiteral(engine::FormatDouble(v)) + " as double precision)";
          break;
        }
        case ColumnType::kText:
          out += QuoteLiteral(batch.Text(c, row));
          break;
        case ColumnType::kTimestamp:
          out += "timestamp " + QuoteLiteral(engine::FormatTimestampMicros(batch.Int(c, row)));
          break;
      }
    }
    out += ")";
  }
  return out;
}

// extra_float_digits = 3: PostgreSQL 12+ prints the shortest text that reads back exactly;
// older servers and Redshift print 17 significant digits, which also read back exactly.
std::string_view PostgresSessionSetup() {
  // client_connection_check_interval (PostgreSQL 14+): when this client dies (kill -9), the
  // server notices within a second and aborts the running statement, rather than finishing it
  // and holding its locks until then.
  return "set datestyle = 'ISO, YMD'; set intervalstyle = 'postgres'; set timezone = 'UTC'; "
         "set extra_float_digits = 3; "
         "select set_config('client_connection_check_interval', '1000', false) "
         "where current_setting('server_version_num')::int >= 140000";
}

std::string_view RedshiftSessionSetup() {
  return "set datestyle = 'ISO, YMD'; set timezone = 'UTC'; set extra_float_digits = 3";
}

}  // namespace sparkify::sql
