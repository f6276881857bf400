// The distinct values of a long stream of integers, in ascending order, in bounded memory.
//
// Values are buffered; a full buffer is sorted, deduplicated and written as one sorted run to
// an unnamed temporary file (created in the system's temporary folder, TMPDIR, and unlinked at
// once, so nothing is left behind whatever happens to the process). ForEachDistinct merges the
// runs. Memory: the buffer (8 bytes per value, `run_values` of them) while values are added,
// and a small read buffer per run while they are merged. Disk: 8 bytes per value added, at
// most. Fewer values than one buffer never touch the disk.
//
// Used for dim_time: every play's start time goes in as it is numbered, and the distinct times
// come out sorted for the load (pipeline::LoadTimes), instead of a hash aggregate over the
// loaded plays or a vector of every play's time (64 MB for 8 M plays).
//
// Not thread-safe: one thread adds, then one thread merges.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "sparkify/common/error.hpp"

namespace sparkify {

class DistinctSpill {
 public:
  // 2 MB of buffer: L's 8 M plays make 32 runs.
  static constexpr size_t kDefaultRunValues = size_t{1} << 18;

  explicit DistinctSpill(size_t run_values = kDefaultRunValues);
  ~DistinctSpill();
  DistinctSpill(DistinctSpill&& other) noexcept;
  DistinctSpill& operator=(DistinctSpill&& other) noexcept;
  DistinctSpill(const DistinctSpill&) = delete;
  DistinctSpill& operator=(const DistinctSpill&) = delete;

  // Adds one value. A full buffer is written out as a run: an error is the temporary file's
  // (cannot be created, disk full).
  Status Add(int64_t value) {
    if (buffer_.capacity() == 0) Reserve();
    buffer_.push_back(value);
    return buffer_.size() >= run_values_ ? WriteRun() : Status::Ok();
  }

  // Calls `emit` with every distinct value added, ascending, a span of up to a few thousand at a
  // time, and stops at the first error `emit` returns. The spill is empty afterwards (its
  // memory and file released), whether it succeeds or not.
  Status ForEachDistinct(const std::function<Status(std::span<const int64_t>)>& emit);

  uint64_t added() const { return added_ + buffer_.size(); }
  size_t runs_written() const { return runs_.size(); }

 private:
  struct Run {
    uint64_t offset = 0;  // in values
    uint64_t count = 0;
  };
  class RunReader;

  // The buffer's whole size at once: growing it by doubling would free 128 KB-1 MB blocks that
  // glibc mapped, and each such free raises its threshold for mapping blocks, so that later
  // large blocks come from the heap and fragment it.
  void Reserve();
  Status WriteRun();  // the buffer, sorted and deduplicated, as one more run
  Status MergeRuns(const std::function<Status(std::span<const int64_t>)>& emit);
  void Reset();  // empty again: buffer freed, file closed

  size_t run_values_;
  std::vector<int64_t> buffer_;
  std::vector<Run> runs_;
  uint64_t added_ = 0;        // values in the runs written (before their deduplication)
  uint64_t file_values_ = 0;  // values in the file
  int fd_ = -1;
};

}  // namespace sparkify
