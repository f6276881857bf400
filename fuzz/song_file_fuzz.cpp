// libFuzzer target: the song-file parser on arbitrary bytes (one whole file).
#include <cstddef>
#include <cstdint>
#include <string>

#include "sparkify/parse/record_parser.hpp"
#include "sparkify/parse/records.hpp"

namespace {

class CountingSink final : public sparkify::parse::LoadErrorSink {
 public:
  void Report(sparkify::parse::LoadError error) override {
    if (error.reason.empty() || error.line != 1) __builtin_trap();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sparkify::parse::RecordParser parser;
  std::string padded(reinterpret_cast<const char*>(data), size);
  padded.append(sparkify::parse::kPadding, '\0');
  sparkify::ColumnBatch batch(sparkify::parse::StagingSongsSchema());
  CountingSink sink;
  auto counts = parser.ParseSongFile("fuzz.json", padded.data(), size, padded.size(), batch, sink);
  if (counts.rows + counts.errors != 1) __builtin_trap();  // exactly one outcome per file
  return 0;
}
