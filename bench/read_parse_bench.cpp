// sparkify's own read + parse, without any engine: lists and parses every song and event file
// of DIR with N worker threads (the same StageFiles as etl, consumer discarding the rows) and
// prints the peers' harness protocol (PHASE lines and a CHECK line), so
// ../shared/peers/run_peers.sh can compare it with the simdjson ceiling in the same run:
//   build-release/read_parse_bench DIR THREADS
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sparkify/parse/load_error.hpp"
#include "sparkify/pipeline/stage.hpp"
#include "sparkify/source/source.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Discards bad records: only their count matters here.
class CountingSink final : public sparkify::parse::LoadErrorSink {
 public:
  void Report(sparkify::parse::LoadError) override { ++count; }
  uint64_t count = 0;
};

bool Stage(sparkify::pipeline::RawKind kind, const std::string& dir, int threads, uint64_t& rows,
           double& seconds) {
  auto start = Clock::now();
  auto source = sparkify::source::OpenSource(dir);
  if (!source.ok()) return false;
  auto files = (*source)->List();
  if (!files.ok()) return false;
  CountingSink sink;
  sparkify::pipeline::StageOptions options;
  options.threads = threads;
  sparkify::pipeline::StageHooks hooks;
  hooks.consume = [](sparkify::pipeline::Chunk&) { return sparkify::Status::Ok(); };
  auto stats = sparkify::pipeline::StageFiles(kind, **source, *files, sink, options, hooks);
  if (!stats.ok()) {
    std::fprintf(stderr, "%s\n", stats.error().ToString().c_str());
    return false;
  }
  rows = stats->rows;
  seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: read_parse_bench DIR THREADS\n");
    return 2;
  }
  std::string dir = argv[1];
  int threads = std::atoi(argv[2]);
  uint64_t songs = 0, events = 0;
  double song_s = 0, event_s = 0;
  if (!Stage(sparkify::pipeline::RawKind::kSongs, dir + "/song_data", threads, songs, song_s) ||
      !Stage(sparkify::pipeline::RawKind::kEvents, dir + "/log_data", threads, events, event_s)) {
    return 1;
  }
  std::printf("PHASE stage_songs %.3f\nPHASE stage_events %.3f\nPHASE transform 0\n", song_s,
              event_s);
  std::printf("CHECK staging_songs=%llu staging_events=%llu\n",
              static_cast<unsigned long long>(songs), static_cast<unsigned long long>(events));
  return 0;
}
