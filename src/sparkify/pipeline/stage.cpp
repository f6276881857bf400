#include "sparkify/pipeline/stage.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "sparkify/common/log.hpp"
#include "sparkify/parse/record_parser.hpp"
#include "sparkify/parse/records.hpp"

namespace sparkify::pipeline {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxSongFileBytes = 256u << 20;

// Full batches travel from workers to the loader; emptied batches travel back for reuse.
class BatchQueue {
 public:
  BatchQueue(size_t capacity, int producers) : capacity_(capacity), producers_(producers) {}

  // Blocks while the queue is full; returns false once the consumer has given up.
  bool Push(std::unique_ptr<ColumnBatch> batch) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return full_.size() < capacity_ || aborted_; });
    if (aborted_) return false;
    full_.push_back(std::move(batch));
    not_empty_.notify_one();
    return true;
  }
  // nullptr when every producer is done and the queue is drained.
  std::unique_ptr<ColumnBatch> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return !full_.empty() || producers_ == 0; });
    if (full_.empty()) return nullptr;
    auto batch = std::move(full_.front());
    full_.pop_front();
    not_full_.notify_one();
    return batch;
  }
  void ProducerDone() {
    std::lock_guard<std::mutex> lock(mu_);
    --producers_;
    not_empty_.notify_all();
  }
  void Abort() {
    std::lock_guard<std::mutex> lock(mu_);
    aborted_ = true;
    not_full_.notify_all();
  }
  bool aborted() {
    std::lock_guard<std::mutex> lock(mu_);
    return aborted_;
  }
  void Recycle(std::unique_ptr<ColumnBatch> batch) {
    batch->Clear();
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(std::move(batch));
  }
  std::unique_ptr<ColumnBatch> Fresh(const TableSchema& schema) {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) return std::make_unique<ColumnBatch>(schema);
    auto batch = std::move(free_.back());
    free_.pop_back();
    return batch;
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<std::unique_ptr<ColumnBatch>> full_;
  std::vector<std::unique_ptr<ColumnBatch>> free_;
  size_t capacity_;
  int producers_;
  bool aborted_ = false;
};

class Worker {
 public:
  Worker(RawKind kind, const TableSchema& schema, BatchQueue& queue, parse::LoadErrorSink& errors,
         const StageOptions& options)
      : kind_(kind),
        schema_(schema),
        queue_(queue),
        errors_(errors),
        options_(options),
        batch_(queue.Fresh(schema)) {}

  // Returns an error only for faults that must stop the whole stage.
  Status ProcessFile(source::Source& source, const source::SourceFile& file, uint64_t& rows,
                     uint64_t& rejected) {
    Result<std::unique_ptr<source::ByteStream>> stream = source.Open(file);
    Status s = stream.ok()
                   ? (kind_ == RawKind::kSongs ? ParseSong(**stream, file, rows, rejected)
                                               : ParseEvents(**stream, file, rows, rejected))
                   : stream.status();
    if (s.ok()) return s;
    if (s.error().retryable()) return s;
    // An unreadable file is bad input like any other: recorded, and the run goes on.
    errors_.Report(parse::LoadError{schema_.name, file.uri, 0, 0,
                                    "cannot read file: " + s.error().ToString(), ""});
    ++rejected;
    return Status::Ok();
  }

  // Hands the last partial batch to the loader.
  bool Flush() {
    if (batch_->empty()) return true;
    if (!queue_.Push(std::move(batch_))) return false;
    batch_ = queue_.Fresh(schema_);
    return true;
  }

 private:
  Status MaybeFlush() {
    if (batch_->rows() < options_.batch_rows) return Status::Ok();
    if (!Flush()) return Error::Internal("staging aborted");
    return Status::Ok();
  }

  Status ParseSong(source::ByteStream& stream, const source::SourceFile& file, uint64_t& rows,
                   uint64_t& rejected) {
    SPARKIFY_RETURN_IF_ERROR(source::ReadAll(stream, buffer_, parse::kPadding, kMaxSongFileBytes));
    size_t size = buffer_.size();
    buffer_.resize(size + parse::kPadding);  // simdjson reads ahead
    parse::ParseCounts c =
        parser_.ParseSongFile(file.uri, buffer_.data(), size, buffer_.size(), *batch_, errors_);
    rows += c.rows;
    rejected += c.errors;
    return MaybeFlush();
  }

  Status ParseEvents(source::ByteStream& stream, const source::SourceFile& file, uint64_t& rows,
                     uint64_t& rejected) {
    size_t used = 0;
    uint64_t line_no = 1;
    uint64_t offset = 0;
    if (buffer_.size() < options_.block_bytes + parse::kPadding) {
      buffer_.resize(options_.block_bytes + parse::kPadding);
    }
    for (;;) {
      size_t room = buffer_.size() - parse::kPadding - used;
      if (room == 0) {  // one line longer than the buffer: grow it
        buffer_.resize(buffer_.size() * 2);
        continue;
      }
      SPARKIFY_ASSIGN_OR_RETURN(size_t n, stream.Read(buffer_.data() + used, room));
      used += n;
      size_t consumed = 0;
      if (n == 0) {
        consumed = used;  // end of file: the last line may lack its '\n'
      } else {
        const char* data = buffer_.data();
        const char* last_nl = static_cast<const char*>(memrchr(data, '\n', used));
        if (last_nl == nullptr) continue;
        consumed = static_cast<size_t>(last_nl - data) + 1;
      }
      if (consumed > 0) {
        parse::ParseCounts c = parser_.ParseEventLines(
            file.uri, buffer_.data(), consumed, buffer_.size(), line_no, offset, *batch_, errors_);
        rows += c.rows;
        rejected += c.errors;
        line_no += c.lines;
        offset += consumed;
        std::memmove(buffer_.data(), buffer_.data() + consumed, used - consumed);
        used -= consumed;
        SPARKIFY_RETURN_IF_ERROR(MaybeFlush());
      }
      if (n == 0) return Status::Ok();
    }
  }

  RawKind kind_;
  const TableSchema& schema_;
  BatchQueue& queue_;
  parse::LoadErrorSink& errors_;
  const StageOptions& options_;
  parse::RecordParser parser_;
  std::string buffer_;
  std::unique_ptr<ColumnBatch> batch_;
};

}  // namespace

Result<StageStats> StageFiles(RawKind kind, source::Source& source,
                              const std::vector<source::SourceFile>& files, engine::Engine& engine,
                              parse::LoadErrorSink& errors, const StageOptions& options) {
  const TableSchema& schema =
      kind == RawKind::kSongs ? parse::StagingSongsSchema() : parse::StagingEventsSchema();
  const int workers = std::max(
      1, std::min<int>(options.threads, static_cast<int>(std::max<size_t>(files.size(), 1))));
  SPARKIFY_ASSIGN_OR_RETURN(std::unique_ptr<engine::BulkLoader> loader,
                            engine.OpenBulkLoader(schema));

  StageStats stats;
  stats.files = files.size();
  for (const auto& f : files) stats.bytes += f.size;
  BatchQueue queue(2 * static_cast<size_t>(workers), workers);
  std::atomic<size_t> next_file{0};
  std::atomic<uint64_t> files_done{0}, rows{0}, rejected{0};
  std::mutex fatal_mu;
  std::optional<Error> fatal;
  const auto start = Clock::now();
  std::atomic<int64_t> parse_end_ns{0};

  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      Worker worker(kind, schema, queue, errors, options);
      uint64_t my_rows = 0, my_rejected = 0;
      for (;;) {
        size_t i = next_file.fetch_add(1);
        if (i >= files.size() || queue.aborted()) break;
        Status s = worker.ProcessFile(source, files[i], my_rows, my_rejected);
        files_done.fetch_add(1);
        if (!s.ok()) {
          std::lock_guard<std::mutex> lock(fatal_mu);
          if (!fatal) fatal = s.take_error().WithContext(files[i].uri);
          queue.Abort();
          break;
        }
      }
      worker.Flush();
      rows += my_rows;
      rejected += my_rejected;
      int64_t end_ns =
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
      int64_t prev = parse_end_ns.load();
      while (prev < end_ns && !parse_end_ns.compare_exchange_weak(prev, end_ns)) {
      }
      queue.ProducerDone();
    });
  }

  log::Progress progress(std::string("staging ") + schema.name.substr(8), files.size());
  Status load_status;
  uint64_t loaded_rows = 0;
  double load_seconds = 0;
  while (auto batch = queue.Pop()) {
    if (load_status.ok()) {
      auto t0 = Clock::now();
      load_status = loader->Append(*batch);
      load_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
      loaded_rows += batch->rows();
      if (!load_status.ok()) queue.Abort();
    }
    queue.Recycle(std::move(batch));
    progress.Update(files_done.load(), log::WithThousands(loaded_rows) + " rows");
  }
  for (auto& t : threads) t.join();
  if (fatal) return *fatal;
  SPARKIFY_RETURN_IF_ERROR(load_status);
  auto t0 = Clock::now();
  SPARKIFY_RETURN_IF_ERROR(loader->Finish());
  load_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
  stats.rows = rows.load();
  stats.rejected = rejected.load();
  stats.read_parse_seconds = static_cast<double>(parse_end_ns.load()) / 1e9;
  stats.load_seconds = load_seconds;
  progress.Finish(log::WithThousands(stats.rows) + " rows, " + log::WithThousands(stats.rejected) +
                  " rejected");
  return stats;
}

}  // namespace sparkify::pipeline
