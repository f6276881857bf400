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

void ColumnBatch::AppendRow(std::span<const FieldValue> values) {
  assert(values.size() == columns_.size() && "AppendRow: value count differs from column count");
  for (size_t i = 0; i < columns_.size(); ++i) {
    Column& c = columns_[i];
    const FieldValue& v = values[i];
    const bool valid = v.kind != FieldValue::Kind::kNull;
    c.valid.push_back(valid ? 1 : 0);
    switch (c.type) {
      case ColumnType::kBigInt:
      case ColumnType::kTimestamp:
        assert((!valid || v.kind == FieldValue::Kind::kInt) &&
               "AppendRow: BIGINT column needs kInt");
        c.ints.push_back(valid ? v.int_value : 0);
        break;
      case ColumnType::kDouble:
        assert((!valid || v.kind == FieldValue::Kind::kDouble) &&
               "AppendRow: DOUBLE column needs kDouble");
        c.doubles.push_back(valid ? v.double_value : 0);
        break;
      case ColumnType::kText:
        assert((!valid || v.kind == FieldValue::Kind::kText) &&
               "AppendRow: TEXT column needs kText");
        c.text_begin.push_back(c.arena.size());
        c.text_size.push_back(valid ? static_cast<uint32_t>(v.text.size()) : 0);
        if (valid) c.arena.append(v.text);
        break;
    }
  }
  ++rows_;
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
