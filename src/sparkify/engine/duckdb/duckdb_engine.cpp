#include "sparkify/engine/duckdb/duckdb_engine.hpp"

#include <duckdb.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "sparkify/engine/canonical.hpp"
#include "sparkify/sql/bulk_load.hpp"

namespace sparkify::engine {
namespace {

// RAII owners of DuckDB C handles (DuckDB's C API: destroy even after failure).
class Database {
 public:
  Database() = default;
  ~Database() { duckdb_close(&db_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  duckdb_database* out() { return &db_; }
  duckdb_database get() const { return db_; }

 private:
  duckdb_database db_ = nullptr;
};

class Connection {
 public:
  Connection() = default;
  ~Connection() { duckdb_disconnect(&conn_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  duckdb_connection* out() { return &conn_; }
  duckdb_connection get() const { return conn_; }

 private:
  duckdb_connection conn_ = nullptr;
};

class QueryHandle {
 public:
  QueryHandle() { std::memset(&result_, 0, sizeof(result_)); }
  ~QueryHandle() { duckdb_destroy_result(&result_); }
  QueryHandle(const QueryHandle&) = delete;
  QueryHandle& operator=(const QueryHandle&) = delete;
  duckdb_result* get() { return &result_; }

 private:
  duckdb_result result_;
};

class LogicalType {
 public:
  explicit LogicalType(duckdb_logical_type t) : type_(t) {}
  ~LogicalType() { duckdb_destroy_logical_type(&type_); }
  LogicalType(const LogicalType&) = delete;
  LogicalType& operator=(const LogicalType&) = delete;
  duckdb_logical_type get() const { return type_; }

 private:
  duckdb_logical_type type_;
};

class DataChunk {
 public:
  explicit DataChunk(duckdb_data_chunk c) : chunk_(c) {}
  ~DataChunk() {
    if (chunk_ != nullptr) duckdb_destroy_data_chunk(&chunk_);
  }
  DataChunk(const DataChunk&) = delete;
  DataChunk& operator=(const DataChunk&) = delete;
  duckdb_data_chunk get() const { return chunk_; }

 private:
  duckdb_data_chunk chunk_;
};

std::string TypeName(duckdb_type t) {
  switch (t) {
    case DUCKDB_TYPE_TIME:
      return "TIME";
    case DUCKDB_TYPE_INTERVAL:
      return "INTERVAL";
    case DUCKDB_TYPE_BLOB:
      return "BLOB";
    case DUCKDB_TYPE_LIST:
      return "LIST";
    case DUCKDB_TYPE_STRUCT:
      return "STRUCT";
    case DUCKDB_TYPE_MAP:
      return "MAP";
    case DUCKDB_TYPE_UUID:
      return "UUID";
    default:
      return "type #" + std::to_string(static_cast<int>(t));
  }
}

std::string FormatDecimal(Int128 raw, uint8_t scale) {
  std::string digits = FormatInt128(raw < 0 ? -raw : raw);
  if (scale > 0) {
    if (digits.size() <= scale) digits.insert(0, scale - digits.size() + 1, '0');
    digits.insert(digits.size() - scale, ".");
  }
  return raw < 0 ? "-" + digits : digits;
}

// Reads one column of a result chunk into canonical text.
Status ReadColumn(duckdb_vector vector, duckdb_logical_type type, idx_t rows, size_t col,
                  std::vector<std::vector<ResultValue>>& out, size_t row_base) {
  duckdb_type id = duckdb_get_type_id(type);
  void* data = duckdb_vector_get_data(vector);
  uint64_t* validity = duckdb_vector_get_validity(vector);
  for (idx_t r = 0; r < rows; ++r) {
    ResultValue& cell = out[row_base + r][col];
    if (validity != nullptr && !duckdb_validity_row_is_valid(validity, r)) {
      cell = std::nullopt;
      continue;
    }
    switch (id) {
      case DUCKDB_TYPE_BOOLEAN:
        cell = static_cast<bool*>(data)[r] ? "true" : "false";
        break;
      case DUCKDB_TYPE_TINYINT:
        cell = std::to_string(static_cast<int8_t*>(data)[r]);
        break;
      case DUCKDB_TYPE_SMALLINT:
        cell = std::to_string(static_cast<int16_t*>(data)[r]);
        break;
      case DUCKDB_TYPE_INTEGER:
        cell = std::to_string(static_cast<int32_t*>(data)[r]);
        break;
      case DUCKDB_TYPE_BIGINT:
        cell = std::to_string(static_cast<int64_t*>(data)[r]);
        break;
      case DUCKDB_TYPE_UTINYINT:
        cell = std::to_string(static_cast<uint8_t*>(data)[r]);
        break;
      case DUCKDB_TYPE_USMALLINT:
        cell = std::to_string(static_cast<uint16_t*>(data)[r]);
        break;
      case DUCKDB_TYPE_UINTEGER:
        cell = std::to_string(static_cast<uint32_t*>(data)[r]);
        break;
      case DUCKDB_TYPE_UBIGINT:
        cell = std::to_string(static_cast<uint64_t*>(data)[r]);
        break;
      case DUCKDB_TYPE_HUGEINT: {
        duckdb_hugeint h = static_cast<duckdb_hugeint*>(data)[r];
        cell = FormatInt128((static_cast<Int128>(h.upper) << 64) | static_cast<Int128>(h.lower));
        break;
      }
      case DUCKDB_TYPE_FLOAT:
        cell = FormatDouble(static_cast<float*>(data)[r]);
        break;
      case DUCKDB_TYPE_DOUBLE:
        cell = FormatDouble(static_cast<double*>(data)[r]);
        break;
      case DUCKDB_TYPE_DECIMAL: {
        uint8_t scale = duckdb_decimal_scale(type);
        Int128 raw = 0;
        switch (duckdb_decimal_internal_type(type)) {
          case DUCKDB_TYPE_SMALLINT:
            raw = static_cast<int16_t*>(data)[r];
            break;
          case DUCKDB_TYPE_INTEGER:
            raw = static_cast<int32_t*>(data)[r];
            break;
          case DUCKDB_TYPE_BIGINT:
            raw = static_cast<int64_t*>(data)[r];
            break;
          default: {
            duckdb_hugeint h = static_cast<duckdb_hugeint*>(data)[r];
            raw = (static_cast<Int128>(h.upper) << 64) | static_cast<Int128>(h.lower);
          }
        }
        cell = FormatDecimal(raw, scale);
        break;
      }
      case DUCKDB_TYPE_VARCHAR: {
        duckdb_string_t* s = &static_cast<duckdb_string_t*>(data)[r];
        cell = std::string(duckdb_string_t_data(s), duckdb_string_t_length(*s));
        break;
      }
      case DUCKDB_TYPE_DATE:
        cell = FormatDate(static_cast<int32_t*>(data)[r]);
        break;
      case DUCKDB_TYPE_TIMESTAMP:
      case DUCKDB_TYPE_TIMESTAMP_TZ:
        cell = FormatTimestampMicros(static_cast<int64_t*>(data)[r]);
        break;
      case DUCKDB_TYPE_TIMESTAMP_MS:
        cell = FormatTimestampMicros(static_cast<int64_t*>(data)[r] * 1000);
        break;
      case DUCKDB_TYPE_TIMESTAMP_S:
        cell = FormatTimestampMicros(static_cast<int64_t*>(data)[r] * 1000000);
        break;
      default:
        return Error::Engine("result column " + std::to_string(col + 1) + " has type " +
                             TypeName(id) + ", which sparkify does not print; cast it to VARCHAR");
    }
  }
  return Status::Ok();
}

ValueKind KindOf(duckdb_type id) {
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN:
      return ValueKind::kBoolean;
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
      return ValueKind::kInteger;
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
      return ValueKind::kFloat;
    case DUCKDB_TYPE_DATE:
      return ValueKind::kDate;
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_S:
      return ValueKind::kTimestamp;
    default:
      return ValueKind::kText;
  }
}

duckdb_type DuckTypeOf(ColumnType t) {
  switch (t) {
    case ColumnType::kBigInt:
      return DUCKDB_TYPE_BIGINT;
    case ColumnType::kDouble:
      return DUCKDB_TYPE_DOUBLE;
    case ColumnType::kText:
      return DUCKDB_TYPE_VARCHAR;
    case ColumnType::kTimestamp:
      return DUCKDB_TYPE_TIMESTAMP;
  }
  return DUCKDB_TYPE_VARCHAR;
}

// Rows reach the appender in whole vectors (duckdb_vector_size() rows, the last one excepted):
// a partly filled chunk waits for the next Append. DuckDB keeps one small version entry per
// vector an append covers whole, but a 16 KB per-row one for every vector an append starts or
// ends inside, and the appender flushes at row counts that are not vector multiples unless
// every chunk it gets is whole. Misaligned, a 10 M-play load kept 125 MB of those until commit.
// Copies rows [begin, begin + n) of `batch` into `chunk` from row `at` on, marking nulls (the
// rows must start valid).
void CopyIntoChunk(const ColumnBatch& batch, size_t begin, size_t n, duckdb_data_chunk chunk,
                   size_t at) {
  const TableSchema& table = batch.schema();
  for (size_t c = 0; c < batch.columns(); ++c) {
    duckdb_vector vec = duckdb_data_chunk_get_vector(chunk, c);
    duckdb_vector_ensure_validity_writable(vec);
    uint64_t* validity = duckdb_vector_get_validity(vec);
    void* data = duckdb_vector_get_data(vec);
    switch (table.columns[c].type) {
      case ColumnType::kBigInt:
      case ColumnType::kTimestamp:
        for (size_t i = 0; i < n; ++i) {
          if (batch.IsNull(c, begin + i)) {
            duckdb_validity_set_row_invalid(validity, at + i);
          } else {
            static_cast<int64_t*>(data)[at + i] = batch.Int(c, begin + i);
          }
        }
        break;
      case ColumnType::kDouble:
        for (size_t i = 0; i < n; ++i) {
          if (batch.IsNull(c, begin + i)) {
            duckdb_validity_set_row_invalid(validity, at + i);
          } else {
            static_cast<double*>(data)[at + i] = batch.Double(c, begin + i);
          }
        }
        break;
      case ColumnType::kText:
        for (size_t i = 0; i < n; ++i) {
          if (batch.IsNull(c, begin + i)) {
            duckdb_validity_set_row_invalid(validity, at + i);
          } else {
            std::string_view v = batch.Text(c, begin + i);
            duckdb_vector_assign_string_element_len(vec, at + i, v.data(), v.size());
          }
        }
        break;
    }
  }
}

// Batches on their way from the engine's thread (the producer, a BulkLoader) to DuckDB's
// threads running `insert … select * from sparkify_feed(id)` (the consumers). Bounded: the
// producer waits while `capacity` batches wait. In lockstep (a one-thread engine) the producer
// also waits until the consumer has drained the batch it handed over and asks for the next, so
// the two threads never run at once and the load uses one core, as --threads 1 promises.
class Feed {
 public:
  Feed(const TableSchema& schema, size_t capacity, bool lockstep)
      : schema_(schema), capacity_(capacity), lockstep_(lockstep) {}

  const TableSchema& schema() const { return schema_; }

  // False once the consumers are gone (the statement ended early: it failed).
  bool Push(std::unique_ptr<ColumnBatch> batch) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return stopped_ || queue_.size() < capacity_; });
    if (stopped_) return false;
    queue_.push_back(std::move(batch));
    cv_.notify_all();
    if (lockstep_) cv_.wait(lock, [&] { return stopped_ || (queue_.empty() && waiting_ > 0); });
    return !stopped_;
  }
  // No more batches: the consumers end once the queue is drained.
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  // Ends the stream at once: consumers fail, a waiting producer returns false.
  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }
  bool stopped() {
    std::lock_guard<std::mutex> lock(mu_);
    return stopped_;
  }
  // A consumer is done with `batch`; the producer takes it back with TakeSpent.
  void Spend(std::unique_ptr<ColumnBatch> batch) {
    std::lock_guard<std::mutex> lock(mu_);
    spent_.push_back(std::move(batch));
  }
  std::unique_ptr<ColumnBatch> TakeSpent() {
    std::lock_guard<std::mutex> lock(mu_);
    if (spent_.empty()) return nullptr;
    std::unique_ptr<ColumnBatch> b = std::move(spent_.front());
    spent_.pop_front();
    return b;
  }
  // The next batch; null at the end of the stream. kInternal once stopped.
  Result<std::unique_ptr<ColumnBatch>> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return stopped_ || !queue_.empty() || closed_; });
    --waiting_;
    if (stopped_) return Error::Internal("the load was abandoned");
    if (queue_.empty()) return std::unique_ptr<ColumnBatch>();
    std::unique_ptr<ColumnBatch> b = std::move(queue_.front());
    queue_.pop_front();
    cv_.notify_all();
    return b;
  }

 private:
  const TableSchema& schema_;
  const size_t capacity_;
  const bool lockstep_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<ColumnBatch>> queue_;
  std::deque<std::unique_ptr<ColumnBatch>> spent_;
  int waiting_ = 0;
  bool closed_ = false;
  bool stopped_ = false;
};

// The open feeds by id, for sparkify_feed(id) to find its own.
class FeedRegistry {
 public:
  static FeedRegistry& Get() {
    static FeedRegistry registry;
    return registry;
  }
  int64_t Add(Feed* feed) {
    std::lock_guard<std::mutex> lock(mu_);
    feeds_[++last_] = feed;
    return last_;
  }
  void Remove(int64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    feeds_.erase(id);
  }
  Feed* Find(int64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = feeds_.find(id);
    return it == feeds_.end() ? nullptr : it->second;
  }

 private:
  std::mutex mu_;
  std::map<int64_t, Feed*> feeds_;
  int64_t last_ = 0;
};

constexpr const char* kFeedFunction = "sparkify_feed";

// sparkify_feed(id): the batches of feed `id`, with its table's columns. Each DuckDB thread
// holds one batch at a time and hands it out a vector at a time.
struct FeedCursor {
  std::unique_ptr<ColumnBatch> batch;
  size_t next = 0;
};

void FeedBind(duckdb_bind_info info) {
  duckdb_value arg = duckdb_bind_get_parameter(info, 0);
  const int64_t id = duckdb_get_int64(arg);
  duckdb_destroy_value(&arg);
  Feed* feed = FeedRegistry::Get().Find(id);
  if (feed == nullptr) {
    duckdb_bind_set_error(info, "sparkify_feed: no such feed");
    return;
  }
  for (const ColumnSchema& c : feed->schema().columns) {
    duckdb_logical_type type = duckdb_create_logical_type(DuckTypeOf(c.type));
    duckdb_bind_add_result_column(info, c.name.c_str(), type);
    duckdb_destroy_logical_type(&type);
  }
  duckdb_bind_set_bind_data(info, feed, nullptr);
}

void FeedInit(duckdb_init_info info) {
  duckdb_init_set_max_threads(info, 64);  // as many as the engine has
}

void FeedLocalInit(duckdb_init_info info) {
  duckdb_init_set_init_data(info, new FeedCursor(),
                            [](void* p) { delete static_cast<FeedCursor*>(p); });
}

// Fills whole vectors: only the stream's last chunk may be shorter. DuckDB keeps a per-row
// version array for every vector an append starts or ends inside (16 KB each: 190 MB for 24 M
// plays), and a constant for a whole one, so a batch that ends mid-vector is continued from the
// next batch rather than handed over short.
void FeedScan(duckdb_function_info info, duckdb_data_chunk output) {
  Feed* feed = static_cast<Feed*>(duckdb_function_get_bind_data(info));
  FeedCursor* cursor = static_cast<FeedCursor*>(duckdb_function_get_local_init_data(info));
  const size_t capacity = duckdb_vector_size();
  for (idx_t c = 0; c < duckdb_data_chunk_get_column_count(output); ++c) {
    duckdb_vector vec = duckdb_data_chunk_get_vector(output, c);
    duckdb_vector_ensure_validity_writable(vec);
    uint64_t* validity = duckdb_vector_get_validity(vec);
    std::memset(validity, 0xff, (capacity + 63) / 64 * sizeof(uint64_t));  // a reused chunk
  }
  size_t filled = 0;
  while (filled < capacity) {
    if (!cursor->batch || cursor->next >= cursor->batch->rows()) {
      if (cursor->batch) feed->Spend(std::move(cursor->batch));
      Result<std::unique_ptr<ColumnBatch>> next = feed->Pop();
      if (!next.ok()) {
        duckdb_function_set_error(info, next.error().message().c_str());
        return;
      }
      cursor->batch = std::move(next).value();
      cursor->next = 0;
      if (!cursor->batch) break;  // the end of the stream
      continue;
    }
    const size_t n = std::min(capacity - filled, cursor->batch->rows() - cursor->next);
    CopyIntoChunk(*cursor->batch, cursor->next, n, output, filled);
    cursor->next += n;
    filled += n;
  }
  duckdb_data_chunk_set_size(output, filled);
}

// Registers sparkify_feed on `conn` (once per connection).
Status RegisterFeedFunction(duckdb_connection conn) {
  duckdb_table_function f = duckdb_create_table_function();
  duckdb_table_function_set_name(f, kFeedFunction);
  duckdb_logical_type id_type = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
  duckdb_table_function_add_parameter(f, id_type);
  duckdb_destroy_logical_type(&id_type);
  duckdb_table_function_set_bind(f, FeedBind);
  duckdb_table_function_set_init(f, FeedInit);
  duckdb_table_function_set_local_init(f, FeedLocalInit);
  duckdb_table_function_set_function(f, FeedScan);
  const duckdb_state state = duckdb_register_table_function(conn, f);
  duckdb_destroy_table_function(&f);
  if (state != DuckDBSuccess)
    return Error::Engine("duckdb: cannot register " + std::string(kFeedFunction));
  return Status::Ok();
}

// Batches waiting in a feed of `threads` DuckDB threads: one each, two at least. Each DuckDB
// thread holds one more, and staging's queue one per worker (pipeline/stage.hpp): at two
// threads, four here held L ~10 MB higher (~1.9 MB a batch of plays), no faster.
constexpr size_t FeedCapacity(int threads) { return static_cast<size_t>(std::max(threads, 2)); }

// A bulk load as `insert … select * from sparkify_feed(id)`, run on a thread of its own while
// the engine's thread hands batches over (Feed).
class DuckDbParallelLoader final : public BulkLoader {
 public:
  DuckDbParallelLoader(duckdb_connection conn, const TableSchema& table, int threads)
      : feed_(table, FeedCapacity(threads), threads == 1), id_(FeedRegistry::Get().Add(&feed_)) {
    sql_ = sql::RenderInsertFromFeed(table, kFeedFunction, id_);
    thread_ = std::thread([this, conn] {
      QueryHandle result;
      if (duckdb_query(conn, sql_.c_str(), result.get()) != DuckDBSuccess) {
        const char* msg = duckdb_result_error(result.get());
        status_ = Error::Engine("loading " + feed_.schema().name + ": " +
                                (msg ? msg : "unknown DuckDB error"));
      }
      feed_.Stop();  // the statement is over: a producer still waiting learns it
    });
  }
  ~DuckDbParallelLoader() override {
    feed_.Stop();
    if (thread_.joinable()) thread_.join();
    FeedRegistry::Get().Remove(id_);
  }
  DuckDbParallelLoader(const DuckDbParallelLoader&) = delete;
  DuckDbParallelLoader& operator=(const DuckDbParallelLoader&) = delete;

  Status Append(const ColumnBatch& batch) override {
    return AppendOwned(std::make_unique<ColumnBatch>(batch));
  }
  Status AppendOwned(std::unique_ptr<ColumnBatch> batch) override {
    if (batch->empty()) return Status::Ok();
    if (feed_.Push(std::move(batch))) return Status::Ok();
    return Finish();  // the statement ended early: its error
  }
  std::unique_ptr<ColumnBatch> TakeSpent() override { return feed_.TakeSpent(); }
  Status Finish() override {
    if (thread_.joinable()) {
      feed_.Close();
      thread_.join();
    }
    return status_;
  }

 private:
  Feed feed_;
  const int64_t id_;
  std::string sql_;
  std::thread thread_;
  Status status_;  // written by thread_, read after it is joined
};

// How many whole chunks DuckDbLoader hands over between flushes of the appender. Unflushed, the
// appender buffers every row it gets (up to ~200,000) and copies them into the table only then:
// loading the manifest of 100,000 song files took DuckDB's allocations from 44 to 93 MB, and a
// one-thread load of 100,000 songs and 1 M events peaked at 164 MB, 145 with these flushes
// (docs/BENCHMARKS.md, session 11). Flushing after whole vectors keeps appends vector-aligned
// (CopyIntoChunk).
constexpr size_t kFlushEveryChunks = 4;

class DuckDbLoader final : public BulkLoader {
 public:
  DuckDbLoader(duckdb_appender appender, const TableSchema& table)
      : appender_(appender), table_(table), vector_size_(duckdb_vector_size()) {
    for (const ColumnSchema& c : table.columns) {
      types_.push_back(duckdb_create_logical_type(DuckTypeOf(c.type)));
    }
  }
  ~DuckDbLoader() override {
    for (auto& t : types_) duckdb_destroy_logical_type(&t);
    if (appender_ != nullptr) duckdb_appender_destroy(&appender_);
  }
  DuckDbLoader(const DuckDbLoader&) = delete;
  DuckDbLoader& operator=(const DuckDbLoader&) = delete;

  Status Append(const ColumnBatch& batch) override {
    for (size_t begin = 0; begin < batch.rows();) {
      if (!chunk_) {
        chunk_ =
            std::make_unique<DataChunk>(duckdb_create_data_chunk(types_.data(), types_.size()));
        filled_ = 0;
      }
      const size_t n = std::min<size_t>(vector_size_ - filled_, batch.rows() - begin);
      CopyRows(batch, begin, n);
      begin += n;
      filled_ += n;
      if (filled_ == vector_size_) SPARKIFY_RETURN_IF_ERROR(AppendChunk());
    }
    return Status::Ok();
  }

  Status Finish() override {
    if (chunk_ && filled_ > 0) SPARKIFY_RETURN_IF_ERROR(AppendChunk());
    if (duckdb_appender_close(appender_) != DuckDBSuccess) return AppenderError();
    return Status::Ok();
  }

 private:
  // Copies rows [begin, begin + n) of `batch` into the pending chunk from row filled_ on. The
  // chunk is fresh, so every row starts valid: only nulls are marked.
  void CopyRows(const ColumnBatch& batch, size_t begin, size_t n) {
    CopyIntoChunk(batch, begin, n, chunk_->get(), filled_);
  }

  // Hands the pending chunk to the appender; the next Append starts a fresh one.
  Status AppendChunk() {
    duckdb_data_chunk_set_size(chunk_->get(), filled_);
    const duckdb_state state = duckdb_append_data_chunk(appender_, chunk_->get());
    chunk_.reset();
    filled_ = 0;
    if (state != DuckDBSuccess) return AppenderError();
    if (++chunks_ % kFlushEveryChunks == 0 && duckdb_appender_flush(appender_) != DuckDBSuccess)
      return AppenderError();
    return Status::Ok();
  }

  Status AppenderError() {
    const char* msg = duckdb_appender_error(appender_);
    return Error::Engine("appending to " + table_.name + ": " + (msg ? msg : "unknown error"));
  }

  duckdb_appender appender_;
  const TableSchema& table_;
  const size_t vector_size_;
  std::vector<duckdb_logical_type> types_;
  std::unique_ptr<DataChunk> chunk_;  // the pending chunk, filled_ rows so far
  size_t filled_ = 0;
  size_t chunks_ = 0;  // chunks handed to the appender
};

class DuckDbEngine final : public Engine {
 public:
  explicit DuckDbEngine(std::string path) : path_(std::move(path)) {}
  ~DuckDbEngine() override {
    if (in_transaction_) (void)Execute("rollback");
  }

  Status Open(int threads, const std::string& memory_limit) {
    threads_ = threads;
    duckdb_config config = nullptr;
    if (duckdb_create_config(&config) != DuckDBSuccess)
      return Error::Engine("duckdb: cannot create config");
    if (threads > 0) duckdb_set_config(config, "threads", std::to_string(threads).c_str());
    // No FSST string compression in what sparkify writes: training FSST's symbol tables was
    // most of a full load's commit (M: 0.59 of 0.75 s) for a database file ~18 % smaller.
    // Dictionary and the other string methods still apply (docs/BENCHMARKS.md).
    if (duckdb_set_config(config, "disabled_compression_methods", "fsst") != DuckDBSuccess) {
      duckdb_destroy_config(&config);
      return Error::Engine("duckdb: cannot disable fsst compression");
    }
    // jemalloc's background threads purge freed pages in every arena after its decay time.
    // Without them an arena purges only while its own threads allocate: the engine thread's
    // arena kept the song tables' pages that DuckDB evicted during the events dirty to the end
    // of the run (L at one thread: 21 MB, its events plateau 122 MB against 103 with them).
    if (duckdb_set_config(config, "allocator_background_threads", "true") != DuckDBSuccess) {
      duckdb_destroy_config(&config);
      return Error::Engine("duckdb: cannot enable the allocator's background threads");
    }
    if (!memory_limit.empty() &&
        duckdb_set_config(config, "memory_limit", memory_limit.c_str()) != DuckDBSuccess) {
      duckdb_destroy_config(&config);
      return Error::InvalidArgument("DuckDB does not take memory limit \"" + memory_limit +
                                    "\" (examples: 512MB, 2GB)");
    }
    char* open_error = nullptr;
    duckdb_state state = duckdb_open_ext(path_.c_str(), db_.out(), config, &open_error);
    duckdb_destroy_config(&config);
    if (state != DuckDBSuccess) {
      std::string msg = open_error ? open_error : "unknown error";
      if (open_error) duckdb_free(open_error);
      if (msg.find("Could not set lock") != std::string::npos) {
        // One process at a time may open a DuckDB file for writing: a second etl (or a query
        // during one) fails here rather than corrupting anything.
        return Error::Engine("duckdb:" + path_ +
                             " is in use by another process (another sparkify etl?); DuckDB lets "
                             "one process at a time open a database file. Retry when it is done. "
                             "DuckDB says: " +
                             msg);
      }
      return Error::Engine("opening duckdb:" + path_ + ": " + msg);
    }
    if (duckdb_connect(db_.get(), conn_.out()) != DuckDBSuccess) {
      return Error::Engine("connecting to duckdb:" + path_);
    }
    return RegisterFeedFunction(conn_.get());
  }

  sql::Dialect dialect() const override { return sql::Dialect::kDuckDb; }
  std::string Describe() const override { return "duckdb:" + path_; }

  Status Execute(std::string_view sql) override {
    QueryHandle result;
    std::string text(sql);
    if (duckdb_query(conn_.get(), text.c_str(), result.get()) != DuckDBSuccess) {
      return Error::Engine(ErrorText(result.get()));
    }
    return Status::Ok();
  }

  Result<QueryResult> Query(std::string_view sql) override {
    QueryHandle result;
    std::string text(sql);
    if (duckdb_query(conn_.get(), text.c_str(), result.get()) != DuckDBSuccess) {
      return Error::Engine(ErrorText(result.get()));
    }
    QueryResult out;
    idx_t ncols = duckdb_column_count(result.get());
    std::vector<std::unique_ptr<LogicalType>> types;
    for (idx_t c = 0; c < ncols; ++c) {
      types.push_back(std::make_unique<LogicalType>(duckdb_column_logical_type(result.get(), c)));
      out.columns.push_back(ResultColumn{duckdb_column_name(result.get(), c),
                                         KindOf(duckdb_get_type_id(types.back()->get()))});
    }
    for (;;) {
      DataChunk chunk(duckdb_fetch_chunk(*result.get()));
      if (chunk.get() == nullptr) break;
      idx_t rows = duckdb_data_chunk_get_size(chunk.get());
      if (rows == 0) break;
      size_t base = out.rows.size();
      out.rows.resize(base + rows, std::vector<ResultValue>(ncols));
      for (idx_t c = 0; c < ncols; ++c) {
        SPARKIFY_RETURN_IF_ERROR(ReadColumn(duckdb_data_chunk_get_vector(chunk.get(), c),
                                            types[c]->get(), rows, c, out.rows, base));
      }
    }
    return out;
  }

  Result<std::unique_ptr<BulkLoader>> OpenBulkLoader(const TableSchema& table) override {
    duckdb_appender appender = nullptr;
    if (duckdb_appender_create(conn_.get(), nullptr, table.name.c_str(), &appender) !=
        DuckDBSuccess) {
      const char* msg = appender ? duckdb_appender_error(appender) : nullptr;
      std::string text =
          "opening an appender on " + table.name + ": " + (msg ? msg : "unknown error");
      if (appender) duckdb_appender_destroy(&appender);
      return Error::Engine(text);
    }
    return std::unique_ptr<BulkLoader>(std::make_unique<DuckDbLoader>(appender, table));
  }

  Result<std::unique_ptr<BulkLoader>> OpenParallelLoader(const TableSchema& table) override {
    return std::unique_ptr<BulkLoader>(
        std::make_unique<DuckDbParallelLoader>(conn_.get(), table, threads_));
  }

  Status Begin() override {
    SPARKIFY_RETURN_IF_ERROR(Execute("begin transaction"));
    in_transaction_ = true;
    return Status::Ok();
  }
  Status BeginReadOnly() override {
    SPARKIFY_RETURN_IF_ERROR(Execute("begin transaction read only"));
    in_transaction_ = true;
    return Status::Ok();
  }
  Status Commit() override {
    in_transaction_ = false;
    return Execute("commit");
  }
  Status Rollback() override {
    in_transaction_ = false;
    return Execute("rollback");
  }

 private:
  static std::string ErrorText(duckdb_result* result) {
    const char* msg = duckdb_result_error(result);
    return msg ? msg : "unknown DuckDB error";
  }

  std::string path_;
  int threads_ = 0;
  Database db_;
  Connection conn_;
  bool in_transaction_ = false;
};

}  // namespace

Result<std::unique_ptr<Engine>> OpenDuckDb(const DuckDbOptions& options) {
  auto engine = std::make_unique<DuckDbEngine>(options.path);
  SPARKIFY_RETURN_IF_ERROR(engine->Open(options.threads, options.memory_limit));
  return std::unique_ptr<Engine>(std::move(engine));
}

}  // namespace sparkify::engine
