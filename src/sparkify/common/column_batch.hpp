// Typed, columnar batches of rows: the unit in which records travel from the parsers to an
// engine's bulk loader (DuckDB appender, PostgreSQL COPY).
//
// A ColumnBatch is bound to a TableSchema that must outlive it. Rows are appended whole
// (AppendRow), so a batch never holds a half-written row. Text values are copied into the
// batch's own storage; views returned by Text() live until the next Clear() or destruction.
// Not thread-safe: one batch belongs to one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sparkify {

// kTimestamp holds microseconds since 1970-01-01 00:00:00 UTC (in the int storage).
enum class ColumnType { kBigInt, kDouble, kText, kTimestamp };

struct ColumnSchema {
  std::string name;
  ColumnType type;
};

struct TableSchema {
  std::string name;
  std::vector<ColumnSchema> columns;
};

// One value of a row being assembled; for kText the view must stay valid until AppendRow.
struct FieldValue {
  enum class Kind : uint8_t { kNull, kInt, kDouble, kText };
  Kind kind = Kind::kNull;
  int64_t int_value = 0;
  double double_value = 0;
  std::string_view text;

  static FieldValue Null() { return {}; }
  static FieldValue Int(int64_t v) { return {Kind::kInt, v, 0, {}}; }
  static FieldValue Double(double v) { return {Kind::kDouble, 0, v, {}}; }
  static FieldValue Text(std::string_view v) { return {Kind::kText, 0, 0, v}; }
};

class ColumnBatch {
 public:
  explicit ColumnBatch(const TableSchema& schema);

  const TableSchema& schema() const { return *schema_; }
  size_t rows() const { return rows_; }
  size_t columns() const { return columns_.size(); }
  bool empty() const { return rows_ == 0; }
  // Approximate bytes held, for bounding memory.
  size_t ByteSize() const;

  // Appends one row; values.size() must equal columns(). A value's kind must match its
  // column's type (kInt for kBigInt and kTimestamp, kDouble for kDouble, kText for kText) or
  // be kNull.
  void AppendRow(std::span<const FieldValue> values);
  // Appends row `row` of `from`, a batch of the same schema.
  void AppendRowOf(const ColumnBatch& from, size_t row);
  void Clear();

  // Overwrites a non-NULL kBigInt/kTimestamp value in place (e.g. an id assigned later).
  void SetInt(size_t col, size_t row, int64_t v) { columns_[col].ints[row] = v; }

  bool IsNull(size_t col, size_t row) const { return !columns_[col].valid[row]; }
  int64_t Int(size_t col, size_t row) const { return columns_[col].ints[row]; }
  double Double(size_t col, size_t row) const { return columns_[col].doubles[row]; }
  std::string_view Text(size_t col, size_t row) const {
    const Column& c = columns_[col];
    return std::string_view(c.arena).substr(c.text_begin[row], c.text_size[row]);
  }
  // Any column's value as a FieldValue (kText: a view as Text() gives; NULL: kNull).
  FieldValue Value(size_t col, size_t row) const;

 private:
  struct Column {
    ColumnType type;
    std::vector<uint8_t> valid;
    std::vector<int64_t> ints;
    std::vector<double> doubles;
    std::vector<uint64_t> text_begin;
    std::vector<uint32_t> text_size;
    std::string arena;
    void Push(const FieldValue& v);  // one value, of the column's type or NULL
  };
  const TableSchema* schema_;
  std::vector<Column> columns_;
  size_t rows_ = 0;
};

}  // namespace sparkify
