#include "sparkify/engine/postgres/pg_copy.hpp"

#include <bit>
#include <charconv>
#include <cstdint>

#include "sparkify/engine/canonical.hpp"

namespace sparkify::engine {

// 2000-01-01 00:00:00 UTC in microseconds since 1970-01-01.
constexpr int64_t kPostgresEpochMicros = 946684800000000LL;
namespace {

void PutUint16(std::string& out, uint16_t v) {
  const char bytes[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(bytes, 2);
}

void PutUint32(std::string& out, uint32_t v) {
  const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                         static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(bytes, 4);
}

void PutUint64(std::string& out, uint64_t v) {
  PutUint32(out, static_cast<uint32_t>(v >> 32));
  PutUint32(out, static_cast<uint32_t>(v));
}

// Text format: backslash, tab, newline and CR are the only bytes that need escaping when the
// delimiter is tab (https://www.postgresql.org/docs/15/sql-copy.html#id-1.9.3.55.9.2).
void AppendEscaped(std::string& out, std::string_view s) {
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const char* escape = c == '\\'   ? "\\\\"
                         : c == '\t' ? "\\t"
                         : c == '\n' ? "\\n"
                         : c == '\r' ? "\\r"
                                     : nullptr;
    if (escape == nullptr) continue;
    out.append(s.substr(start, i - start));
    out.append(escape, 2);
    start = i + 1;
  }
  out.append(s.substr(start));
}

class CopyLoader final : public BulkLoader {
 public:
  CopyLoader(PgConnection& conn, const TableSchema& table, sql::CopyFormat format)
      : conn_(conn), table_(table), encoder_(format) {
    buffer_.reserve(kCopyFlushBytes + (64 << 10));
    encoder_.AppendHeader(buffer_);
  }
  ~CopyLoader() override {
    if (!done_) conn_.CopyAbandon();
  }
  CopyLoader(const CopyLoader&) = delete;
  CopyLoader& operator=(const CopyLoader&) = delete;

  Status Append(const ColumnBatch& batch) override {
    if (done_) return Error::Internal("COPY into " + table_.name + " already finished");
    for (size_t row = 0; row < batch.rows(); ++row) {
      encoder_.AppendRow(batch, row, buffer_);
      if (buffer_.size() < kCopyFlushBytes) continue;
      Status flushed = Flush();
      if (!flushed.ok()) return flushed.take_error().WithContext("COPY into " + table_.name);
    }
    rows_ += batch.rows();
    return Status::Ok();
  }

  Status Finish() override {
    if (done_) return Error::Internal("COPY into " + table_.name + " already finished");
    encoder_.AppendTrailer(buffer_);
    Status flushed = Flush();
    done_ = true;
    if (!flushed.ok()) {
      conn_.CopyAbandon();
      return flushed.take_error().WithContext("COPY into " + table_.name);
    }
    Result<uint64_t> stored = conn_.CopyEnd();
    if (!stored.ok()) return stored.take_error().WithContext("COPY into " + table_.name);
    if (*stored != rows_) {
      return Error::Internal("COPY into " + table_.name + " stored " + std::to_string(*stored) +
                             " rows, but " + std::to_string(rows_) + " were sent");
    }
    return Status::Ok();
  }

 private:
  Status Flush() {
    Status s = conn_.CopyPut(buffer_);
    buffer_.clear();
    return s;
  }

  PgConnection& conn_;
  const TableSchema& table_;
  CopyEncoder encoder_;
  std::string buffer_;
  uint64_t rows_ = 0;
  bool done_ = false;
};

}  // namespace

void CopyEncoder::AppendHeader(std::string& out) const {
  if (format_ != sql::CopyFormat::kBinary) return;
  out.append("PGCOPY\n\377\r\n\0", 11);
  PutUint32(out, 0);  // flags: no OIDs
  PutUint32(out, 0);  // header extension length
}

void CopyEncoder::AppendTrailer(std::string& out) const {
  if (format_ == sql::CopyFormat::kBinary) PutUint16(out, 0xFFFF);
}

void CopyEncoder::AppendRow(const ColumnBatch& batch, size_t row, std::string& out) const {
  const TableSchema& schema = batch.schema();
  const size_t ncols = batch.columns();
  if (format_ == sql::CopyFormat::kBinary) {
    PutUint16(out, static_cast<uint16_t>(ncols));
    for (size_t c = 0; c < ncols; ++c) {
      if (batch.IsNull(c, row)) {
        PutUint32(out, 0xFFFFFFFFu);  // length -1: NULL
        continue;
      }
      switch (schema.columns[c].type) {
        case ColumnType::kBigInt:
          PutUint32(out, 8);
          PutUint64(out, static_cast<uint64_t>(batch.Int(c, row)));
          break;
        case ColumnType::kDouble:
          PutUint32(out, 8);
          PutUint64(out, std::bit_cast<uint64_t>(batch.Double(c, row)));
          break;
        case ColumnType::kTimestamp:  // PostgreSQL counts microseconds from 2000-01-01
          PutUint32(out, 8);
          PutUint64(out, static_cast<uint64_t>(batch.Int(c, row) - kPostgresEpochMicros));
          break;
        case ColumnType::kText: {
          std::string_view s = batch.Text(c, row);
          PutUint32(out, static_cast<uint32_t>(s.size()));
          out.append(s);
          break;
        }
      }
    }
    return;
  }
  char number[32];
  for (size_t c = 0; c < ncols; ++c) {
    if (c > 0) out += '\t';
    if (batch.IsNull(c, row)) {
      out.append("\\N", 2);
      continue;
    }
    switch (schema.columns[c].type) {
      case ColumnType::kBigInt: {
        auto [end, ec] = std::to_chars(number, number + sizeof(number), batch.Int(c, row));
        out.append(number, end);
        break;
      }
      case ColumnType::kDouble: {
        // Shortest round-trip text: PostgreSQL's float8in reads it back to the same bits.
        auto [end, ec] = std::to_chars(number, number + sizeof(number), batch.Double(c, row));
        out.append(number, end);
        break;
      }
      case ColumnType::kText:
        AppendEscaped(out, batch.Text(c, row));
        break;
      case ColumnType::kTimestamp:
        out.append(FormatTimestampMicros(batch.Int(c, row)));
        break;
    }
  }
  out += '\n';
}

Result<std::unique_ptr<BulkLoader>> OpenCopyLoader(PgConnection& conn, const TableSchema& table,
                                                   sql::CopyFormat format) {
  Status started = conn.CopyStart(sql::RenderCopyFromStdin(table, format));
  if (!started.ok()) return started.take_error().WithContext("starting COPY into " + table.name);
  return std::unique_ptr<BulkLoader>(std::make_unique<CopyLoader>(conn, table, format));
}

}  // namespace sparkify::engine
