// Leveled logging. Every line: "2026-12-01T09:58:25.123Z I [component] message".
// Thread-safe: each line is written with one write(2) to stderr.
// Verbosity: errors, warnings and info always print; V(n) lines print when -v >= n.
#pragma once

#include <sstream>
#include <string>

namespace cluster::log {

enum class Level { kError, kWarning, kInfo, kDebug };

void SetVerbosity(int v);
int Verbosity();
void Write(Level level, const char* component, const std::string& message);

class Line {
 public:
  Line(Level level, const char* component) : level_(level), component_(component) {}
  ~Line() { Write(level_, component_, out_.str()); }
  template <typename T>
  Line& operator<<(const T& v) {
    out_ << v;
    return *this;
  }

 private:
  Level level_;
  const char* component_;
  std::ostringstream out_;
};

}  // namespace cluster::log

#define LOG_ERROR(component) ::cluster::log::Line(::cluster::log::Level::kError, component)
#define LOG_WARN(component) ::cluster::log::Line(::cluster::log::Level::kWarning, component)
#define LOG_INFO(component) ::cluster::log::Line(::cluster::log::Level::kInfo, component)
#define LOG_V(n, component)                      \
  if (::cluster::log::Verbosity() < (n)) {       \
  } else                                         \
    ::cluster::log::Line(::cluster::log::Level::kDebug, component)
