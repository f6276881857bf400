#include "sparkify/source/source.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>

#include "sparkify/source/local_source.hpp"
#include "sparkify/source/s3/s3_source.hpp"

namespace sparkify::source {

Result<std::unique_ptr<Source>> OpenSource(std::string_view location,
                                           const SourceOptions& options) {
  if (location.empty()) return Error::InvalidArgument("empty source location");
  if (location.starts_with("s3://")) {
    S3SourceOptions s3;
    s3.endpoint_url = options.s3_endpoint_url;
    s3.no_sign_request = options.s3_no_sign_request;
    s3.concurrency = options.s3_concurrency;
    return OpenS3Source(location, s3);
  }
  if (location.starts_with("s3a://") || location.starts_with("s3n://")) {
    return Error::InvalidArgument(std::string(location) + ": write the location as s3://" +
                                  std::string(location.substr(location.find("://") + 3)));
  }
  return std::unique_ptr<Source>(
      std::make_unique<LocalSource>(std::string(location), options.local_list_threads));
}

struct AnywhereSource::State {
  SourceOptions options;
  std::mutex mu;
  std::map<std::string, std::unique_ptr<Source>> by_root;  // "" (local) or "s3://bucket/"
};

AnywhereSource::AnywhereSource(SourceOptions options) : state_(std::make_unique<State>()) {
  state_->options = std::move(options);
  state_->options.s3_concurrency = 0;  // fetch on demand: nothing is listed to prefetch
}
AnywhereSource::~AnywhereSource() = default;

Result<std::vector<SourceFile>> AnywhereSource::List() {
  return Error::Internal("AnywhereSource opens files by location; it lists nothing");
}

Result<Source*> AnywhereSource::SourceFor(const std::string& uri) {
  std::string root;
  if (uri.starts_with("s3://")) {
    const size_t slash = uri.find('/', 5);
    root = slash == std::string::npos ? uri + "/" : uri.substr(0, slash + 1);
  }
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->by_root.find(root);
  if (it == state_->by_root.end()) {
    SPARKIFY_ASSIGN_OR_RETURN(std::unique_ptr<Source> source,
                              OpenSource(root.empty() ? "/" : root, state_->options));
    it = state_->by_root.emplace(root, std::move(source)).first;
  }
  return it->second.get();
}

SourceFile::SourceFile(std::string uri_in, uint64_t size_in, int64_t mtime_ms_in,
                       std::string_view etag, std::string_view name)
    : uri(std::move(uri_in)), size(size_in), mtime_ms(mtime_ms_in) {
  SetExtra(etag, name);
}

const std::string& SourceFile::etag() const {
  static const std::string kNone;
  return extra_ ? extra_->etag : kNone;
}

std::string_view SourceFile::name() const {
  if (name_at_ != kNoTail) return std::string_view(uri).substr(name_at_);
  return extra_ ? std::string_view(extra_->name) : std::string_view();
}

void SourceFile::set_etag(std::string_view etag) { SetExtra(etag, name()); }
void SourceFile::set_name(std::string_view name) { SetExtra(etag(), name); }

void SourceFile::SetExtra(std::string_view etag, std::string_view name) {
  // Both may point into this file's own uri or block: copied before either changes.
  Extra extra{std::string(etag), std::string()};
  name_at_ = kNoTail;
  if (!name.empty() && std::string_view(uri).ends_with(name) && uri.size() <= kNoTail) {
    name_at_ = static_cast<uint32_t>(uri.size() - name.size());
  } else {
    extra.name = std::string(name);
  }
  if (extra.etag.empty() && extra.name.empty()) {
    extra_.reset();
  } else {
    extra_ = std::make_shared<const Extra>(std::move(extra));
  }
}

Result<std::unique_ptr<ByteStream>> AnywhereSource::Open(const SourceFile& file) {
  SPARKIFY_ASSIGN_OR_RETURN(Source * source, SourceFor(file.uri));
  return source->Open(file);  // a file the source did not list is fetched on this thread
}

Result<SourceFile> AnywhereSource::Locate(const std::string& uri) {
  // A location naming one file lists just that file (an S3 prefix also lists the objects whose
  // keys extend it; the exact one is picked).
  SPARKIFY_ASSIGN_OR_RETURN(std::unique_ptr<Source> one, OpenSource(uri, state_->options));
  Result<std::vector<SourceFile>> listed = one->List();
  if (!listed.ok()) {
    if (listed.error().code() == ErrorCode::kNotFound) return listed.take_error();
    return listed.take_error().WithContext("looking for " + uri);
  }
  for (SourceFile& f : *listed) {
    if (f.uri == uri) {
      f.set_name({});
      return std::move(f);
    }
  }
  return Error::NotFound(uri + ": no such file");
}

Status ReadAll(ByteStream& stream, std::string& out, size_t padding, size_t max_bytes) {
  out.clear();
  size_t used = 0;
  for (;;) {
    if (out.size() < used + padding + 64 * 1024)
      out.resize(std::max(out.size() * 2, used + padding + 64 * 1024));
    size_t room = out.size() - used - padding;
    SPARKIFY_ASSIGN_OR_RETURN(size_t n, stream.Read(out.data() + used, room));
    if (n == 0) break;
    used += n;
    if (used > max_bytes)
      return Error::Io("file larger than " + std::to_string(max_bytes) + " bytes");
  }
  out.resize(used + padding);  // the padding stays allocated and readable
  out.resize(used);
  return Status::Ok();
}

namespace {

class MemoryStream final : public ByteStream {
 public:
  explicit MemoryStream(std::string data) : data_(std::move(data)) {}
  Result<size_t> Read(char* buffer, size_t capacity) override {
    size_t n = std::min(capacity, data_.size() - pos_);
    std::memcpy(buffer, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<ByteStream> MakeMemoryStream(std::string data) {
  return std::make_unique<MemoryStream>(std::move(data));
}

}  // namespace sparkify::source
