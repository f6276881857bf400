// What a file is (docs/RELIABILITY.md): a file is known by its kind and its path below the
// --songs/--events location, with its size and content checksum; where it was last read from is
// kept beside it. Through the binary, on real files, against one full run over the same files:
// copies and moves load nothing, separate folders add up, the warehouse keeps every file ever
// loaded until --full-refresh, and a rebuild that cannot read a kept file stops, changing
// nothing. On DuckDB and PostgreSQL (the manifest code is shared; Redshift's planning is tested
// in tests/pipeline/redshift_fake_etl_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "sparkify/engine/duckdb/duckdb_engine.hpp"
#include "testing/pg_testing.hpp"
#include "testing/test_util.hpp"

namespace sparkify {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::RunSparkify;
using testing::TempDir;

// Every star table, songplay_id included, ordered by key, as CSV.
constexpr const char* kStarQueries[] = {
    "select * from fact_songplay order by songplay_id",
    "select * from dim_user order by user_id",
    "select * from dim_song order by song_id",
    "select * from dim_artist order by artist_id",
    "select * from dim_time order by start_time",
};

// The sample's files, and folders made of subsets of them.
struct Sample {
  std::vector<fs::path> songs;   // relative to song_data
  std::vector<fs::path> events;  // relative to log_data

  Sample() {
    const fs::path root = testing::SampleDataDir();
    for (const auto& [dir, out] :
         {std::pair{root / "song_data", &songs}, std::pair{root / "log_data", &events}}) {
      for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file() && e.path().extension() == ".json")
          out->push_back(e.path().lexically_relative(dir));
      }
      std::sort(out->begin(), out->end());
    }
  }
  // Writes a dataset folder (song_data, log_data) with the songs and events `pick` keeps.
  static void Copy(const fs::path& from, const std::vector<fs::path>& files, const fs::path& to,
                   const std::function<bool(size_t)>& pick) {
    fs::create_directories(to);
    for (size_t i = 0; i < files.size(); ++i) {
      if (!pick(i)) continue;
      fs::create_directories((to / files[i]).parent_path());
      fs::copy_file(from / files[i], to / files[i]);
    }
  }
  void Write(const fs::path& root, const std::function<bool(size_t)>& songs_pick,
             const std::function<bool(size_t)>& events_pick) const {
    const fs::path sample = testing::SampleDataDir();
    Copy(sample / "song_data", songs, root / "song_data", songs_pick);
    Copy(sample / "log_data", events, root / "log_data", events_pick);
  }
};

bool All(size_t) { return true; }

// A target the binary loads: a DuckDB file, or a fresh PostgreSQL database.
class Target {
 public:
  virtual ~Target() = default;
  virtual std::string uri() const = 0;
};

class DuckDbTarget final : public Target {
 public:
  explicit DuckDbTarget(std::string path) : path_(std::move(path)) {}
  std::string uri() const override { return "duckdb:" + path_; }

 private:
  std::string path_;
};

class PgTarget final : public Target {
 public:
  explicit PgTarget(std::unique_ptr<testing::PgTestDatabase> db) : db_(std::move(db)) {}
  std::string uri() const override { return db_->conninfo(); }

 private:
  std::unique_ptr<testing::PgTestDatabase> db_;
};

class FileIdentityTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<Target> NewTarget() {
    if (GetParam() == "duckdb") {
      return std::make_unique<DuckDbTarget>(dir_.path() + "/w" + std::to_string(++made_) +
                                            ".duckdb");
    }
    auto db = testing::PgTestDatabase::Create();
    if (!db.ok()) {
      ADD_FAILURE() << db.error().ToString();
      return nullptr;
    }
    return std::make_unique<PgTarget>(std::move(db).value());
  }
  CommandResult Etl(const Target& t, const fs::path& data,
                    const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"etl",
                                  "--target",
                                  t.uri(),
                                  "--songs",
                                  (data / "song_data").string(),
                                  "--events",
                                  (data / "log_data").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunSparkify(args);
  }
  std::string Query(const Target& t, const std::string& sql) {
    CommandResult r = RunSparkify({"query", "--target", t.uri(), "--format", "csv", "--sql", sql});
    EXPECT_EQ(r.exit_code, 0) << sql << "\n" << r.err;
    return r.out;
  }
  std::string Star(const Target& t) {
    std::string out;
    for (const char* q : kStarQueries) out += Query(t, q);
    return out;
  }
  // The star of one full run over `data` in a database of its own.
  std::string FullRunStar(const fs::path& data) {
    std::unique_ptr<Target> t = NewTarget();
    if (!t) return "";
    CommandResult r = Etl(*t, data);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("(full)"), std::string::npos) << r.err;
    return Star(*t);
  }
  fs::path Folder(const std::string& name) { return fs::path(dir_.path()) / name; }

  TempDir dir_;
  Sample sample_;
  int made_ = 0;
};

// (a) A loaded folder copied elsewhere, and the original then moved away: nothing new, the star
// unchanged, exit 0; the manifest follows the files.
TEST_P(FileIdentityTest, ACopiedOrMovedFolderLoadsNothingNew) {
  auto t = NewTarget();
  ASSERT_TRUE(t);
  sample_.Write(Folder("A"), All, All);
  CommandResult first = Etl(*t, Folder("A"));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("full load: no earlier load"), std::string::npos) << first.err;
  const std::string star = Star(*t);
  ASSERT_NE(star.find("6820"), std::string::npos) << "the last play's id";

  fs::copy(Folder("A"), Folder("B"), fs::copy_options::recursive);
  CommandResult copy = Etl(*t, Folder("B"));
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  EXPECT_NE(copy.err.find("0 new files"), std::string::npos) << copy.err;
  EXPECT_EQ(Star(*t), star);

  fs::rename(Folder("A"), Folder("moved"));
  CommandResult moved = Etl(*t, Folder("moved"));
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_NE(moved.err.find("0 new files"), std::string::npos) << moved.err;
  EXPECT_EQ(Star(*t), star);
  EXPECT_EQ(Query(*t, "select count(*) as n from fact_songplay"), "n\r\n6820\r\n");
}

// (b) Odd days from folder O, then even days from folder E: one full run over all days.
TEST_P(FileIdentityTest, OddDaysThenEvenDaysFromAnotherFolderEqualOneFullRun) {
  auto t = NewTarget();
  ASSERT_TRUE(t);
  sample_.Write(Folder("O"), All, [](size_t i) { return i % 2 == 0; });
  sample_.Write(Folder("E"), All, [](size_t i) { return i % 2 == 1; });
  sample_.Write(Folder("all"), All, All);
  ASSERT_EQ(Etl(*t, Folder("O")).exit_code, 0);
  CommandResult even = Etl(*t, Folder("E"));
  ASSERT_EQ(even.exit_code, 0) << even.err;
  EXPECT_NE(even.err.find("rebuild load"), std::string::npos) << even.err;
  EXPECT_NE(even.err.find("the rebuild reads them again"), std::string::npos) << even.err;
  EXPECT_EQ(Star(*t), FullRunStar(Folder("all")));
  // Every file is in the manifest once, by name, where it was last read.
  EXPECT_EQ(Query(*t, "select count(*) as n from load_manifest where kind = 'events'"),
            "n\r\n" + std::to_string(sample_.events.size()) + "\r\n");
  // status: both folders' files are known; O's as kept.
  CommandResult status =
      RunSparkify({"status", "--target", t->uri(), "--songs", (Folder("E") / "song_data").string(),
                   "--events", (Folder("E") / "log_data").string()});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("next etl: nothing"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find(std::to_string((sample_.events.size() + 1) / 2) +
                            " loaded but not listed (kept)"),
            std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("kept      2018/11/2018-11-01-events.json (last read from " +
                            fs::absolute(Folder("O")).lexically_normal().string()),
            std::string::npos)
      << status.out;
}

// (c) Folder X loaded, then a set with new song files in folder Y: the rebuild reads X's files
// again; (d) the same with X deleted stops, names X's files, changes nothing, and
// --full-refresh then builds from Y alone.
TEST_P(FileIdentityTest, NewSongsElsewhereRebuildFromEveryLoadedFile) {
  const auto first_songs = [](size_t i) { return i < 40; };
  const auto later_songs = [](size_t i) { return i >= 40; };
  sample_.Write(Folder("X"), first_songs, [](size_t i) { return i < 15; });
  sample_.Write(Folder("Y"), later_songs, [](size_t i) { return i >= 15; });
  sample_.Write(Folder("all"), All, All);
  const std::string full = FullRunStar(Folder("all"));

  auto t = NewTarget();
  ASSERT_TRUE(t);
  ASSERT_EQ(Etl(*t, Folder("X")).exit_code, 0);
  CommandResult y = Etl(*t, Folder("Y"));
  ASSERT_EQ(y.exit_code, 0) << y.err;
  EXPECT_NE(y.err.find("new song files may match earlier plays"), std::string::npos) << y.err;
  EXPECT_EQ(Star(*t), full);

  auto u = NewTarget();
  ASSERT_TRUE(u);
  ASSERT_EQ(Etl(*u, Folder("X")).exit_code, 0);
  const std::string x_star = Star(*u);
  fs::remove_all(Folder("X"));
  CommandResult stopped = Etl(*u, Folder("Y"));
  EXPECT_EQ(stopped.exit_code, 6) << stopped.err;
  EXPECT_NE(stopped.err.find("can no longer be read"), std::string::npos) << stopped.err;
  EXPECT_NE(stopped.err.find((Folder("X") / "log_data" / sample_.events[0]).string() +
                             ": no longer there"),
            std::string::npos)
      << stopped.err;
  EXPECT_NE(stopped.err.find("--full-refresh"), std::string::npos) << stopped.err;
  EXPECT_NE(stopped.err.find("drops the rows of the 55 files loaded earlier"), std::string::npos)
      << stopped.err;
  EXPECT_EQ(Star(*u), x_star) << "nothing changed";
  EXPECT_EQ(Query(*u, "select count(*) as n from load_manifest"), "n\r\n55\r\n");
  CommandResult refresh = Etl(*u, Folder("Y"), {"--full-refresh"});
  ASSERT_EQ(refresh.exit_code, 0) << refresh.err;
  EXPECT_EQ(Star(*u), FullRunStar(Folder("Y")));
}

// (e) A file edited in place: reloaded, its old rows gone.
TEST_P(FileIdentityTest, AFileEditedInPlaceIsReloaded) {
  auto t = NewTarget();
  ASSERT_TRUE(t);
  sample_.Write(Folder("A"), All, All);
  ASSERT_EQ(Etl(*t, Folder("A")).exit_code, 0);
  // Keep only the first 10 lines of one day: its other plays must disappear.
  const fs::path day = Folder("A") / "log_data" / sample_.events[3];
  std::ifstream in(day);
  std::string kept, line;
  for (int i = 0; i < 10 && std::getline(in, line); ++i) kept += line + "\n";
  in.close();
  std::ofstream(day, std::ios::trunc) << kept;
  CommandResult edited = Etl(*t, Folder("A"));
  ASSERT_EQ(edited.exit_code, 0) << edited.err;
  EXPECT_NE(edited.err.find("1 loaded file changed"), std::string::npos) << edited.err;
  EXPECT_EQ(Star(*t), FullRunStar(Folder("A")));
}

// The same content under another name is reported and not loaded again.
TEST_P(FileIdentityTest, TheSameContentUnderAnotherNameIsNotLoadedAgain) {
  auto t = NewTarget();
  ASSERT_TRUE(t);
  sample_.Write(Folder("A"), All, All);
  ASSERT_EQ(Etl(*t, Folder("A")).exit_code, 0);
  const std::string star = Star(*t);
  fs::create_directories(Folder("A") / "log_data" / "2019");
  fs::copy_file(Folder("A") / "log_data" / sample_.events[2],
                Folder("A") / "log_data" / "2019" / "renamed.json");
  CommandResult plan =
      RunSparkify({"status", "--target", t->uri(), "--songs", (Folder("A") / "song_data").string(),
                   "--events", (Folder("A") / "log_data").string()});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("1 same content as a loaded file"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("renamed.json (already loaded as " + sample_.events[2].string() + ")"),
            std::string::npos)
      << plan.out;
  CommandResult again = Etl(*t, Folder("A"));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("0 new files"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("already loaded under another name"), std::string::npos) << again.err;
  EXPECT_EQ(Star(*t), star);
}

// (g) Two different files holding the same plays (one has an extra line) are two files, both
// loaded; `check` sees the double counting and names it.
TEST_P(FileIdentityTest, DoubleCountedPlaysFailTheCheck) {
  auto t = NewTarget();
  ASSERT_TRUE(t);
  sample_.Write(Folder("A"), All, All);
  const fs::path logs = Folder("A") / "log_data";
  std::ifstream day(logs / sample_.events[5]);
  std::string copy((std::istreambuf_iterator<char>(day)), std::istreambuf_iterator<char>());
  std::ifstream next(logs / sample_.events[6]);
  std::string extra;
  std::getline(next, extra);
  if (!copy.ends_with('\n')) copy += '\n';
  std::ofstream(logs / "2018" / "11" / "copy-plus-one.json") << copy << extra << '\n';
  CommandResult etl = Etl(*t, Folder("A"));
  ASSERT_EQ(etl.exit_code, 0) << etl.err;
  CommandResult check = RunSparkify({"check", "--target", t->uri()});
  EXPECT_EQ(check.exit_code, 5) << check.out << check.err;
  EXPECT_NE(check.out.find("FAIL  unique_play.fact_songplay"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("plays=2"), std::string::npos) << check.out;
  // Without the copy, the same warehouse passes.
  fs::remove(logs / "2018" / "11" / "copy-plus-one.json");
  ASSERT_EQ(Etl(*t, Folder("A"), {"--full-refresh"}).exit_code, 0);
  CommandResult clean = RunSparkify({"check", "--target", t->uri()});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
}

INSTANTIATE_TEST_SUITE_P(Engines, FileIdentityTest, ::testing::Values("duckdb", "postgres"),
                         [](const auto& p) { return std::string(p.param); });

// (h) A warehouse whose manifest predates file names (absolute locations as keys, no location
// column) keeps working: the next run converts it and appends just the new files.
TEST(LegacyManifestTest, TheNextRunConvertsItAndAppends) {
  TempDir dir;
  Sample sample;
  const fs::path data = fs::path(dir.path()) / "data";
  const size_t n = sample.events.size();
  sample.Write(data, All, [n](size_t i) { return i + 2 < n; });
  const std::string db = dir.path() + "/w.duckdb";
  const std::vector<std::string> args{"--target", "duckdb:" + db,
                                      "--songs",  (data / "song_data").string(),
                                      "--events", (data / "log_data").string()};
  auto etl = [&]() {
    std::vector<std::string> a{"etl"};
    a.insert(a.end(), args.begin(), args.end());
    return RunSparkify(a);
  };
  ASSERT_EQ(etl().exit_code, 0);
  {  // Rewrite the manifest as the previous version kept it.
    auto engine = engine::OpenDuckDb({db, 1});
    ASSERT_TRUE(engine.ok()) << engine.error().ToString();
    for (const char* sql :
         {"create table old_manifest as select kind, location as file, size_bytes, "
          "modified_at, etag, checksum, run_id, rows_loaded, rows_rejected, loaded_at "
          "from load_manifest",
          "drop table load_manifest",
          "create table load_manifest (kind varchar not null, file varchar not null, "
          "size_bytes bigint not null, modified_at timestamp, etag varchar, checksum varchar, "
          "run_id bigint not null, rows_loaded bigint not null, rows_rejected bigint not null, "
          "loaded_at timestamp not null, primary key (kind, file))",
          "insert into load_manifest select * from old_manifest", "drop table old_manifest"}) {
      ASSERT_TRUE((*engine)->Execute(sql).ok()) << sql;
    }
  }
  std::vector<std::string> status{"status"};
  status.insert(status.end(), args.begin(), args.end());
  CommandResult before = RunSparkify(status);
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_NE(before.out.find("next etl: nothing"), std::string::npos) << before.out;
  EXPECT_NE(before.err.find("the next etl converts it"), std::string::npos) << before.err;

  const fs::path sample_logs = fs::path(testing::SampleDataDir()) / "log_data";
  for (size_t i = n - 2; i < n; ++i) {
    fs::create_directories((data / "log_data" / sample.events[i]).parent_path());
    fs::copy_file(sample_logs / sample.events[i], data / "log_data" / sample.events[i]);
  }
  CommandResult next = etl();
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_NE(next.err.find("converted the load manifest of an earlier version"), std::string::npos)
      << next.err;
  EXPECT_NE(next.err.find("2 new event files appended"), std::string::npos) << next.err;
  auto q = [&](const std::string& sql) {
    CommandResult r =
        RunSparkify({"query", "--target", "duckdb:" + db, "--format", "csv", "--sql", sql});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  EXPECT_EQ(q("select count(*) as n from fact_songplay"), "n\r\n6820\r\n");
  EXPECT_EQ(q("select count(*) as n from load_manifest where file like '/%'"), "n\r\n0\r\n")
      << "names, not absolute paths";
  EXPECT_EQ(q("select file from load_manifest where kind = 'events' order by file limit 1"),
            "file\r\n" + sample.events[0].string() + "\r\n");
}

}  // namespace
}  // namespace sparkify
