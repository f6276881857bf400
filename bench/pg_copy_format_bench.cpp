// Measures COPY ... FROM STDIN in binary and in text format for staging_events (issue #4).
//
//   cmake -B build -DSPARKIFY_BUILD_BENCH=ON && cmake --build build --target pg_copy_format_bench
//   build/pg_copy_format_bench POSTGRES_URI [ROWS=320000] [REPEATS=5]
//
// The public sample's events are parsed once into batches (parsing is not measured) and then
// sent ROWS rows at a time into staging_events, alternating formats, each load in its own
// transaction that is rolled back. Reported per format: the median wall time of open + append
// + finish, rows per second, CPU time of this process (encoding, libpq) and of the server
// backend (parsing the COPY data; read from /proc when the server runs on this machine), and
// the bytes sent.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "sparkify/engine/postgres/pg_copy.hpp"
#include "sparkify/engine/postgres/postgres_engine.hpp"
#include "sparkify/parse/record_parser.hpp"
#include "sparkify/parse/records.hpp"
#include "sparkify/sql/catalog.hpp"

namespace {

using sparkify::ColumnBatch;
namespace engine = sparkify::engine;
namespace parse = sparkify::parse;
namespace sql = sparkify::sql;

std::vector<std::unique_ptr<ColumnBatch>> ParseSample(const std::string& log_dir) {
  std::vector<std::unique_ptr<ColumnBatch>> batches;
  parse::RecordParser parser;
  parse::CollectingSink sink;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(log_dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    const size_t size = text.size();
    text.resize(size + parse::kPadding);
    auto batch = std::make_unique<ColumnBatch>(parse::StagingEventsSchema());
    parser.ParseEventLines(entry.path().string(), batches.size(), text.data(), size, text.size(), 1,
                           0, *batch, sink);
    batches.push_back(std::move(batch));
  }
  return batches;
}

// CPU seconds (user + system) of process `pid` from /proc, or -1 when the server runs on
// another machine or as a user whose /proc entry is hidden.
double ProcessCpuSeconds(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return -1;
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
    if (i == 15) break;
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: pg_copy_format_bench POSTGRES_URI [ROWS] [REPEATS]\n";
    return 2;
  }
  const std::string uri = argv[1];
  const size_t wanted = argc > 2 ? std::stoul(argv[2]) : 320000;
  const int repeats = argc > 3 ? std::stoi(argv[3]) : 5;
  const std::string sample = std::string(SPARKIFY_SOURCE_DIR) + "/../shared/data/sparkify/log_data";
  auto batches = ParseSample(sample);
  size_t sample_rows = 0;
  for (const auto& b : batches) sample_rows += b->rows();
  if (sample_rows == 0) {
    std::cerr << "no events parsed from " << sample << "\n";
    return 1;
  }
  // Whole batches (one per sample file) only: the row count is rounded up to the next file.
  size_t rows = 0;
  for (size_t i = 0; rows < wanted; i = (i + 1) % batches.size()) rows += batches[i]->rows();

  struct Format {
    sql::CopyFormat format;
    std::vector<double> wall, cpu, server_cpu;
    uint64_t bytes = 0;
  };
  std::vector<Format> formats{{sql::CopyFormat::kBinary, {}, {}, {}, 0},
                              {sql::CopyFormat::kText, {}, {}, {}, 0}};
  for (Format& f : formats) {
    // Bytes on the wire, from the encoder alone.
    engine::CopyEncoder encoder(f.format);
    std::string out;
    encoder.AppendHeader(out);
    for (size_t i = 0, sent = 0; sent < rows; i = (i + 1) % batches.size()) {
      for (size_t r = 0; r < batches[i]->rows(); ++r) encoder.AppendRow(*batches[i], r, out);
      sent += batches[i]->rows();
      f.bytes += out.size();
      out.clear();
    }
  }

  for (int rep = 0; rep < repeats; ++rep) {
    for (Format& f : formats) {
      auto opened = engine::OpenPostgres(engine::PostgresOptions{uri, f.format});
      if (!opened.ok()) {
        std::cerr << opened.error().ToString() << "\n";
        return 1;
      }
      engine::Engine& e = **opened;
      auto check = [](sparkify::Status s) {
        if (!s.ok()) {
          std::cerr << s.error().ToString() << "\n";
          std::exit(1);
        }
      };
      auto backend = e.Query("select pg_backend_pid()");
      check(backend.status());
      const std::string backend_pid = *backend->rows[0][0];
      check(e.Begin());
      check(e.Execute(sql::Render(sql::Stmt::kDropTables, sql::Dialect::kPostgres)));
      check(e.Execute(sql::Render(sql::Stmt::kCreateStaging, sql::Dialect::kPostgres)));
      const auto start = std::chrono::steady_clock::now();
      const double cpu_start = CpuSeconds();
      const double server_start = ProcessCpuSeconds(backend_pid);
      auto loader = e.OpenBulkLoader(parse::StagingEventsSchema());
      check(loader.status());
      for (size_t i = 0, sent = 0; sent < rows; i = (i + 1) % batches.size()) {
        check((*loader)->Append(*batches[i]));
        sent += batches[i]->rows();
      }
      check((*loader)->Finish());
      f.cpu.push_back(CpuSeconds() - cpu_start);
      f.server_cpu.push_back(server_start < 0 ? -1 : ProcessCpuSeconds(backend_pid) - server_start);
      f.wall.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      check(e.Rollback());
    }
  }

  std::cout << fmt::format("{} rows of staging_events per load, {} repeats (median)\n", rows,
                           repeats);
  for (Format& f : formats) {
    std::sort(f.wall.begin(), f.wall.end());
    std::sort(f.cpu.begin(), f.cpu.end());
    std::sort(f.server_cpu.begin(), f.server_cpu.end());
    const double wall = f.wall[f.wall.size() / 2];
    const double cpu = f.cpu[f.cpu.size() / 2];
    std::cout << fmt::format(
        "{:>6}: {:7.3f} s wall ({:>9.0f} rows/s), cpu client {:6.3f} s server {:6.3f} s, "
        "{:6.1f} MB sent, wall min {:.3f} max {:.3f}\n",
        sql::CopyFormatName(f.format), wall, static_cast<double>(rows) / wall, cpu,
        f.server_cpu[f.server_cpu.size() / 2], static_cast<double>(f.bytes) / 1e6, f.wall.front(),
        f.wall.back());
  }
  return 0;
}
