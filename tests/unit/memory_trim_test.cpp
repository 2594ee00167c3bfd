#include "common/memory_trim.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

namespace cluster {
namespace {

using namespace std::chrono_literals;

bool WaitForTrims(size_t want) {
  for (int i = 0; i < 100; ++i) {
    if (MemoryTrimmer::Trims() >= want) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

TEST_CASE("a large body schedules one trim once things are quiet; small ones none", "[trim]") {
  MemoryTrimmer::Start();
  MemoryTrimmer::Start();  // idempotent
  CHECK(MemoryTrimmer::Tuned());
  size_t before = MemoryTrimmer::Trims();
  MemoryTrimmer::Note(100);
  std::this_thread::sleep_for(1500ms);
  CHECK(MemoryTrimmer::Trims() == before);
  // A burst of large bodies: one trim after the last.
  for (int i = 0; i < 5; ++i) MemoryTrimmer::Note(MemoryTrimmer::kLargeBytes);
  CHECK(WaitForTrims(before + 1));
  std::this_thread::sleep_for(1500ms);
  CHECK(MemoryTrimmer::Trims() == before + 1);
  MemoryTrimmer::Stop();
  MemoryTrimmer::Stop();
}

}  // namespace
}  // namespace cluster
