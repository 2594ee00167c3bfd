// Gives memory back to the OS after large requests. glibc keeps what a big response freed
// (a 10 000-pod list is ~16 MB of JSON plus its parse) cached in the arena of the connection
// thread that built it, so RSS stayed near its peak (~300 MB after a few such lists). After a
// large body, a background thread calls malloc_trim(0) once no other large body has come for a
// second: one trim per burst, none on the request path.
#pragma once

#include <cstddef>

namespace cluster {

class MemoryTrimmer {
 public:
  // Starts the background thread (idempotent) and tells glibc to keep freed memory while busy
  // (mmap threshold 32 MiB, trim threshold 512 MiB): trims happen here, when quiet. Stop()
  // ends the thread (tests, shutdown).
  static void Start();
  static void Stop();
  // Records a body of `bytes`; bodies of at least kLargeBytes schedule a trim.
  static void Note(size_t bytes);
  // How many trims ran (for tests and logs).
  static size_t Trims();
  // Whether glibc accepted the thresholds Start() set.
  static bool Tuned();

  static constexpr size_t kLargeBytes = 1 << 20;
};

}  // namespace cluster
