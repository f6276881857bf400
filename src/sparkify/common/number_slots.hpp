// NumberSlots: an open-addressed hash index of numbers (uint32_t) whose keys live elsewhere:
// the owner hashes a key and says whether the key of a number held equals it. Four bytes a
// slot, at most half full, linear probing: 8-16 bytes a number, where a std::unordered_map of
// numbers took ~40 (a node and a bucket each).
//
// Contract: Find and Put need room (Reserve, MakeRoom); a number is at most UINT32_MAX - 1.
// Numbers are only added or replaced, never removed.
// Thread-safety: none; const members may run on several threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace sparkify {

class NumberSlots {
 public:
  size_t size() const { return size_; }                                  // numbers held
  size_t bytes() const { return slots_.capacity() * sizeof(uint32_t); }  // memory held
  // Whether `more` numbers fit at most half full without Reserve.
  bool Fits(size_t more = 1) const { return 2 * (size_ + more) <= slots_.size(); }

  // Makes room for `count` numbers; the numbers held move to their new slots by
  // `hash_of(number)`, the hash their keys had.
  template <typename HashOf>
  void Reserve(size_t count, HashOf hash_of) {
    size_t slots = 16;
    while (slots < 2 * count) slots *= 2;
    if (slots <= slots_.size()) return;
    std::vector<uint32_t> old = std::exchange(slots_, std::vector<uint32_t>(slots, 0));
    for (uint32_t held : old) {
      if (held != 0) slots_[Find(hash_of(held - 1), [](uint32_t) { return false; })] = held;
    }
  }

  // Makes room for one more number, doubling the slots when it would not fit (Reserve).
  template <typename HashOf>
  void MakeRoom(HashOf hash_of) {
    if (!Fits()) Reserve(2 * (size_ + 1), hash_of);
  }

  // The slot of the number whose key has `hash` and `equals(number)`, else the empty slot where
  // such a number would go.
  template <typename Equals>
  size_t Find(uint64_t hash, Equals equals) const {
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const uint32_t held = slots_[i];
      if (held == 0 || equals(held - 1)) return i;
    }
  }
  bool Holds(size_t slot) const { return slots_[slot] != 0; }
  uint32_t At(size_t slot) const { return slots_[slot] - 1; }  // Holds(slot)
  // `number` in `slot`: a slot Find returned, empty (one more held) or held (replaced).
  void Put(size_t slot, uint32_t number) {
    if (slots_[slot] == 0) ++size_;
    slots_[slot] = number + 1;
  }

  // Calls `visit(number)` for every number held, in slot order.
  template <typename Visit>
  void ForEach(Visit visit) const {
    for (uint32_t held : slots_) {
      if (held != 0) visit(held - 1);
    }
  }

 private:
  std::vector<uint32_t> slots_;  // number + 1; 0: empty. A power of two long, or empty.
  size_t size_ = 0;
};

}  // namespace sparkify
