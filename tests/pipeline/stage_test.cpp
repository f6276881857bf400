#include "sparkify/pipeline/stage.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "sparkify/engine/duckdb/duckdb_engine.hpp"
#include "sparkify/parse/records.hpp"
#include "sparkify/pipeline/create_tables.hpp"
#include "sparkify/source/checksum.hpp"
#include "sparkify/source/local_source.hpp"
#include "testing/test_util.hpp"

namespace sparkify::pipeline {
namespace {

std::string EventLine(int i, int pad = 0) {
  return R"({"page":"NextSong","ts":)" + std::to_string(1541106106796 + i) +
         R"(,"sessionId":1,"song":")" + std::string(static_cast<size_t>(pad), 'x') + R"("})";
}

class StageTest : public ::testing::TestWithParam<std::tuple<size_t, int, bool>> {};

// Lines that straddle read blocks, lines longer than a block and bad lines at block edges all
// come out with the right line numbers, whatever the block size and thread count.
TEST_P(StageTest, SplitsBlocksAtLineEnds) {
  auto [block, threads, ordered] = GetParam();
  testing::TempDir dir;
  std::string expected_bad;
  for (int f = 0; f < 3; ++f) {
    std::string text;
    for (int i = 0; i < 200; ++i) {
      if (i % 37 == 5) {
        text += "{\"broken\":\n";
      } else {
        text += EventLine(i, i % 50 == 0 ? 3000 : i % 7) + "\n";
      }
    }
    if (f == 2) text.pop_back();  // no trailing newline
    testing::WriteFile(dir / ("log/f" + std::to_string(f) + ".json"), text);
  }
  auto engine = engine::OpenDuckDb({":memory:", 1});
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE(CreateTables(**engine).ok());
  auto loader = (*engine)->OpenBulkLoader(parse::StagingEventsSchema());
  ASSERT_TRUE(loader.ok());
  source::LocalSource source(dir / "log");
  auto files = source.List();
  ASSERT_TRUE(files.ok());
  parse::CollectingSink sink;
  StageOptions options;
  options.block_bytes = block;
  options.threads = threads;
  options.batch_rows = 64;
  StageHooks hooks;
  hooks.ordered = ordered;
  int64_t last_seq = -1;
  bool in_order = true;
  hooks.consume = [&](Chunk& chunk) -> Status {
    for (size_t r = 0; r < chunk.raw->rows(); ++r) {
      int64_t seq = chunk.raw->Int(18, r);  // event_seq: file index << 32 | line
      if (seq <= last_seq) in_order = false;
      last_seq = seq;
    }
    return (*loader)->Append(*chunk.raw);
  };
  auto stats = StageFiles(RawKind::kEvents, source, *files, sink, options, hooks);
  ASSERT_TRUE(stats.ok()) << stats.error().ToString();
  ASSERT_TRUE((*loader)->Finish().ok());
  if (ordered) {
    EXPECT_TRUE(in_order) << "ordered staging delivered rows out of load order";
  }
  auto errors = sink.Take();
  // Lines 6, 43, 80, 117, 154, 191 of each file are bad (i % 37 == 5).
  EXPECT_EQ(stats->rejected, 18u);
  EXPECT_EQ(stats->rows, 3u * 200 - 18);
  ASSERT_EQ(errors.size(), 18u);
  for (const auto& e : errors) {
    EXPECT_EQ((e.line - 1) % 37, 5u) << e.file << ":" << e.line;
  }
  auto count = (*engine)->Query("select count(*), count(distinct ts) from staging_events");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->rows[0][0], std::to_string(3 * 200 - 18));
}

INSTANTIATE_TEST_SUITE_P(BlockSizes, StageTest,
                         ::testing::Values(std::tuple<size_t, int, bool>{64, 1, false},
                                           std::tuple<size_t, int, bool>{1000, 2, false},
                                           std::tuple<size_t, int, bool>{4 << 20, 3, false},
                                           std::tuple<size_t, int, bool>{64, 3, true},
                                           std::tuple<size_t, int, bool>{1000, 2, true}));

// A mapper that copies the event_seq of each raw row past line 100 of its file into a
// one-column derived batch (the first lines derive nothing: chunks with no derived rows).
class SeqMapper : public RowMapper {
 public:
  void MapRow(std::span<const FieldValue> raw, ColumnBatch& derived) override {
    const int64_t seq = raw[18].int_value;
    if ((seq & 0xffffffff) <= 100) return;
    const FieldValue row[] = {FieldValue::Int(seq)};
    derived.AppendRow(row);
  }
};

const TableSchema& SeqSchema() {
  static const TableSchema s{"seq", {{"event_seq", ColumnType::kBigInt}}};
  return s;
}

// With hand_over_raw off the consumer gets only the derived rows (each record goes from the
// parser to the mapper, no raw batch is handed over), yet every row is mapped exactly once and
// arrives in load order, at 1 and 3 threads, also after chunks that derived nothing. With it on,
// the raw batches are mapped after each parse step into the same derived rows, and handed over.
TEST(StageFiles, DerivedRowsAloneReachTheConsumerWhenRawIsKept) {
  testing::TempDir dir;
  for (int f = 0; f < 4; ++f) {
    std::string text;
    for (int i = 0; i < 300; ++i) text += EventLine(i) + "\n";
    testing::WriteFile(dir / ("log/f" + std::to_string(f) + ".json"), text);
  }
  source::LocalSource source(dir / "log");
  auto files = source.List();
  ASSERT_TRUE(files.ok());
  for (const auto& [threads, hand_over_raw] :
       {std::pair{1, false}, std::pair{3, false}, std::pair{1, true}, std::pair{3, true}}) {
    SCOPED_TRACE(std::to_string(threads) + " threads, hand_over_raw " +
                 std::to_string(hand_over_raw));
    std::vector<SeqMapper> mappers(static_cast<size_t>(threads));
    parse::CollectingSink sink;
    StageOptions options;
    options.threads = threads;
    options.batch_rows = 50;
    options.block_bytes = 4000;
    StageHooks hooks;
    hooks.ordered = true;
    hooks.hand_over_raw = hand_over_raw;
    hooks.mapper_for = [&](int w) -> RowMapper* { return &mappers[static_cast<size_t>(w)]; };
    hooks.derived_schema = &SeqSchema();
    std::vector<int64_t> seen;
    bool raw_handed_over = false;
    uint64_t raw_rows = 0;
    hooks.consume = [&](Chunk& chunk) -> Status {
      if (chunk.raw) raw_handed_over = true;
      if (chunk.raw) raw_rows += chunk.raw->rows();
      if (chunk.derived) {
        for (size_t r = 0; r < chunk.derived->rows(); ++r) seen.push_back(chunk.derived->Int(0, r));
      }
      return Status::Ok();
    };
    auto stats = StageFiles(RawKind::kEvents, source, *files, sink, options, hooks);
    ASSERT_TRUE(stats.ok()) << stats.error().ToString();
    EXPECT_EQ(raw_handed_over, hand_over_raw);
    EXPECT_EQ(raw_rows, hand_over_raw ? 4u * 300 : 0u);
    EXPECT_EQ(stats->rows, 4u * 300);
    ASSERT_EQ(seen.size(), 4u * 200);
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end()) << "a row mapped twice";
  }
}

// A line past max_line_bytes (a file without line ends, say) is one load error and is skipped
// to its end; the lines around it load and keep their numbers; the checksum covers every byte.
TEST(StageFiles, OverlongLineIsSkippedWithBoundedMemory) {
  testing::TempDir dir;
  const std::string first = EventLine(1) + "\n";
  const std::string huge = EventLine(2, 5000) + "\n";
  const std::string text = first + huge + EventLine(3) + "\n" + EventLine(4);
  testing::WriteFile(dir / "log/a.json", text);
  testing::WriteFile(dir / "log/b.json", first + EventLine(5, 9000));  // ends inside the line
  source::LocalSource source(dir / "log");
  auto files = source.List();
  ASSERT_TRUE(files.ok());
  parse::CollectingSink sink;
  StageOptions options;
  options.block_bytes = 512;
  options.max_line_bytes = 2048;
  StageHooks hooks;
  uint64_t rows = 0;
  hooks.consume = [&](Chunk& chunk) -> Status {
    rows += chunk.raw->rows();
    return Status::Ok();
  };
  auto stats = StageFiles(RawKind::kEvents, source, *files, sink, options, hooks);
  ASSERT_TRUE(stats.ok()) << stats.error().ToString();
  EXPECT_EQ(rows, 4u);
  auto errors = sink.Take();
  ASSERT_EQ(errors.size(), 2u);
  std::sort(errors.begin(), errors.end(),
            [](const auto& x, const auto& y) { return x.file < y.file; });
  EXPECT_EQ(errors[0].line, 2u);
  EXPECT_EQ(errors[0].byte_offset, first.size());
  EXPECT_NE(errors[0].reason.find("line longer than"), std::string::npos) << errors[0].reason;
  EXPECT_EQ(errors[1].line, 2u);
  ASSERT_EQ(stats->per_file.size(), 2u);
  EXPECT_EQ(stats->per_file[0].rows, 3u);
  EXPECT_EQ(stats->per_file[0].rejected, 1u);
  source::LocalSource again(dir / "log");
  auto whole = source::ChecksumOf(again, (*files)[0]);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(stats->per_file[0].checksum.Hex(), *whole);
}

TEST(StageFiles, UnreadableFileIsALoadErrorNotAFailure) {
  testing::TempDir dir;
  testing::WriteFile(dir / "songs/a.json", R"({"song_id":"S1","artist_id":"A1"})");
  source::LocalSource source(dir / "songs");
  auto files = source.List();
  ASSERT_TRUE(files.ok());
  files->push_back(source::SourceFile{dir / "songs/vanished.json", 10, 0, "", "vanished.json"});
  auto engine = engine::OpenDuckDb({":memory:", 1});
  ASSERT_TRUE(CreateTables(**engine).ok());
  parse::CollectingSink sink;
  StageHooks hooks;
  hooks.consume = [](Chunk&) -> Status { return Status::Ok(); };
  auto stats = StageFiles(RawKind::kSongs, source, *files, sink, StageOptions{}, hooks);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->rows, 1u);
  auto errors = sink.Take();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 0u);
  EXPECT_NE(errors[0].reason.find("cannot read file"), std::string::npos);
}

TEST(LocalSource, ListsJsonFilesSortedAndSkipsHidden) {
  testing::TempDir dir;
  testing::WriteFile(dir / "d/b/2.json", "{}");
  testing::WriteFile(dir / "d/a/1.json", "{}");
  testing::WriteFile(dir / "d/a/notes.txt", "x");
  testing::WriteFile(dir / "d/.ipynb_checkpoints/3.json", "{}");
  testing::WriteFile(dir / "d/a/.hidden.json", "{}");
  source::LocalSource source(dir / "d");
  auto files = source.List();
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].uri, dir / "d/a/1.json");
  EXPECT_EQ((*files)[1].uri, dir / "d/b/2.json");
  EXPECT_EQ((*files)[0].size, 2u);
  source::LocalSource missing(dir / "nope");
  auto none = missing.List();
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace sparkify::pipeline
