#include "sparkify/common/column_batch.hpp"

#include <gtest/gtest.h>

namespace sparkify {
namespace {

const TableSchema& Schema() {
  static const TableSchema s{"t",
                             {{"i", ColumnType::kBigInt},
                              {"d", ColumnType::kDouble},
                              {"s", ColumnType::kText},
                              {"ts", ColumnType::kTimestamp}}};
  return s;
}

// A row copied from another batch, and each value read back as a FieldValue, is the row that
// was appended: values, NULLs and empty text alike.
TEST(ColumnBatch, AppendRowOfCopiesValuesAndNulls) {
  ColumnBatch from(Schema());
  const FieldValue first[] = {FieldValue::Int(7), FieldValue::Null(), FieldValue::Text("abc"),
                              FieldValue::Int(1541106106796000)};
  const FieldValue second[] = {FieldValue::Null(), FieldValue::Double(-0.5), FieldValue::Text(""),
                               FieldValue::Null()};
  from.AppendRow(first);
  from.AppendRow(second);
  ColumnBatch to(Schema());
  to.AppendRowOf(from, 1);
  to.AppendRowOf(from, 0);
  ASSERT_EQ(to.rows(), 2u);
  for (size_t c = 0; c < Schema().columns.size(); ++c) {
    for (size_t r = 0; r < 2; ++r) {
      const FieldValue want = from.Value(c, 1 - r), got = to.Value(c, r);
      EXPECT_EQ(got.kind, want.kind) << c << "," << r;
      EXPECT_EQ(got.int_value, want.int_value) << c << "," << r;
      EXPECT_EQ(got.double_value, want.double_value) << c << "," << r;
      EXPECT_EQ(got.text, want.text) << c << "," << r;
    }
  }
  EXPECT_EQ(to.Value(0, 1).kind, FieldValue::Kind::kInt);
  EXPECT_EQ(to.Value(0, 1).int_value, 7);
  EXPECT_EQ(to.Value(1, 1).kind, FieldValue::Kind::kNull);
  EXPECT_EQ(to.Value(1, 0).double_value, -0.5);
  EXPECT_EQ(to.Value(2, 1).text, "abc");
  EXPECT_EQ(to.Value(2, 0).kind, FieldValue::Kind::kText);
  EXPECT_EQ(to.Value(2, 0).text, "");
  EXPECT_EQ(to.Value(3, 0).kind, FieldValue::Kind::kNull);
  EXPECT_EQ(to.Value(3, 1).int_value, 1541106106796000);
}

}  // namespace
}  // namespace sparkify
