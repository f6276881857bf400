// NumberSlots: numbers found by keys kept outside the index, through growth, replacement and
// hash collisions.
#include "sparkify/common/number_slots.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sparkify {
namespace {

// Keys live in `keys` (number i has keys[i]); `hash` may be a bad one on purpose.
struct Index {
  std::vector<std::string> keys;
  std::function<uint64_t(const std::string&)> hash = [](const std::string& k) {
    return std::hash<std::string>()(k);
  };
  NumberSlots slots;

  size_t SlotOf(const std::string& key) const {
    return slots.Find(hash(key), [&](uint32_t n) { return keys[n] == key; });
  }
  // Adds key as a new number, or returns the number already held for it.
  uint32_t Add(const std::string& key) {
    slots.MakeRoom([&](uint32_t n) { return hash(keys[n]); });
    const size_t slot = SlotOf(key);
    if (slots.Holds(slot)) return slots.At(slot);
    keys.push_back(key);
    slots.Put(slot, static_cast<uint32_t>(keys.size() - 1));
    return static_cast<uint32_t>(keys.size() - 1);
  }
};

TEST(NumberSlots, FindsEveryNumberByItsKeyThroughGrowth) {
  Index index;
  for (int i = 0; i < 5000; ++i) EXPECT_EQ(index.Add("key" + std::to_string(i)), uint32_t(i));
  EXPECT_EQ(index.slots.size(), 5000u);
  for (int i = 0; i < 5000; i += 7) {
    const size_t slot = index.SlotOf("key" + std::to_string(i));
    ASSERT_TRUE(index.slots.Holds(slot));
    EXPECT_EQ(index.slots.At(slot), uint32_t(i));
  }
  EXPECT_FALSE(index.slots.Holds(index.SlotOf("key5000")));
  EXPECT_EQ(index.Add("key42"), 42u);  // held: not added again
  EXPECT_EQ(index.slots.size(), 5000u);
}

TEST(NumberSlots, CollidingHashesStayApart) {
  Index index;
  index.hash = [](const std::string&) { return uint64_t{3}; };  // every key in one chain
  for (int i = 0; i < 300; ++i) index.Add("k" + std::to_string(i));
  for (int i = 0; i < 300; ++i) {
    const size_t slot = index.SlotOf("k" + std::to_string(i));
    ASSERT_TRUE(index.slots.Holds(slot));
    EXPECT_EQ(index.slots.At(slot), uint32_t(i));
  }
  EXPECT_FALSE(index.slots.Holds(index.SlotOf("k300")));
}

TEST(NumberSlots, PutReplacesAHeldNumberWithoutCountingIt) {
  Index index;
  index.Add("a");
  index.Add("b");
  index.keys.push_back("a");  // number 2 also has key "a": it takes number 0's slot
  index.slots.Put(index.SlotOf("a"), 2);
  EXPECT_EQ(index.slots.size(), 2u);
  EXPECT_EQ(index.slots.At(index.SlotOf("a")), 2u);
  std::vector<uint32_t> held;
  index.slots.ForEach([&](uint32_t n) { held.push_back(n); });
  std::sort(held.begin(), held.end());
  EXPECT_EQ(held, (std::vector<uint32_t>{1, 2}));
}

TEST(NumberSlots, ReserveKeepsWhatIsHeldAndRoomIsHalfTheSlots) {
  Index index;
  EXPECT_FALSE(index.slots.Fits());  // no slots yet
  index.slots.Reserve(100, [&](uint32_t n) { return index.hash(index.keys[n]); });
  EXPECT_TRUE(index.slots.Fits(100));  // 256 slots
  EXPECT_FALSE(index.slots.Fits(129));
  for (int i = 0; i < 100; ++i) index.Add(std::to_string(i));
  index.slots.Reserve(1000, [&](uint32_t n) { return index.hash(index.keys[n]); });
  std::map<uint32_t, int> seen;
  index.slots.ForEach([&](uint32_t n) { ++seen[n]; });
  EXPECT_EQ(seen.size(), 100u);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(index.slots.At(index.SlotOf(std::to_string(i))), uint32_t(i));
}

}  // namespace
}  // namespace sparkify
