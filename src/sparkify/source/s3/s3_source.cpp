#include "sparkify/source/s3/s3_source.hpp"

#include <algorithm>
#include <cstring>

#include "sparkify/aws/credentials.hpp"
#include "sparkify/common/log.hpp"

namespace sparkify::source {
namespace {

// Reads a large object as consecutive ranged GETs of one version of it.
class ChunkedStream final : public ByteStream {
 public:
  ChunkedStream(aws::S3Client& client, std::string bucket, std::string key, uint64_t size,
                std::string etag, size_t chunk)
      : client_(client),
        bucket_(std::move(bucket)),
        key_(std::move(key)),
        size_(size),
        etag_(std::move(etag)),
        chunk_(std::max<size_t>(chunk, 1)) {}

  Result<size_t> Read(char* buffer, size_t capacity) override {
    if (pos_ == buffer_.size()) {
      if (offset_ >= size_) return size_t{0};
      uint64_t last = std::min<uint64_t>(size_, offset_ + chunk_) - 1;
      SPARKIFY_ASSIGN_OR_RETURN(aws::ObjectData data,
                                client_.GetObject(bucket_, key_, std::pair(offset_, last), etag_));
      buffer_ = std::move(data.body);
      pos_ = 0;
      offset_ = last + 1;
    }
    size_t n = std::min(capacity, buffer_.size() - pos_);
    std::memcpy(buffer, buffer_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  aws::S3Client& client_;
  std::string bucket_;
  std::string key_;
  uint64_t size_;
  std::string etag_;
  size_t chunk_;
  uint64_t offset_ = 0;
  std::string buffer_;
  size_t pos_ = 0;
};

// The path of `key` below `prefix` (its last segment when the prefix names the object itself).
std::string NameBelow(std::string_view prefix, std::string_view key) {
  if (key == prefix) return std::string(key.substr(key.rfind('/') + 1));
  std::string_view rel = key.substr(prefix.size());
  if (rel.starts_with('/')) rel.remove_prefix(1);
  return std::string(rel);
}

// Whether `key` (below `prefix`) is a data file, per the local source's rules.
bool Wanted(std::string_view prefix, std::string_view key) {
  if (key == prefix) return !key.empty() && key.back() != '/';  // the location is one object
  std::string_view rel = key.substr(prefix.size());
  if (!prefix.empty() && prefix.back() != '/') {
    if (!rel.starts_with('/')) return false;  // song_data_old/ is not below song_data
    rel.remove_prefix(1);
  }
  if (rel.empty() || !rel.ends_with(".json")) return false;
  size_t start = 0;
  while (start < rel.size()) {
    size_t slash = rel.find('/', start);
    if (slash == std::string_view::npos) slash = rel.size();
    std::string_view segment = rel.substr(start, slash - start);
    if (segment.starts_with('.')) return false;  // hidden file or folder
    start = slash + 1;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<Source>> OpenS3Source(std::string_view location,
                                             const S3SourceOptions& options) {
  SPARKIFY_ASSIGN_OR_RETURN(aws::S3Uri uri, aws::ParseS3Uri(location));
  SPARKIFY_ASSIGN_OR_RETURN(aws::SharedConfig shared, aws::SharedConfig::Load());
  aws::S3Config config;
  SPARKIFY_RETURN_IF_ERROR(aws::ApplyEnvironment(shared, config.client));
  std::string credentials_note = "unsigned requests (--no-sign-request)";
  if (!options.no_sign_request) {
    SPARKIFY_ASSIGN_OR_RETURN(aws::Credentials credentials, aws::ResolveCredentials(shared));
    credentials_note = "credentials from " + credentials.source;
    config.client.credentials = std::move(credentials);
  }
  aws::Setting region = aws::ResolveRegion(shared);
  config.client.region = region.value;
  aws::Setting endpoint = aws::ResolveEndpointUrl(shared, "S3", options.endpoint_url);
  config.endpoint_url = endpoint.value;
  Result<std::unique_ptr<aws::S3Client>> client = aws::S3Client::Create(std::move(config));
  if (!client.ok()) return client.take_error().WithContext("endpoint from " + endpoint.origin);
  log::Verbose("s3: " + std::string(location) + " via " + (*client)->DescribeEndpoint() +
               (endpoint.value.empty() ? "" : " (from " + endpoint.origin + ")") + ", region " +
               (*client)->region() +
               (region.value.empty() ? " (default)" : " (from " + region.origin + ")") + ", " +
               credentials_note);
  return std::unique_ptr<Source>(std::make_unique<S3Source>(std::string(location), std::move(uri),
                                                            std::move(client).value(), options));
}

S3Source::S3Source(std::string location, aws::S3Uri uri, std::unique_ptr<aws::S3Client> client,
                   const S3SourceOptions& options)
    : location_(std::move(location)),
      uri_(std::move(uri)),
      client_(std::move(client)),
      options_(options) {}

S3Source::~S3Source() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  client_->Cancel();
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  if (client_->retries() > 0) {
    log::Verbose("s3: " + location_ + ": " + log::WithThousands(client_->retries()) +
                 " requests were retried");
  }
}

std::string S3Source::KeyOf(const SourceFile& file) const {
  std::string prefix = "s3://" + uri_.bucket + "/";
  return file.uri.starts_with(prefix) ? file.uri.substr(prefix.size()) : file.uri;
}

Result<std::vector<SourceFile>> S3Source::List() {
  Result<std::vector<aws::ObjectInfo>> objects = client_->ListAll(uri_.bucket, uri_.key);
  if (!objects.ok()) return objects.take_error();
  std::vector<SourceFile> files;
  for (aws::ObjectInfo& o : *objects) {
    if (!Wanted(uri_.key, o.key)) continue;
    std::string name = NameBelow(uri_.key, o.key);
    files.push_back(
        SourceFile{"s3://" + uri_.bucket + "/" + o.key, o.size, o.mtime_ms, o.etag, name});
  }
  std::sort(files.begin(), files.end(),
            [](const SourceFile& a, const SourceFile& b) { return a.uri < b.uri; });
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) return Error::Internal(location_ + ": List() called after Open()");
  files_ = files;
  index_.clear();
  for (size_t i = 0; i < files_.size(); ++i) index_.emplace(files_[i].uri, i);
  slots_.assign(files_.size(), Slot{});
  return files;
}

Result<std::unique_ptr<ByteStream>> S3Source::FetchNow(const SourceFile& file) {
  if (file.size > options_.chunk_bytes) {
    return std::unique_ptr<ByteStream>(std::make_unique<ChunkedStream>(
        *client_, uri_.bucket, KeyOf(file), file.size, file.etag(), options_.chunk_bytes));
  }
  SPARKIFY_ASSIGN_OR_RETURN(aws::ObjectData data, client_->GetObject(uri_.bucket, KeyOf(file)));
  return MakeMemoryStream(std::move(data.body));
}

void S3Source::StartPrefetchLocked() {
  if (started_) return;
  started_ = true;
  size_t eligible = 0;
  for (size_t i = 0; i < files_.size(); ++i) eligible += Prefetchable(i) ? 1 : 0;
  size_t n = std::min(eligible, static_cast<size_t>(std::max(0, options_.concurrency)));
  for (size_t t = 0; t < n; ++t) threads_.emplace_back([this] { PrefetchLoop(); });
}

void S3Source::PrefetchLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    while (next_ < slots_.size() &&
           (slots_[next_].state != SlotState::kPending || !Prefetchable(next_))) {
      ++next_;
    }
    if (stop_ || next_ >= slots_.size()) return;
    size_t need = files_[next_].size;
    if (in_window_ >= std::max<size_t>(options_.prefetch_objects, 1) ||
        (reserved_ > 0 && reserved_ + need > options_.prefetch_bytes)) {
      cv_.wait(lock);  // a reader takes an object, or the source stops
      continue;
    }
    size_t i = next_++;
    slots_[i].state = SlotState::kFetching;
    ++in_window_;
    reserved_ += need;
    lock.unlock();
    Result<aws::ObjectData> data = client_->GetObject(uri_.bucket, KeyOf(files_[i]));
    lock.lock();
    slots_[i].result.emplace(std::move(data));
    slots_[i].state = SlotState::kReady;
    cv_.notify_all();
  }
}

Result<std::unique_ptr<ByteStream>> S3Source::Open(const SourceFile& file) {
  std::unique_lock<std::mutex> lock(mu_);
  auto it = index_.find(file.uri);
  if (it == index_.end()) {
    lock.unlock();
    return FetchNow(file);  // not from List(): fetch it on this thread
  }
  StartPrefetchLocked();
  size_t i = it->second;
  Slot& slot = slots_[i];
  if (slot.state == SlotState::kPending || slot.state == SlotState::kTaken) {
    slot.state = SlotState::kTaken;  // no prefetcher will touch it now
    lock.unlock();
    return FetchNow(file);
  }
  cv_.wait(lock, [&] { return slot.state == SlotState::kReady || stop_; });
  if (slot.state != SlotState::kReady) return Error::Unavailable(file.uri + ": source closed");
  Result<aws::ObjectData> data = std::move(*slot.result);
  slot.result.reset();
  slot.state = SlotState::kTaken;
  --in_window_;
  reserved_ -= files_[i].size;
  lock.unlock();
  cv_.notify_all();
  if (!data.ok()) return data.take_error();
  return MakeMemoryStream(std::move(data->body));
}

}  // namespace sparkify::source
