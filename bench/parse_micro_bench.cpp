// Google Benchmark micro-benchmarks of the hot paths: the event-line and song-file parsers,
// the play mapper of the direct transform, DuckDB appends of staged rows, and the merge of
// dim_time's distinct start times.
//   cmake -DSPARKIFY_BUILD_BENCH=ON ... && build-release/parse_micro_bench
#include <benchmark/benchmark.h>

#include <string>

#include "sparkify/common/distinct_spill.hpp"
#include "sparkify/engine/duckdb/duckdb_engine.hpp"
#include "sparkify/parse/record_parser.hpp"
#include "sparkify/parse/records.hpp"
#include "sparkify/pipeline/create_tables.hpp"
#include "sparkify/pipeline/star_builder.hpp"

namespace {

using sparkify::ColumnBatch;

class NullSink final : public sparkify::parse::LoadErrorSink {
 public:
  void Report(sparkify::parse::LoadError) override {}
};

// A block of realistic event lines (the public sample's shape), ~1 MB.
std::string EventBlock() {
  std::string block;
  for (int i = 0; block.size() < (1 << 20); ++i) {
    block +=
        R"({"artist":"Des'ree","auth":"Logged In","firstName":"Kaylee","gender":"F","itemInSession":)" +
        std::to_string(i % 50) +
        R"(,"lastName":"Summers","length":246.30812,"level":"free","location":"Phoenix-Mesa-Scottsdale, AZ","method":"PUT","page":")" +
        (i % 5 ? "NextSong" : "Home") +
        R"(","registration":1540344794796.0,"sessionId":139,"song":"You Gotta Be","status":200,"ts":)" +
        std::to_string(1541106106796 + i) +
        R"(,"userAgent":"\"Mozilla\/5.0 (Windows NT 6.1; WOW64) AppleWebKit\/537.36 (KHTML, like Gecko) Chrome\/35.0.1916.153 Safari\/537.36\"","userId":")" +
        std::to_string(i % 100) + "\"}\n";
  }
  return block;
}

void BM_ParseEventLines(benchmark::State& state) {
  std::string block = EventBlock();
  const size_t size = block.size();
  block.append(sparkify::parse::kPadding, '\0');
  sparkify::parse::RecordParser parser;
  NullSink sink;
  ColumnBatch batch(sparkify::parse::StagingEventsSchema());
  for (auto _ : state) {
    batch.Clear();
    auto counts = parser.ParseEventLines("bench.json", 0, block.data(), size, block.size(), 1, 0,
                                         batch, sink);
    benchmark::DoNotOptimize(counts);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch.rows()));
}
BENCHMARK(BM_ParseEventLines);

void BM_ParseSongFile(benchmark::State& state) {
  std::string song =
      R"({"num_songs": 1, "artist_id": "AR62SOJ1187FB47BB5", "artist_latitude": null, "artist_longitude": null, "artist_location": "", "artist_name": "Chase & Status", "song_id": "SOGVQGJ12AB017F169", "title": "Ten Tonne", "duration": 337.68444, "year": 2005})";
  const size_t size = song.size();
  song.append(sparkify::parse::kPadding, '\0');
  sparkify::parse::RecordParser parser;
  NullSink sink;
  ColumnBatch batch(sparkify::parse::StagingSongsSchema());
  for (auto _ : state) {
    if (batch.rows() > 4096) batch.Clear();
    parser.ParseSongFile("song.json", song.data(), size, song.size(), batch, sink);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseSongFile);

ColumnBatch ParsedEvents() {
  std::string block = EventBlock();
  const size_t size = block.size();
  block.append(sparkify::parse::kPadding, '\0');
  sparkify::parse::RecordParser parser;
  NullSink sink;
  ColumnBatch batch(sparkify::parse::StagingEventsSchema());
  parser.ParseEventLines("bench.json", 0, block.data(), size, block.size(), 1, 0, batch, sink);
  return batch;
}

void BM_MapPlays(benchmark::State& state) {
  ColumnBatch events = ParsedEvents();
  sparkify::pipeline::SongIndex songs;
  sparkify::pipeline::PlayMapper mapper(songs);
  ColumnBatch plays(sparkify::pipeline::FactSongplaySchema());
  for (auto _ : state) {
    plays.Clear();
    mapper.Map(events, 0, plays);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.rows()));
}
BENCHMARK(BM_MapPlays);

void BM_DuckDbAppendStagedEvents(benchmark::State& state) {
  ColumnBatch events = ParsedEvents();
  auto engine = sparkify::engine::OpenDuckDb({":memory:", 1});
  if (!engine.ok() || !sparkify::pipeline::CreateTables(**engine).ok()) {
    state.SkipWithError("cannot open DuckDB");
    return;
  }
  auto loader = (*engine)->OpenBulkLoader(sparkify::parse::StagingEventsSchema());
  for (auto _ : state) {
    if (!(*loader)->Append(events).ok()) state.SkipWithError("append failed");
  }
  (void)(*loader)->Finish();
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.rows()));
}
BENCHMARK(BM_DuckDbAppendStagedEvents);

}  // namespace

// dim_time's serial part (pipeline::LoadTimes without the engine): the plays' start times added
// to the spill in about time order (a repeat now and then), the runs merged, and each distinct
// time's row with its calendar fields appended to a batch. Items: plays.
void BM_DimTimeMergeAndFields(benchmark::State& state) {
  const int64_t plays = state.range(0);
  for (auto _ : state) {
    sparkify::DistinctSpill spill;
    int64_t t = 1'541'030'400'000'000;
    for (int64_t i = 0; i < plays; ++i) {
      t += (i % 97 == 0) ? 0 : 300'000 + (i * 7919) % 1000;
      if (!spill.Add(t).ok()) state.SkipWithError("spill");
    }
    ColumnBatch batch(sparkify::pipeline::DimTimeSchema());
    sparkify::pipeline::TimeRowAppender rows;
    sparkify::Status s = spill.ForEachDistinct([&](std::span<const int64_t> times) {
      for (int64_t v : times) {
        rows.Append(batch, v);
        if (batch.rows() >= 16384) batch.Clear();
      }
      return sparkify::Status::Ok();
    });
    if (!s.ok()) state.SkipWithError("merge");
    benchmark::DoNotOptimize(batch.rows());
  }
  state.SetItemsProcessed(state.iterations() * plays);
}
BENCHMARK(BM_DimTimeMergeAndFields)->Arg(8'220'499)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
