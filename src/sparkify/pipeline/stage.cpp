#include "sparkify/pipeline/stage.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "sparkify/common/log.hpp"
#include "sparkify/parse/record_parser.hpp"
#include "sparkify/parse/records.hpp"
#include "sparkify/source/checksum.hpp"

namespace sparkify::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

// Adds the time from its construction to its destruction to `total`.
class AddElapsed {
 public:
  explicit AddElapsed(Clock::duration& total) : total_(total), start_(Clock::now()) {}
  ~AddElapsed() { total_ += Clock::now() - start_; }
  AddElapsed(const AddElapsed&) = delete;
  AddElapsed& operator=(const AddElapsed&) = delete;

 private:
  Clock::duration& total_;
  Clock::time_point start_;
};
constexpr size_t kMaxSongFileBytes = 256u << 20;

// Finished chunks travel from workers to the consumer, in file order when `ordered`;
// emptied batches travel back for reuse.
class ChunkQueue {
 public:
  ChunkQueue(size_t capacity, int producers, bool ordered, size_t files)
      : capacity_(capacity), producers_(producers), ordered_(ordered), done_(files, false) {}

  // With one worker on the calling thread (StageOptions::threads == 1) there is no queue: each
  // chunk goes straight to `sink`, which returns false to abort the stage.
  void SetInlineSink(std::function<bool(Chunk&)> sink) { inline_sink_ = std::move(sink); }

  // Blocks while the consumer is too far behind; false once the stage is aborted.
  bool Push(Chunk chunk) {
    if (inline_sink_) {
      if (aborted_ || !inline_sink_(chunk)) {
        aborted_ = true;
        return false;
      }
      return true;
    }
    std::unique_lock<std::mutex> lock(mu_);
    const size_t index = chunk.file_index;
    not_full_.wait(lock, [&] {
      if (aborted_) return true;
      if (!ordered_) return total_ < capacity_;
      // The file being consumed may always make progress; later files wait their turn once
      // the queue is full, so a worker never blocks the file the consumer needs.
      return index == current_ ? pending_[index].size() < capacity_ : total_ < capacity_;
    });
    if (aborted_) return false;
    pending_[index].push_back(std::move(chunk));
    ++total_;
    not_empty_.notify_all();
    return true;
  }
  void FileDone(size_t index) {
    if (inline_sink_) return;
    std::lock_guard<std::mutex> lock(mu_);
    done_[index] = true;
    not_empty_.notify_all();
  }
  void ProducerDone() {
    std::lock_guard<std::mutex> lock(mu_);
    --producers_;
    not_empty_.notify_all();
  }
  // The next chunk, or nullopt when everything is consumed or the stage was aborted.
  std::optional<Chunk> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (aborted_) return std::nullopt;
      if (ordered_) {
        while (current_ < done_.size() && done_[current_] && pending_[current_].empty()) {
          pending_.erase(current_);
          ++current_;
          not_full_.notify_all();
        }
        if (current_ >= done_.size()) return std::nullopt;
        auto& q = pending_[current_];
        if (!q.empty()) return Take(q);
      } else {
        for (auto& [index, q] : pending_) {
          if (!q.empty()) return Take(q);
        }
        if (producers_ == 0) return std::nullopt;
      }
      if (producers_ == 0 && ordered_) {
        // Every worker is gone but the current file never finished: only after an abort.
        return std::nullopt;
      }
      not_empty_.wait(lock);
    }
  }
  void Abort() {
    std::lock_guard<std::mutex> lock(mu_);
    aborted_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }
  bool aborted() {
    std::lock_guard<std::mutex> lock(mu_);
    return aborted_;
  }
  void Recycle(std::unique_ptr<ColumnBatch> batch) {
    if (!batch) return;
    batch->Clear();
    std::lock_guard<std::mutex> lock(mu_);
    free_[&batch->schema()].push_back(std::move(batch));
  }
  std::unique_ptr<ColumnBatch> Fresh(const TableSchema& schema) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& list = free_[&schema];
    if (list.empty()) return std::make_unique<ColumnBatch>(schema);
    auto batch = std::move(list.back());
    list.pop_back();
    return batch;
  }

 private:
  Chunk Take(std::deque<Chunk>& q) {
    Chunk c = std::move(q.front());
    q.pop_front();
    --total_;
    not_full_.notify_all();
    return c;
  }

  std::function<bool(Chunk&)> inline_sink_;
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::map<size_t, std::deque<Chunk>> pending_;
  std::map<const TableSchema*, std::vector<std::unique_ptr<ColumnBatch>>> free_;
  size_t capacity_;
  int producers_;
  bool ordered_;
  std::vector<bool> done_;
  size_t current_ = 0;
  size_t total_ = 0;
  bool aborted_ = false;
};

// Reads and parses files; the parser hands it each good record (parse::RecordSink).
class Worker final : private parse::RecordSink {
 public:
  Worker(RawKind kind, const TableSchema& schema, ChunkQueue& queue, parse::LoadErrorSink& errors,
         const StageOptions& options, RowMapper* mapper, const TableSchema* derived_schema,
         bool ordered, bool hand_over_raw)
      : kind_(kind),
        schema_(schema),
        queue_(queue),
        errors_(errors),
        options_(options),
        mapper_(mapper),
        derived_schema_(derived_schema),
        ordered_(ordered),
        hand_over_raw_(hand_over_raw || mapper == nullptr) {}

  // Returns an error only for faults that must stop the whole stage.
  Status ProcessFile(source::Source& source, const source::SourceFile& file, size_t index,
                     FileStats& stats) {
    index_ = index;
    uint64_t& rows = stats.rows;
    uint64_t& rejected = stats.rejected;
    hash_.Reset();
    Result<std::unique_ptr<source::ByteStream>> stream = [&] {
      AddElapsed timer(read_time_);
      return source.Open(file);
    }();
    Status s = stream.ok()
                   ? (kind_ == RawKind::kSongs ? ParseSong(**stream, file, rows, rejected)
                                               : ParseEvents(**stream, file, rows, rejected))
                   : stream.status();
    if (!s.ok() && !s.error().retryable()) {
      // An unreadable file is bad input like any other: recorded, and the run goes on.
      errors_.Report(parse::LoadError{schema_.name, file.uri, 0, 0,
                                      "cannot read file: " + s.error().ToString(), ""});
      ++rejected;
      s = Status::Ok();
    } else if (s.ok()) {
      stats.checksum = hash_.Digest();
    }
    if (!s.ok()) return s;
    if (ordered_) {  // a file's chunks never share a chunk with the next file's
      if (!Flush()) return Error::Internal("staging aborted");
      queue_.FileDone(index);
    }
    return Status::Ok();
  }

 private:
  ColumnBatch& Raw() {
    if (!raw_) raw_ = queue_.Fresh(schema_);
    return *raw_;
  }
  ColumnBatch& Derived() {
    if (!derived_) derived_ = queue_.Fresh(*derived_schema_);
    return *derived_;
  }
  // A record goes straight to the mapper when the raw rows are not handed over (no raw batch is
  // filled), else into the raw batch.
  void Accept(std::span<const FieldValue> record) override {
    if (hand_over_raw_) {
      Raw().AppendRow(record);
    } else {
      mapper_->MapRow(record, Derived());
    }
  }
  // Maps the raw rows parsed since the last call (when they are handed over with a mapper), then
  // hands the chunk over when `parsed` more raw rows make it big enough.
  Status AfterParse(uint64_t parsed) {
    if (mapper_ != nullptr && raw_ && raw_->rows() > mapped_rows_) {
      AddElapsed timer(map_time_);
      mapper_->Map(*raw_, mapped_rows_, Derived());
      mapped_rows_ = raw_->rows();
    }
    rows_in_chunk_ += parsed;
    if (rows_in_chunk_ < options_.batch_rows) return Status::Ok();
    if (!Flush()) return Error::Internal("staging aborted");
    return Status::Ok();
  }

 public:
  // Time spent opening and reading files (the checksum of the bytes read included), parsing
  // them, and mapping parsed rows (RowMapper), over every file this worker processed.
  Clock::duration read_time() const { return read_time_; }
  Clock::duration parse_time() const { return parse_time_; }
  Clock::duration map_time() const { return map_time_; }

  // Hands the chunk in progress to the consumer; false once the stage is aborted.
  bool Flush() {
    rows_in_chunk_ = 0;
    if ((!raw_ || raw_->empty()) && (!derived_ || derived_->empty())) return true;
    Chunk chunk{index_, hand_over_raw_ ? std::move(raw_) : nullptr, std::move(derived_)};
    mapped_rows_ = 0;
    return queue_.Push(std::move(chunk));
  }

 private:
  Status ParseSong(source::ByteStream& stream, const source::SourceFile& file, uint64_t& rows,
                   uint64_t& rejected) {
    size_t size = 0;
    {
      AddElapsed timer(read_time_);
      SPARKIFY_RETURN_IF_ERROR(
          source::ReadAll(stream, buffer_, parse::kPadding, kMaxSongFileBytes));
      size = buffer_.size();
      hash_.Update(buffer_.data(), size);
    }
    buffer_.resize(size + parse::kPadding);  // simdjson reads ahead
    parse::ParseCounts c = [&] {
      AddElapsed timer(parse_time_);
      return parser_.ParseSongFile(file.uri, buffer_.data(), size, buffer_.size(), *this, errors_);
    }();
    rows += c.rows;
    rejected += c.errors;
    return AfterParse(c.rows);
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
      if (room == 0) {  // one line longer than the buffer: grow it, up to the limit
        if (used >= options_.max_line_bytes) {
          Result<uint64_t> skip = [&] {
            AddElapsed timer(read_time_);  // reading on to the line's end
            return SkipLongLine(stream, file, line_no, offset, used, rejected);
          }();
          if (!skip.ok()) return skip.status();
          const uint64_t skipped = *skip;
          if (skipped == 0) return Status::Ok();  // the file ended inside the line
          ++line_no;
          offset += skipped;
          continue;
        }
        buffer_.resize(std::min(buffer_.size() * 2, options_.max_line_bytes + parse::kPadding));
        continue;
      }
      Result<size_t> read = [&]() -> Result<size_t> {
        AddElapsed timer(read_time_);
        SPARKIFY_ASSIGN_OR_RETURN(size_t got, stream.Read(buffer_.data() + used, room));
        hash_.Update(buffer_.data() + used, got);
        return got;
      }();
      if (!read.ok()) return read.status();
      const size_t n = *read;
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
        parse::ParseCounts c = [&] {
          AddElapsed timer(parse_time_);
          return parser_.ParseEventLines(file.uri, options_.file_index_base + index_,
                                         buffer_.data(), consumed, buffer_.size(), line_no, offset,
                                         *this, errors_);
        }();
        rows += c.rows;
        rejected += c.errors;
        line_no += c.lines;
        offset += consumed;
        std::memmove(buffer_.data(), buffer_.data() + consumed, used - consumed);
        used -= consumed;
        SPARKIFY_RETURN_IF_ERROR(AfterParse(c.rows));
      }
      if (n == 0) return Status::Ok();
    }
  }

  // Records the line that fills the whole buffer (`used` bytes from `offset`) as a load error
  // and reads on to its end. Returns the line's length with its '\n', leaving what follows it
  // at the start of the buffer (`used` updated), or 0 when the file ends first.
  Result<uint64_t> SkipLongLine(source::ByteStream& stream, const source::SourceFile& file,
                                uint64_t line_no, uint64_t offset, size_t& used,
                                uint64_t& rejected) {
    errors_.Report(parse::LoadError{
        schema_.name, file.uri, line_no, offset,
        "line longer than " + std::to_string(options_.max_line_bytes >> 20) +
            " MB (no record is this long; is the file missing its line ends?); skipped",
        parse::SafeExcerpt(std::string_view(buffer_.data(), std::min<size_t>(used, 120)))});
    ++rejected;
    uint64_t skipped = used;
    used = 0;
    const size_t room = buffer_.size() - parse::kPadding;
    for (;;) {
      SPARKIFY_ASSIGN_OR_RETURN(size_t n, stream.Read(buffer_.data(), room));
      hash_.Update(buffer_.data(), n);
      if (n == 0) return uint64_t{0};
      const char* nl = static_cast<const char*>(std::memchr(buffer_.data(), '\n', n));
      if (nl == nullptr) {
        skipped += n;
        continue;
      }
      const size_t rest = static_cast<size_t>(nl - buffer_.data()) + 1;
      std::memmove(buffer_.data(), buffer_.data() + rest, n - rest);
      used = n - rest;
      return skipped + rest;
    }
  }

  RawKind kind_;
  const TableSchema& schema_;
  ChunkQueue& queue_;
  parse::LoadErrorSink& errors_;
  const StageOptions& options_;
  RowMapper* mapper_;
  const TableSchema* derived_schema_;
  bool ordered_;
  bool hand_over_raw_;
  parse::RecordParser parser_;
  source::ContentHash hash_;
  std::string buffer_;
  std::unique_ptr<ColumnBatch> raw_, derived_;
  size_t mapped_rows_ = 0;      // rows of raw_ mapped already
  uint64_t rows_in_chunk_ = 0;  // raw rows parsed into the chunk in progress
  size_t index_ = 0;
  Clock::duration read_time_{}, parse_time_{}, map_time_{};
};

}  // namespace

void RowMapper::Map(const ColumnBatch& raw, size_t first_row, ColumnBatch& derived) {
  std::vector<FieldValue> row(raw.columns());
  for (size_t r = first_row; r < raw.rows(); ++r) {
    for (size_t c = 0; c < row.size(); ++c) row[c] = raw.Value(c, r);
    MapRow(row, derived);
  }
}

int StageWorkers(const StageOptions& options, size_t files) {
  return std::max(1, std::min<int>(options.threads, static_cast<int>(std::max<size_t>(files, 1))));
}

Result<StageStats> StageFiles(RawKind kind, source::Source& source,
                              const std::vector<source::SourceFile>& files,
                              parse::LoadErrorSink& errors, const StageOptions& options,
                              const StageHooks& hooks) {
  const TableSchema& schema =
      kind == RawKind::kSongs ? parse::StagingSongsSchema() : parse::StagingEventsSchema();
  const int workers = StageWorkers(options, files.size());
  StageStats stats;
  stats.files = files.size();
  stats.per_file.resize(files.size());  // each file's entry is written by one worker only
  for (const auto& f : files) stats.bytes += f.size;
  size_t capacity =
      options.max_queued_chunks ? options.max_queued_chunks : static_cast<size_t>(workers);
  ChunkQueue queue(capacity, workers, hooks.ordered, files.size());
  std::atomic<size_t> next_file{0};
  std::atomic<uint64_t> files_done{0}, rows{0}, rejected{0};
  std::mutex fatal_mu;
  std::optional<Error> fatal;
  const auto start = Clock::now();
  std::atomic<int64_t> parse_end_ns{0};
  std::mutex times_mu;
  Clock::duration read_time{}, parse_time{}, map_time{};

  auto run_worker = [&](int w) {
    RowMapper* mapper = hooks.mapper_for ? hooks.mapper_for(w) : nullptr;
    Worker worker(kind, schema, queue, errors, options, mapper, hooks.derived_schema, hooks.ordered,
                  hooks.hand_over_raw);
    for (;;) {
      size_t i = next_file.fetch_add(1);
      if (i >= files.size() || queue.aborted()) break;
      FileStats& file_stats = stats.per_file[i];
      Status s = worker.ProcessFile(source, files[i], i, file_stats);
      rows += file_stats.rows;  // per file: the progress line shows them
      rejected += file_stats.rejected;
      files_done.fetch_add(1);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(fatal_mu);
        if (!fatal) fatal = s.take_error().WithContext(files[i].uri);
        queue.Abort();
        break;
      }
    }
    worker.Flush();
    {
      std::lock_guard<std::mutex> lock(times_mu);
      read_time += worker.read_time();
      parse_time += worker.parse_time();
      map_time += worker.map_time();
    }
    int64_t end_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
    int64_t prev = parse_end_ns.load();
    while (prev < end_ns && !parse_end_ns.compare_exchange_weak(prev, end_ns)) {
    }
    queue.ProducerDone();
  };

  log::Progress progress(std::string("staging ") + schema.name.substr(8), files.size());
  Status consume_status;
  double consume_seconds = 0;
  // Hands one chunk to the consumer; false when it failed (the stage stops).
  auto consume = [&](Chunk& chunk) {
    auto t0 = Clock::now();
    consume_status = hooks.consume(chunk);
    consume_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    queue.Recycle(std::move(chunk.raw));
    queue.Recycle(std::move(chunk.derived));
    if (!consume_status.ok()) return false;
    progress.Update(files_done.load(), log::WithThousands(rows.load()) + " rows");
    return true;
  };

  std::vector<std::thread> threads;
  if (options.threads <= 1) {
    // One thread means one: the calling thread reads, parses and maps each file and consumes
    // its chunks in turn, so `--threads 1` uses one core (the consumer's appends included).
    queue.SetInlineSink(consume);
    run_worker(0);
  } else {
    for (int w = 0; w < workers; ++w) threads.emplace_back(run_worker, w);
    while (auto chunk = queue.Pop()) {
      if (!consume(*chunk)) {
        queue.Abort();
        break;
      }
    }
  }
  for (auto& t : threads) t.join();
  // The consumer's own failure first: after it, workers only report that they were stopped.
  SPARKIFY_RETURN_IF_ERROR(consume_status);
  if (fatal) return *fatal;
  stats.rows = rows.load();
  stats.rejected = rejected.load();
  stats.read_parse_seconds = static_cast<double>(parse_end_ns.load()) / 1e9;
  stats.consume_seconds = consume_seconds;
  stats.read_seconds = std::chrono::duration<double>(read_time).count();
  stats.parse_seconds = std::chrono::duration<double>(parse_time).count();
  stats.map_seconds = std::chrono::duration<double>(map_time).count();
  progress.Finish(log::WithThousands(stats.rows) + " rows, " + log::WithThousands(stats.rejected) +
                  " rejected");
  return stats;
}

}  // namespace sparkify::pipeline
