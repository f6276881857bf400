#include "sparkify/common/distinct_spill.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <queue>
#include <string>
#include <utility>

namespace sparkify {
namespace {

constexpr size_t kReadValues = 4096;   // per run while merging: 32 KB
constexpr size_t kEmitValues = 16384;  // per call of emit

Error SpillError(const std::string& what, int err) {
  return Error::Io("the temporary file of distinct values: " + what + ": " + std::strerror(err) +
                   " (set TMPDIR to a folder with room)");
}

// Event files hold their events in time order, so a buffer of start times is usually sorted
// already: checking costs one pass, sorting several.
void SortUnique(std::vector<int64_t>& values) {
  if (!std::is_sorted(values.begin(), values.end())) std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

}  // namespace

// Reads one run back, a buffer at a time.
class DistinctSpill::RunReader {
 public:
  RunReader(int fd, Run run) : fd_(fd), next_offset_(run.offset), left_(run.count) {}

  bool done() const { return pos_ == buf_.size() && left_ == 0; }
  int64_t head() const { return buf_[pos_]; }
  // Moves past head(); refills the buffer from the file when it runs out.
  Status Advance() {
    ++pos_;
    return pos_ < buf_.size() ? Status::Ok() : Fill();
  }
  Status Fill() {
    buf_.resize(static_cast<size_t>(std::min<uint64_t>(left_, kReadValues)));
    pos_ = 0;
    size_t bytes = buf_.size() * sizeof(int64_t);
    char* out = reinterpret_cast<char*>(buf_.data());
    off_t at = static_cast<off_t>(next_offset_ * sizeof(int64_t));
    while (bytes > 0) {
      const ssize_t n = ::pread(fd_, out, bytes, at);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return SpillError("cannot read it", errno);
      if (n == 0) return Error::Io("the temporary file of distinct values ended early");
      out += n;
      at += n;
      bytes -= static_cast<size_t>(n);
    }
    next_offset_ += buf_.size();
    left_ -= buf_.size();
    return Status::Ok();
  }

 private:
  int fd_;
  uint64_t next_offset_;
  uint64_t left_;
  std::vector<int64_t> buf_;
  size_t pos_ = 0;
};

DistinctSpill::DistinctSpill(size_t run_values) : run_values_(std::max<size_t>(run_values, 1)) {}

DistinctSpill::~DistinctSpill() { Reset(); }

DistinctSpill::DistinctSpill(DistinctSpill&& other) noexcept
    : run_values_(other.run_values_),
      buffer_(std::move(other.buffer_)),
      runs_(std::move(other.runs_)),
      added_(std::exchange(other.added_, 0)),
      file_values_(std::exchange(other.file_values_, 0)),
      fd_(std::exchange(other.fd_, -1)) {}

DistinctSpill& DistinctSpill::operator=(DistinctSpill&& other) noexcept {
  if (this != &other) {
    Reset();
    run_values_ = other.run_values_;
    buffer_ = std::move(other.buffer_);
    runs_ = std::move(other.runs_);
    added_ = std::exchange(other.added_, 0);
    file_values_ = std::exchange(other.file_values_, 0);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void DistinctSpill::Reserve() { buffer_.reserve(run_values_); }

void DistinctSpill::Reset() {
  std::vector<int64_t>().swap(buffer_);
  std::vector<Run>().swap(runs_);
  added_ = 0;
  file_values_ = 0;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status DistinctSpill::WriteRun() {
  if (buffer_.empty()) return Status::Ok();
  if (fd_ < 0) {
    std::error_code ec;
    const std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
    if (ec) return SpillError("no temporary folder", ec.value());
    std::string path = (dir / "sparkify-distinct-XXXXXX").string();
    fd_ = ::mkstemp(path.data());
    if (fd_ < 0) return SpillError("cannot create it in " + dir.string(), errno);
    ::unlink(path.c_str());  // gone with the descriptor, however the process ends
  }
  added_ += buffer_.size();
  SortUnique(buffer_);
  const char* in = reinterpret_cast<const char*>(buffer_.data());
  size_t bytes = buffer_.size() * sizeof(int64_t);
  off_t at = static_cast<off_t>(file_values_ * sizeof(int64_t));
  while (bytes > 0) {
    const ssize_t n = ::pwrite(fd_, in, bytes, at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return SpillError("cannot write it", errno);
    in += n;
    at += n;
    bytes -= static_cast<size_t>(n);
  }
  runs_.push_back({file_values_, buffer_.size()});
  file_values_ += buffer_.size();
  buffer_.clear();
  return Status::Ok();
}

Status DistinctSpill::ForEachDistinct(const std::function<Status(std::span<const int64_t>)>& emit) {
  Status s;
  if (runs_.empty()) {  // everything still in the buffer: no file
    SortUnique(buffer_);
    for (size_t i = 0; i < buffer_.size() && s.ok(); i += kEmitValues)
      s = emit(
          std::span<const int64_t>(buffer_).subspan(i, std::min(kEmitValues, buffer_.size() - i)));
  } else {
    s = WriteRun();
    std::vector<int64_t>().swap(buffer_);
    if (s.ok()) s = MergeRuns(emit);
  }
  Reset();
  return s;
}

// A k-way merge of the sorted runs through a heap of their heads. Runs of plays loaded in about
// time order barely overlap, so once a run holds the smallest head it keeps emitting while its
// values stay at or below every other run's head, without going through the heap each time.
Status DistinctSpill::MergeRuns(const std::function<Status(std::span<const int64_t>)>& emit) {
  std::vector<RunReader> readers;
  readers.reserve(runs_.size());
  using Head = std::pair<int64_t, size_t>;  // value, reader
  std::priority_queue<Head, std::vector<Head>, std::greater<>> heads;
  for (const Run& run : runs_) {
    readers.emplace_back(fd_, run);
    SPARKIFY_RETURN_IF_ERROR(readers.back().Fill());
    if (!readers.back().done()) heads.push({readers.back().head(), readers.size() - 1});
  }
  std::vector<int64_t> out;
  out.reserve(kEmitValues);
  bool any = false;
  int64_t last = 0;
  while (!heads.empty()) {
    const size_t r = heads.top().second;
    heads.pop();
    RunReader& reader = readers[r];
    // Values up to the other runs' smallest head come from this run alone.
    const bool alone = heads.empty();
    const int64_t bound = alone ? 0 : heads.top().first;
    while (!reader.done() && (alone || reader.head() <= bound)) {
      const int64_t v = reader.head();
      if (!any || v != last) {
        out.push_back(v);
        last = v;
        any = true;
        if (out.size() == kEmitValues) {
          SPARKIFY_RETURN_IF_ERROR(emit(out));
          out.clear();
        }
      }
      SPARKIFY_RETURN_IF_ERROR(reader.Advance());
    }
    if (!reader.done()) heads.push({reader.head(), r});
  }
  if (!out.empty()) SPARKIFY_RETURN_IF_ERROR(emit(out));
  return Status::Ok();
}

}  // namespace sparkify
