// Where raw files come from: a local folder or file, or s3://bucket/prefix, behind one
// interface so the pipeline never knows the difference (and tests can inject faults).
//
// A Source lists its files (sorted by uri, so runs are deterministic) and opens each as a
// ByteStream. Sources are thread-safe: List() once, then Open() from several threads.
// A ByteStream belongs to one thread and must be destroyed before its Source.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sparkify/common/error.hpp"

namespace sparkify::source {

// One listed file. A run holds its listings to the end (the load manifest names every file),
// so a file costs ~140 bytes here: its name is kept as the tail of its uri it nearly always is,
// and the rarer parts (an ETag, a name that is not the uri's tail) share one optional block.
class SourceFile {
 public:
  SourceFile() = default;
  // `name`: see name(). `uri` must not change afterwards (the name may point into it).
  SourceFile(std::string uri, uint64_t size, int64_t mtime_ms, std::string_view etag = {},
             std::string_view name = {});

  std::string uri;       // what errors and the load manifest name: a path or s3://bucket/key
  uint64_t size = 0;     // bytes
  int64_t mtime_ms = 0;  // modification time, epoch milliseconds (0 if unknown)

  // Content tag when the store has one (S3 ETag), else empty.
  const std::string& etag() const;
  // The path below the listed location ("2018/11/2018-11-01-events.json"; a location that
  // names one file: its file name). With the kind, a file's identity in the load manifest:
  // the same name under another folder, or on s3://, is the same file. Empty if none was set.
  std::string_view name() const;
  void set_etag(std::string_view etag);
  void set_name(std::string_view name);

 private:
  struct Extra {
    std::string etag;
    std::string name;  // when it is not the uri's tail
  };
  void SetExtra(std::string_view etag, std::string_view name);
  static constexpr uint32_t kNoTail = UINT32_MAX;
  uint32_t name_at_ = kNoTail;          // name = uri.substr(name_at_), unless kNoTail
  std::shared_ptr<const Extra> extra_;  // immutable, so copies share it
};

// `file.name()`, or its uri when the source that made it set no name.
inline std::string_view NameOf(const SourceFile& file) {
  const std::string_view name = file.name();
  return name.empty() ? std::string_view(file.uri) : name;
}

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Reads up to `capacity` bytes into `buffer`; returns 0 at end of stream.
  virtual Result<size_t> Read(char* buffer, size_t capacity) = 0;
};

class Source {
 public:
  virtual ~Source() = default;
  // The location as the user gave it.
  virtual std::string Describe() const = 0;
  // Every *.json file below the location (hidden files and folders skipped), sorted by uri.
  virtual Result<std::vector<SourceFile>> List() = 0;
  virtual Result<std::unique_ptr<ByteStream>> Open(const SourceFile& file) = 0;
};

// How to reach s3:// locations (ignored for local ones); docs/S3.md has the rules.
struct SourceOptions {
  std::string s3_endpoint_url;      // --endpoint-url; empty: AWS_ENDPOINT_URL_S3, ..., or AWS
  bool s3_no_sign_request = false;  // --no-sign-request: anonymous requests (public buckets)
  int s3_concurrency = 16;          // objects fetched at once; 0 = only on demand, one per reader
  int local_list_threads = 1;       // threads that walk a local folder's tree
};

// Opens a source for a location: a local folder or file, or s3://bucket/prefix. For S3 this
// resolves credentials, region and endpoint (kConfig when they are missing or malformed) but
// sends no request yet.
Result<std::unique_ptr<Source>> OpenSource(std::string_view location,
                                           const SourceOptions& options = {});

// Opens any file by its uri, wherever it is (local paths and s3:// objects of any bucket, one
// S3 client per bucket, made on first use), without listing anything: for files a run knows
// from the load manifest rather than from a listing. List() fails; Locate() stats one file.
class AnywhereSource final : public Source {
 public:
  explicit AnywhereSource(SourceOptions options);
  ~AnywhereSource() override;
  std::string Describe() const override { return "files by location"; }
  Result<std::vector<SourceFile>> List() override;
  Result<std::unique_ptr<ByteStream>> Open(const SourceFile& file) override;
  // The file at `uri` as a listing shows it (size, modification time, ETag; name empty);
  // kNotFound when nothing is there.
  Result<SourceFile> Locate(const std::string& uri);

 private:
  Result<Source*> SourceFor(const std::string& uri);
  struct State;
  std::unique_ptr<State> state_;
};

// A stream over bytes already in memory (an S3 object fetched whole).
std::unique_ptr<ByteStream> MakeMemoryStream(std::string data);

// Reads a whole stream into `out` (cleared first), keeping `padding` spare bytes of capacity
// after the data (simdjson needs them). Fails with kIo if it would exceed `max_bytes`.
Status ReadAll(ByteStream& stream, std::string& out, size_t padding, size_t max_bytes);

}  // namespace sparkify::source
