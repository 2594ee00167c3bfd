#include "common/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>

namespace cluster::log {
namespace {
std::atomic<int> g_verbosity{0};
}

void SetVerbosity(int v) { g_verbosity.store(v); }
int Verbosity() { return g_verbosity.load(std::memory_order_relaxed); }

void Write(Level level, const char* component, const std::string& message) {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  time_t secs = ms / 1000;
  struct tm tm;
  gmtime_r(&secs, &tm);
  char stamp[64];
  snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms % 1000));
  static const char kLetters[] = {'E', 'W', 'I', 'D'};
  std::string line;
  line.reserve(message.size() + 64);
  line += stamp;
  line += ' ';
  line += kLetters[static_cast<int>(level)];
  line += " [";
  line += component;
  line += "] ";
  line += message;
  line += '\n';
  ssize_t unused = ::write(2, line.data(), line.size());
  (void)unused;
}

}  // namespace cluster::log
