// A Source over s3://bucket/prefix, on AWS or any S3-compatible store.
//
// List(): every object below the prefix, like the local source walks a folder: a prefix that
// does not end in '/' names a "folder" (s3://b/song_data lists song_data/..., not
// song_data_old/...) or one object (s3://b/log_json_path.json). Below it, only keys whose last
// segment ends in ".json" count, and keys with a segment starting with '.' are skipped
// (.ipynb_checkpoints/, .DS_Store). Sorted by uri; SourceFile.etag is the S3 ETag.
//
// Open(): the song set is ~15,000 objects of ~250 bytes, where fetching one at a time is all
// round-trip latency. So after the first Open() a pool of `concurrency` threads, each reusing
// its own connection, fetches the listed objects in list order (the order readers ask for
// them) ahead of the readers; Open() hands over a fetched object or waits for the one in
// flight. Memory stays bounded: at most `prefetch_objects` objects and `prefetch_bytes` bytes
// are in flight or fetched-but-unread at a time. The object window is wide on purpose: readers
// take objects in order, so one slow GET holds up the reader, and only a wide window keeps the
// other connections busy meanwhile (tiny objects make it cheap: 1,024 song files are ~250 KB).
// Objects larger than `chunk_bytes` are never prefetched; they stream through ranged GETs of
// `chunk_bytes`, pinned to the listed ETag (If-Match), so a dropped connection costs one chunk, not
// the object.
//
// Faults: every request is retried per aws/client.hpp; an object that still fails is an Open()
// or Read() error naming it (kUnavailable after the retry budget, kNotFound, kAuth, ...).
// Thread-safety: as Source requires. Streams must be destroyed before the source; destroying
// the source cancels fetches in flight and joins the pool.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "sparkify/aws/s3.hpp"
#include "sparkify/source/source.hpp"

namespace sparkify::source {

struct S3SourceOptions {
  std::string endpoint_url;      // --endpoint-url; empty: the environment's (docs/S3.md)
  bool no_sign_request = false;  // anonymous requests
  int concurrency = 16;          // prefetch threads; 0 = fetch on Open() only
  size_t prefetch_bytes = 64u << 20;
  size_t prefetch_objects = 1024;
  size_t chunk_bytes = 8u << 20;
};

// Resolves credentials, region, endpoint and retry settings from the environment and the
// shared AWS files (aws/credentials.hpp) and opens the source; no request is sent yet.
Result<std::unique_ptr<Source>> OpenS3Source(std::string_view location,
                                             const S3SourceOptions& options);

class S3Source final : public Source {
 public:
  S3Source(std::string location, aws::S3Uri uri, std::unique_ptr<aws::S3Client> client,
           const S3SourceOptions& options);
  ~S3Source() override;
  S3Source(const S3Source&) = delete;
  S3Source& operator=(const S3Source&) = delete;

  std::string Describe() const override { return location_; }
  Result<std::vector<SourceFile>> List() override;
  Result<std::unique_ptr<ByteStream>> Open(const SourceFile& file) override;

 private:
  enum class SlotState { kPending, kFetching, kReady, kTaken };
  struct Slot {
    SlotState state = SlotState::kPending;
    std::optional<Result<aws::ObjectData>> result;
  };

  std::string KeyOf(const SourceFile& file) const;
  bool Prefetchable(size_t i) const { return files_[i].size <= options_.chunk_bytes; }
  Result<std::unique_ptr<ByteStream>> FetchNow(const SourceFile& file);
  void StartPrefetchLocked();
  void PrefetchLoop();

  const std::string location_;
  const aws::S3Uri uri_;
  std::unique_ptr<aws::S3Client> client_;
  const S3SourceOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<SourceFile> files_;                  // the last List(); read-only after it
  std::unordered_map<std::string, size_t> index_;  // uri -> position in files_
  std::vector<Slot> slots_;                        // guarded by mu_
  size_t next_ = 0;                                // next slot a prefetcher considers
  size_t in_window_ = 0;                           // slots fetching or ready
  size_t reserved_ = 0;                            // listed bytes of those slots
  bool started_ = false;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sparkify::source
