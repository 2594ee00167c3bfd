#include "common/duration.h"

#include <cmath>
#include <cstdio>

namespace cluster {
namespace {

// Nanoseconds per unit; 0 when unknown.
double UnitNanos(std::string_view u) {
  if (u == "ns") return 1;
  if (u == "us" || u == "\xc2\xb5s" || u == "\xce\xbcs") return 1e3;
  if (u == "ms") return 1e6;
  if (u == "s") return 1e9;
  if (u == "m") return 60e9;
  if (u == "h") return 3600e9;
  return 0;
}

}  // namespace

Result<std::chrono::nanoseconds> ParseDuration(std::string_view text) {
  auto bad = [&] { return BadRequest("time: invalid duration \"" + std::string(text) + "\""); };
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return bad();
  double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    bool digits = false;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) {
      digits = digits || s[i] != '.';
      ++i;
    }
    if (!digits) return bad();
    double value = 0;
    if (std::sscanf(std::string(s.substr(0, i)).c_str(), "%lf", &value) != 1) return bad();
    s.remove_prefix(i);
    size_t j = 0;
    while (j < s.size() && !((s[j] >= '0' && s[j] <= '9') || s[j] == '.')) ++j;
    double unit = UnitNanos(s.substr(0, j));
    if (unit == 0) {
      if (j == 0) return BadRequest("time: missing unit in duration \"" + std::string(text) + "\"");
      return BadRequest("time: unknown unit \"" + std::string(s.substr(0, j)) +
                        "\" in duration \"" + std::string(text) + "\"");
    }
    s.remove_prefix(j);
    total += value * unit;
    if (total > 9.2e18) return bad();
  }
  auto ns = static_cast<int64_t>(std::llround(total));
  return std::chrono::nanoseconds(negative ? -ns : ns);
}

std::string FormatDuration(std::chrono::nanoseconds d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  uint64_t u = ns < 0 ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
  char buf[64];
  if (u < 1000000000ULL) {
    // Below a second Go prints the largest unit that keeps an integer part.
    if (u < 1000) {
      std::snprintf(buf, sizeof(buf), "%lluns", static_cast<unsigned long long>(u));
    } else if (u < 1000000) {
      std::snprintf(buf, sizeof(buf), "%gµs", u / 1e3);
    } else {
      std::snprintf(buf, sizeof(buf), "%gms", u / 1e6);
    }
    return sign + buf;
  }
  uint64_t h = u / 3600000000000ULL;
  uint64_t m = (u / 60000000000ULL) % 60;
  double sec = static_cast<double>(u % 60000000000ULL) / 1e9;
  std::string out = sign;
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  std::snprintf(buf, sizeof(buf), "%.9g", sec);
  return out + buf + "s";
}

}  // namespace cluster
