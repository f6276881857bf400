// Bad input records are data, not errors: parsers report each one to a LoadErrorSink (in the
// spirit of LevelDB's log::Reader::Reporter) and go on with the next record.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sparkify::parse {

struct LoadError {
  std::string table;         // staging table the record was meant for
  std::string file;          // source uri
  uint64_t line = 0;         // 1-based line number in the file
  uint64_t byte_offset = 0;  // 0-based offset of the line's first byte in the file
  std::string reason;        // for a person: what is wrong and where
  std::string excerpt;       // the start of the offending text, valid UTF-8, at most ~120 bytes

  bool operator==(const LoadError&) const = default;
};

class LoadErrorSink {
 public:
  virtual ~LoadErrorSink() = default;
  // Called once per rejected record. Implementations must be thread-safe when shared.
  virtual void Report(LoadError error) = 0;
};

// A thread-safe sink that keeps every error in memory.
class CollectingSink final : public LoadErrorSink {
 public:
  void Report(LoadError error) override {
    std::lock_guard<std::mutex> lock(mu_);
    errors_.push_back(std::move(error));
  }
  std::vector<LoadError> Take() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::move(errors_);
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mu_);
    return errors_.size();
  }

 private:
  std::mutex mu_;
  std::vector<LoadError> errors_;
};

// The first bytes of `text` as valid UTF-8 (invalid bytes become U+FFFD), cut at a code point
// boundary to at most `max_bytes` bytes, "..." appended when cut.
std::string SafeExcerpt(std::string_view text, size_t max_bytes = 120);

}  // namespace sparkify::parse
