// Incremental loads on every engine: appending new files gives exactly the star of one full
// run over all of them; nothing new changes nothing; changed, earlier-sorting and new song
// files rebuild; files gone from the source never silently lose their rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sparkify/pipeline/etl.hpp"
#include "testing/engines.hpp"
#include "testing/pg_testing.hpp"
#include "testing/test_util.hpp"

namespace sparkify {
namespace {

namespace fs = std::filesystem;
using pipeline::LoadMode;
using testing::EngineFactory;
using testing::TempDir;

// Generated once for the whole suite: songs, events over 8 days, injected bad records.
const std::string& GeneratedData() {
  static TempDir* dir = new TempDir();  // lives for the process
  static const std::string data = [] {
    std::string out = dir->path() + "/data";
    auto r = testing::RunSparkify({"generate", "--out", out, "--songs", "240", "--events", "6000",
                                   "--users", "40", "--days", "8", "--match-rate", "0.3", "--seed",
                                   "7", "--malformed", "12", "--threads", "2"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return out;
  }();
  return data;
}

std::vector<std::string> FilesUnder(const std::string& root) {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ".json") {
      files.push_back(fs::relative(e.path(), root).string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// "" when equal, else the first line that differs (the dumps are long).
std::string Difference(const std::string& got, const std::string& want) {
  if (got == want) return "";
  std::istringstream g(got), w(want);
  std::string gl, wl, section;
  for (int line = 1;; ++line) {
    bool more_g = static_cast<bool>(std::getline(g, gl));
    bool more_w = static_cast<bool>(std::getline(w, wl));
    if (!more_g && !more_w) return "differs";
    if (gl.rfind("-- ", 0) == 0) section = gl;
    if (!more_g || !more_w || gl != wl) {
      return section + "\nline " + std::to_string(line) + "\n  got:  " + (more_g ? gl : "<end>") +
             "\n  want: " + (more_w ? wl : "<end>");
    }
  }
}

class IncrementalTest : public ::testing::TestWithParam<EngineFactory> {
 protected:
  void SetUp() override {
    songs_ = FilesUnder(GeneratedData() + "/song_data");
    events_ = FilesUnder(GeneratedData() + "/log_data");
    ASSERT_GT(songs_.size(), 10u);
    ASSERT_GE(events_.size(), 8u);
  }

  std::unique_ptr<engine::Engine> Open() {
    auto e = GetParam().open();
    EXPECT_TRUE(e.ok()) << e.error().ToString();
    return e.ok() ? std::move(e).value() : nullptr;
  }

  // Copies files [first, last) of a kind from the generated data into the source folders.
  void Add(const std::string& kind, size_t first, size_t last) {
    const std::vector<std::string>& list = kind == "song_data" ? songs_ : events_;
    for (size_t i = first; i < last && i < list.size(); ++i) {
      fs::path to = fs::path(src_.path()) / kind / list[i];
      fs::create_directories(to.parent_path());
      fs::copy_file(fs::path(GeneratedData()) / kind / list[i], to,
                    fs::copy_options::overwrite_existing);
    }
  }
  std::string SourceFile(const std::string& kind, size_t i) const {
    const std::vector<std::string>& list = kind == "song_data" ? songs_ : events_;
    return (fs::path(src_.path()) / kind / list[i]).string();
  }

  pipeline::EtlOptions Options(const std::string& root) const {
    pipeline::EtlOptions o;
    o.songs = root + "/song_data";
    o.events = root + "/log_data";
    o.threads = 2;
    return o;
  }
  pipeline::EtlOptions SourceOptions() const { return Options(src_.path()); }

  Result<pipeline::EtlReport> Etl(engine::Engine& e, pipeline::EtlOptions o) {
    return pipeline::RunEtl(e, o);
  }
  LoadMode EtlMode(engine::Engine& e, const pipeline::EtlOptions& o) {
    auto r = pipeline::RunEtl(e, o);
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    return r.ok() ? r->plan.mode : LoadMode::kFull;
  }

  // Every star table, the state incremental runs resume from, and the load errors (file names
  // relative to the source root, which differs between the databases compared).
  std::string Dump(engine::Engine& e, const std::string& root) {
    const std::vector<std::string> queries = {
        "select * from fact_songplay order by songplay_id",
        "select * from dim_user order by user_id",
        "select * from dim_song order by song_id",
        "select * from dim_artist order by artist_id",
        "select * from dim_time order by start_time",
        "select * from etl_user_latest order by user_id",
        "select * from etl_song_match order by title, artist_name, duration",
        "select table_name, file, line, byte_offset, reason from load_errors "
        "order by table_name, file, line",
    };
    std::string out;
    for (const std::string& q : queries) {
      engine::QueryResult r = testing::QueryOrFail(e, q);
      out += "-- " + q + "\n";
      for (const auto& row : r.rows) {
        for (const auto& v : row) {
          std::string cell = v.value_or("NULL");
          size_t at = cell.find(root);
          if (at != std::string::npos) cell.replace(at, root.size(), "<root>");
          out += cell + "|";
        }
        out += "\n";
      }
    }
    return out;
  }

  // The star of one clean run over the current source folder, in a database of its own.
  std::string FullRunDump() {
    auto fresh = Open();
    if (!fresh) return "";
    auto r = Etl(*fresh, SourceOptions());
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_EQ(r->plan.mode, LoadMode::kFull);
    return Dump(*fresh, src_.path());
  }

  std::vector<std::string> songs_, events_;
  TempDir src_;
};

TEST_P(IncrementalTest, AppendingNewEventFilesEqualsOneFullRun) {
  auto e = Open();
  ASSERT_TRUE(e);
  Add("song_data", 0, songs_.size());
  Add("log_data", 0, 3);
  EXPECT_EQ(EtlMode(*e, SourceOptions()), LoadMode::kFull);
  Add("log_data", 3, 6);
  auto second = Etl(*e, SourceOptions());
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(second->plan.mode, LoadMode::kAppend);
  EXPECT_EQ(second->plan.events.fresh.size(), 3u);
  EXPECT_GT(second->plays_added, 0u);
  Add("log_data", 6, events_.size());
  EXPECT_EQ(EtlMode(*e, SourceOptions()), LoadMode::kAppend);
  EXPECT_EQ(Difference(Dump(*e, src_.path()), FullRunDump()), "");
}

TEST_P(IncrementalTest, NewSongFilesRebuildAndStillEqualOneFullRun) {
  auto e = Open();
  ASSERT_TRUE(e);
  Add("song_data", 0, songs_.size() / 2);
  Add("log_data", 0, 4);
  EXPECT_EQ(EtlMode(*e, SourceOptions()), LoadMode::kFull);
  Add("song_data", songs_.size() / 2, songs_.size());
  Add("log_data", 4, events_.size());
  EXPECT_EQ(EtlMode(*e, SourceOptions()), LoadMode::kRebuild);
  EXPECT_EQ(Difference(Dump(*e, src_.path()), FullRunDump()), "");
}

TEST_P(IncrementalTest, RerunWithNothingNewChangesNothing) {
  auto e = Open();
  ASSERT_TRUE(e);
  Add("song_data", 0, songs_.size());
  Add("log_data", 0, events_.size());
  ASSERT_EQ(EtlMode(*e, SourceOptions()), LoadMode::kFull);
  const std::string before = Dump(*e, src_.path());
  auto again = Etl(*e, SourceOptions());
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(again->plan.mode, LoadMode::kNothing);
  EXPECT_EQ(again->plan.reason.rfind("0 new files", 0), 0u) << again->plan.reason;
  EXPECT_EQ(again->plays_added, 0u);
  EXPECT_EQ(Difference(Dump(*e, src_.path()), before), "");
  // A file touched but not changed is not reloaded (its checksum says so).
  fs::last_write_time(SourceFile("log_data", 2),
                      fs::last_write_time(SourceFile("log_data", 2)) + std::chrono::hours(1));
  EXPECT_EQ(EtlMode(*e, SourceOptions()), LoadMode::kNothing);
  EXPECT_EQ(Difference(Dump(*e, src_.path()), before), "");
}

TEST_P(IncrementalTest, ChangedFileIsReloadedAndItsOldRowsReplaced) {
  auto e = Open();
  ASSERT_TRUE(e);
  Add("song_data", 0, songs_.size());
  Add("log_data", 0, events_.size());
  ASSERT_EQ(EtlMode(*e, SourceOptions()), LoadMode::kFull);
  // Cut a loaded file to its first 40 lines: its other plays must disappear.
  const std::string cut = SourceFile("log_data", 1);
  std::string text = testing::ReadFile(cut);
  size_t pos = 0;
  for (int i = 0; i < 40 && pos != std::string::npos; ++i) pos = text.find('\n', pos + 1);
  ASSERT_NE(pos, std::string::npos);
  testing::WriteFile(cut, text.substr(0, pos + 1));
  auto r = Etl(*e, SourceOptions());
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->plan.mode, LoadMode::kRebuild);
  EXPECT_EQ(r->plan.events.changed.size(), 1u);
  EXPECT_EQ(Difference(Dump(*e, src_.path()), FullRunDump()), "");
  // A change that keeps the size: caught by the checksum once the modification time moves.
  const std::string edit = SourceFile("log_data", 3);
  text = testing::ReadFile(edit);
  size_t at = text.find("\"free\"");
  if (at == std::string::npos) at = text.find("\"paid\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at + 1, 4, text.compare(at + 1, 4, "free") == 0 ? "paid" : "free");
  testing::WriteFile(edit, text);
  fs::last_write_time(edit, fs::last_write_time(edit) + std::chrono::hours(2));
  EXPECT_EQ(EtlMode(*e, SourceOptions()), LoadMode::kRebuild);
  EXPECT_EQ(Difference(Dump(*e, src_.path()), FullRunDump()), "");
}

TEST_P(IncrementalTest, EventFileSortingBeforeLoadedOnesRebuilds) {
  auto e = Open();
  ASSERT_TRUE(e);
  Add("song_data", 0, songs_.size());
  Add("log_data", 1, events_.size());
  ASSERT_EQ(EtlMode(*e, SourceOptions()), LoadMode::kFull);
  Add("log_data", 0, 1);
  EXPECT_EQ(EtlMode(*e, SourceOptions()), LoadMode::kRebuild);
  EXPECT_EQ(Difference(Dump(*e, src_.path()), FullRunDump()), "");
}

TEST_P(IncrementalTest, GoneFilesKeepTheirRowsAndBlockARebuild) {
  auto e = Open();
  ASSERT_TRUE(e);
  Add("song_data", 0, songs_.size() - 1);
  Add("log_data", 0, events_.size() - 1);
  ASSERT_EQ(EtlMode(*e, SourceOptions()), LoadMode::kFull);
  fs::remove(SourceFile("log_data", 0));
  // Appending is still exact for what is listed: the gone file's rows stay.
  Add("log_data", events_.size() - 1, events_.size());
  EXPECT_EQ(EtlMode(*e, SourceOptions()), LoadMode::kAppend);
  const std::string before = Dump(*e, src_.path());
  // A rebuild needs the gone file, which can no longer be read: refused, nothing changes.
  Add("song_data", songs_.size() - 1, songs_.size());
  auto refused = Etl(*e, SourceOptions());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(refused.error().message().find(SourceFile("log_data", 0) + ": no longer there"),
            std::string::npos)
      << refused.error().ToString();
  EXPECT_NE(refused.error().message().find("--full-refresh"), std::string::npos);
  EXPECT_EQ(Difference(Dump(*e, src_.path()), before), "");
  // --full-refresh rebuilds from what is listed now.
  pipeline::EtlOptions refresh = SourceOptions();
  refresh.full_refresh = true;
  EXPECT_EQ(EtlMode(*e, refresh), LoadMode::kFull);
  EXPECT_EQ(Difference(Dump(*e, src_.path()), FullRunDump()), "");
}

// A kept file (loaded, not listed now, still where it was read) that a rebuild reads again must
// hold what was loaded. Rewritten in place with its size and modification time unchanged, the
// plan trusts it (as make and rsync would); reading it again for the rebuild finds the change:
// the run is refused and nothing changes.
TEST_P(IncrementalTest, KeptFileChangedUnderItsSizeAndTimeFailsTheRebuild) {
  auto e = Open();
  ASSERT_TRUE(e);
  Add("song_data", 0, songs_.size() - 1);
  Add("log_data", 0, events_.size());
  ASSERT_EQ(EtlMode(*e, SourceOptions()), LoadMode::kFull);
  // The same files under another root, but for the first event file (kept) and with one more
  // song file (a rebuild).
  TempDir moved;
  for (const std::string kind : {"song_data", "log_data"}) {
    fs::copy(fs::path(src_.path()) / kind, fs::path(moved.path()) / kind,
             fs::copy_options::recursive);
  }
  const fs::path kept = SourceFile("log_data", 0);
  fs::remove(fs::path(moved.path()) / "log_data" / events_[0]);
  const fs::path new_song = fs::path(moved.path()) / "song_data" / songs_.back();
  fs::create_directories(new_song.parent_path());
  fs::copy_file(fs::path(GeneratedData()) / "song_data" / songs_.back(), new_song);
  const std::string before = Dump(*e, src_.path());
  // One byte of the kept file changes; its size and time stay.
  const fs::file_time_type mtime = fs::last_write_time(kept);
  std::string text = testing::ReadFile(kept.string());
  const size_t at = text.find("NextSong");
  ASSERT_NE(at, std::string::npos);
  text[at + 7] = 'G';
  testing::WriteFile(kept.string(), text);
  fs::last_write_time(kept, mtime);
  auto refused = Etl(*e, Options(moved.path()));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kNotFound) << refused.error().ToString();
  EXPECT_NE(refused.error().message().find(kept.string() +
                                           ", loaded earlier and read again for the rebuild, no "
                                           "longer holds what was loaded"),
            std::string::npos)
      << refused.error().ToString();
  EXPECT_NE(refused.error().message().find("--full-refresh"), std::string::npos);
  EXPECT_EQ(Difference(Dump(*e, src_.path()), before), "");
}

TEST_P(IncrementalTest, ManifestAndRunsRecordEveryFileAndRun) {
  auto e = Open();
  ASSERT_TRUE(e);
  Add("song_data", 0, songs_.size());
  Add("log_data", 0, 4);
  ASSERT_EQ(EtlMode(*e, SourceOptions()), LoadMode::kFull);
  Add("log_data", 4, events_.size());
  ASSERT_EQ(EtlMode(*e, SourceOptions()), LoadMode::kAppend);
  // A failed run rolls back and is still recorded.
  pipeline::EtlOptions strict = SourceOptions();
  strict.full_refresh = true;
  strict.max_errors = 0;
  ASSERT_FALSE(Etl(*e, strict).ok());
  auto runs = testing::QueryOrFail(
      *e, "select run_id, status, mode, files_loaded from runs order by run_id");
  ASSERT_EQ(runs.rows.size(), 3u);
  EXPECT_EQ(*runs.rows[0][1], "succeeded");
  EXPECT_EQ(*runs.rows[0][2], "full");
  EXPECT_EQ(*runs.rows[0][3], std::to_string(songs_.size() + 4));
  EXPECT_EQ(*runs.rows[1][2], "incremental");
  EXPECT_EQ(*runs.rows[1][3], std::to_string(events_.size() - 4));
  EXPECT_EQ(*runs.rows[2][1], "failed");
  auto manifest = testing::QueryOrFail(
      *e,
      "select kind, count(*), sum(rows_loaded), sum(rows_rejected), count(distinct run_id), "
      "min(length(checksum)) from load_manifest group by kind order by kind");
  ASSERT_EQ(manifest.rows.size(), 2u);
  EXPECT_EQ(*manifest.rows[0][0], "events");
  EXPECT_EQ(*manifest.rows[0][1], std::to_string(events_.size()));
  EXPECT_EQ(*manifest.rows[0][4], "2");
  EXPECT_EQ(*manifest.rows[0][5], "16");
  EXPECT_EQ(*manifest.rows[1][1], std::to_string(songs_.size()));
  // Rows loaded and rejected per file add up to the staged records and the load errors.
  auto errors = testing::QueryOrFail(*e, "select count(*) from load_errors");
  auto totals = testing::QueryOrFail(*e, "select sum(rows_rejected) from load_manifest");
  EXPECT_EQ(*errors.rows[0][0], *totals.rows[0][0]);
  EXPECT_NE(*errors.rows[0][0], "0");
}

TEST_P(IncrementalTest, KeptStagingContinuesTheLoadOrder) {
  auto e = Open();
  ASSERT_TRUE(e);
  Add("song_data", 0, songs_.size());
  Add("log_data", 0, 5);
  pipeline::EtlOptions keep = SourceOptions();
  keep.keep_staging = true;
  ASSERT_EQ(EtlMode(*e, keep), LoadMode::kFull);
  Add("log_data", 5, events_.size());
  ASSERT_EQ(EtlMode(*e, keep), LoadMode::kAppend);
  auto fresh = Open();
  ASSERT_TRUE(fresh);
  ASSERT_EQ(EtlMode(*fresh, keep), LoadMode::kFull);
  const std::string q = "select * from staging_events order by event_seq";
  EXPECT_EQ(testing::QueryOrFail(*e, q).rows, testing::QueryOrFail(*fresh, q).rows);
}

INSTANTIATE_TEST_SUITE_P(Engines, IncrementalTest, ::testing::ValuesIn(testing::TestEngines()),
                         testing::EngineName());

}  // namespace
}  // namespace sparkify
