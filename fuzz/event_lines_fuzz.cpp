// libFuzzer target: the event-line parser on arbitrary bytes (a block of JSON Lines).
#include <cstddef>
#include <cstdint>
#include <string>

#include "sparkify/parse/record_parser.hpp"
#include "sparkify/parse/records.hpp"

namespace {

class CountingSink final : public sparkify::parse::LoadErrorSink {
 public:
  void Report(sparkify::parse::LoadError error) override {
    // Every error must name its place and carry a reason; excerpts are bounded.
    if (error.reason.empty() || error.line == 0 || error.excerpt.size() > 130) __builtin_trap();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sparkify::parse::RecordParser parser;  // reused, as in production
  std::string padded(reinterpret_cast<const char*>(data), size);
  padded.append(sparkify::parse::kPadding, '\0');
  sparkify::ColumnBatch batch(sparkify::parse::StagingEventsSchema());
  CountingSink sink;
  auto counts =
      parser.ParseEventLines("fuzz.json", 0, padded.data(), size, padded.size(), 1, 0, batch, sink);
  if (counts.rows != batch.rows()) __builtin_trap();
  return 0;
}
