// The catalog's rendering switches that change what a statement does, not only its dialect.
#include "sparkify/sql/catalog.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sparkify::sql {
namespace {

// dim_time from the plays: materialized for a serial insert (whole vectors, no per-vector
// version arrays), streamed into a parallel one (no copy of every time beside the aggregate).
// That both give the same dim_time is shown end to end (SampleE2e.OneThreadAndTwoThreadsAgree).
TEST(CatalogTest, DimTimeFromPlaysIsMaterializedOnlyForASerialInsert) {
  RenderOptions serial;
  serial.serial_insert = true;
  const std::string one = Render(Stmt::kInsertDimTimeFromPlays, Dialect::kDuckDb, serial);
  const std::string many = Render(Stmt::kInsertDimTimeFromPlays, Dialect::kDuckDb, RenderOptions{});
  EXPECT_NE(one.find("with plays as materialized ("), std::string::npos) << one;
  EXPECT_NE(many.find("with plays as not materialized ("), std::string::npos) << many;
  EXPECT_EQ(one.find("{{"), std::string::npos) << one;
  EXPECT_EQ(many.find("{{"), std::string::npos) << many;
}

}  // namespace
}  // namespace sparkify::sql
