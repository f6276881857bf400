// COPY encodings, byte for byte (no server needed).
#include <gtest/gtest.h>

#include "sparkify/engine/postgres/pg_copy.hpp"

namespace sparkify::engine {
namespace {

const TableSchema& Schema() {
  static const TableSchema schema{
      "t", {{"i", ColumnType::kBigInt}, {"d", ColumnType::kDouble}, {"s", ColumnType::kText}}};
  return schema;
}

std::string Encode(sql::CopyFormat format, const ColumnBatch& batch) {
  CopyEncoder encoder(format);
  std::string out;
  encoder.AppendHeader(out);
  for (size_t r = 0; r < batch.rows(); ++r) encoder.AppendRow(batch, r, out);
  encoder.AppendTrailer(out);
  return out;
}

TEST(CopyEncoderTest, TextFormatEscapesDelimitersAndWritesNullAsBackslashN) {
  ColumnBatch batch(Schema());
  const FieldValue row1[] = {FieldValue::Int(-5), FieldValue::Double(0.1),
                             FieldValue::Text("a\tb\nc\rd\\e \\N")};
  const FieldValue row2[] = {FieldValue::Null(), FieldValue::Null(), FieldValue::Text("")};
  batch.AppendRow(row1);
  batch.AppendRow(row2);
  EXPECT_EQ(Encode(sql::CopyFormat::kText, batch),
            "-5\t0.1\ta\\tb\\nc\\rd\\\\e \\\\N\n"
            "\\N\t\\N\t\n");
}

TEST(CopyEncoderTest, TextFormatWritesDoublesInShortestRoundTripForm) {
  ColumnBatch batch(Schema());
  for (double d : {0.1 + 0.2, 4.9406564584124654e-324, -0.0, 1e300}) {
    const FieldValue row[] = {FieldValue::Int(0), FieldValue::Double(d), FieldValue::Null()};
    batch.AppendRow(row);
  }
  EXPECT_EQ(Encode(sql::CopyFormat::kText, batch),
            "0\t0.30000000000000004\t\\N\n0\t5e-324\t\\N\n0\t-0\t\\N\n0\t1e+300\t\\N\n");
}

TEST(CopyEncoderTest, BinaryFormatHasSignatureNetworkOrderFieldsAndTrailer) {
  ColumnBatch batch(Schema());
  const FieldValue row[] = {FieldValue::Int(258), FieldValue::Double(1.0), FieldValue::Text("hi")};
  const FieldValue nulls[] = {FieldValue::Null(), FieldValue::Null(), FieldValue::Null()};
  batch.AppendRow(row);
  batch.AppendRow(nulls);
  const std::string expected = std::string("PGCOPY\n\xFF\r\n\0", 11) +
                               std::string("\0\0\0\0\0\0\0\0", 8) +  // flags, extension
                               std::string("\0\x03", 2) +            // 3 fields
                               std::string("\0\0\0\x08\0\0\0\0\0\0\x01\x02", 12) +
                               std::string("\0\0\0\x08\x3F\xF0\0\0\0\0\0\0", 12) +
                               std::string("\0\0\0\x02hi", 6) + std::string("\0\x03", 2) +
                               std::string(12, '\xFF') +  // three NULLs: length -1
                               std::string("\xFF\xFF", 2);
  EXPECT_EQ(Encode(sql::CopyFormat::kBinary, batch), expected);
}

TEST(CopyStatementTest, NamesEveryColumnInOrder) {
  EXPECT_EQ(sql::RenderCopyFromStdin(Schema(), sql::CopyFormat::kBinary),
            "copy t (i, d, s) from stdin with (format binary)");
  EXPECT_EQ(sql::RenderCopyFromStdin(Schema(), sql::CopyFormat::kText),
            "copy t (i, d, s) from stdin with (format text)");
}

}  // namespace
}  // namespace sparkify::engine
