#include "sparkify/common/column_batch.hpp"

#include <cassert>

namespace sparkify {

ColumnBatch::ColumnBatch(const TableSchema& schema) : schema_(&schema) {
  columns_.reserve(schema.columns.size());
  for (const ColumnSchema& c : schema.columns)
    columns_.push_back(Column{c.type, {}, {}, {}, {}, {}, {}});
}

size_t ColumnBatch::ByteSize() const {
  size_t bytes = 0;
  for (const Column& c : columns_) {
    bytes += c.valid.size() + c.ints.size() * 8 + c.doubles.size() * 8 + c.text_begin.size() * 12 +
             c.arena.size();
  }
  return bytes;
}

void ColumnBatch::Column::Push(const FieldValue& v) {
  const bool is_valid = v.kind != FieldValue::Kind::kNull;
  valid.push_back(is_valid ? 1 : 0);
  switch (type) {
    case ColumnType::kBigInt:
    case ColumnType::kTimestamp:
      assert((!is_valid || v.kind == FieldValue::Kind::kInt) &&
             "AppendRow: BIGINT column needs kInt");
      ints.push_back(is_valid ? v.int_value : 0);
      break;
    case ColumnType::kDouble:
      assert((!is_valid || v.kind == FieldValue::Kind::kDouble) &&
             "AppendRow: DOUBLE column needs kDouble");
      doubles.push_back(is_valid ? v.double_value : 0);
      break;
    case ColumnType::kText:
      assert((!is_valid || v.kind == FieldValue::Kind::kText) &&
             "AppendRow: TEXT column needs kText");
      text_begin.push_back(arena.size());
      text_size.push_back(is_valid ? static_cast<uint32_t>(v.text.size()) : 0);
      if (is_valid) arena.append(v.text);
      break;
  }
}

void ColumnBatch::AppendRow(std::span<const FieldValue> values) {
  assert(values.size() == columns_.size() && "AppendRow: value count differs from column count");
  for (size_t i = 0; i < columns_.size(); ++i) columns_[i].Push(values[i]);
  ++rows_;
}

void ColumnBatch::AppendRowOf(const ColumnBatch& from, size_t row) {
  assert(from.columns_.size() == columns_.size() && "AppendRowOf: schemas differ");
  for (size_t i = 0; i < columns_.size(); ++i) columns_[i].Push(from.Value(i, row));
  ++rows_;
}

FieldValue ColumnBatch::Value(size_t col, size_t row) const {
  if (IsNull(col, row)) return FieldValue::Null();
  switch (columns_[col].type) {
    case ColumnType::kBigInt:
    case ColumnType::kTimestamp:
      return FieldValue::Int(Int(col, row));
    case ColumnType::kDouble:
      return FieldValue::Double(Double(col, row));
    case ColumnType::kText:
      return FieldValue::Text(Text(col, row));
  }
  return FieldValue::Null();
}

void ColumnBatch::Clear() {
  for (Column& c : columns_) {
    c.valid.clear();
    c.ints.clear();
    c.doubles.clear();
    c.text_begin.clear();
    c.text_size.clear();
    c.arena.clear();
  }
  rows_ = 0;
}

}  // namespace sparkify
