#include "common/ids.h"

#include <openssl/rand.h>

#include <cstdio>
#include <ctime>
#include <random>

namespace cluster {
namespace {

void RandomBytes(unsigned char* buf, size_t n) {
  if (RAND_bytes(buf, static_cast<int>(n)) == 1) return;
  thread_local std::mt19937_64 rng{std::random_device{}()};
  for (size_t i = 0; i < n; ++i) buf[i] = static_cast<unsigned char>(rng());
}

}  // namespace

std::string NewUuid() {
  unsigned char b[16];
  RandomBytes(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[37];
  snprintf(out, sizeof out,
           "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
           b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
           b[15]);
  return out;
}

std::string RandomSuffix(size_t n) {
  static const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  unsigned char buf[64];
  if (n > sizeof buf) n = sizeof buf;
  RandomBytes(buf, n);
  for (size_t i = 0; i < n; ++i) out += kAlphabet[buf[i] % (sizeof kAlphabet - 1)];
  return out;
}

std::string RandomHex(size_t n) {
  std::string out;
  unsigned char b;
  for (size_t i = 0; i < n; ++i) {
    RandomBytes(&b, 1);
    char h[3];
    snprintf(h, sizeof h, "%02x", b);
    out += h;
  }
  return out;
}

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  time_t secs = std::chrono::system_clock::to_time_t(t);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string NowRfc3339() { return Rfc3339(std::chrono::system_clock::now()); }

std::string NowRfc3339Micro() {
  auto now = std::chrono::system_clock::now();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  time_t secs = us / 1000000;
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[48];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, sizeof buf - n, ".%06dZ", static_cast<int>(us % 1000000));
  return buf;
}

bool ParseRfc3339(const std::string& s, std::chrono::system_clock::time_point* out) {
  struct tm tm = {};
  int consumed = 0;
  if (sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
             &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6)
    return false;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  size_t i = static_cast<size_t>(consumed);
  double frac = 0;
  if (i < s.size() && s[i] == '.') {
    size_t j = i + 1;
    while (j < s.size() && isdigit(static_cast<unsigned char>(s[j]))) ++j;
    frac = std::stod("0" + s.substr(i, j - i));
    i = j;
  }
  long offset = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int hh = 0, mm = 0;
    if (sscanf(s.c_str() + i + 1, "%2d:%2d", &hh, &mm) != 2) return false;
    offset = (hh * 3600 + mm * 60) * (s[i] == '+' ? 1 : -1);
  } else if (i >= s.size() || (s[i] != 'Z' && s[i] != 'z')) {
    return false;
  }
  time_t secs = timegm(&tm) - offset;
  *out = std::chrono::system_clock::from_time_t(secs) +
         std::chrono::microseconds(static_cast<int64_t>(frac * 1e6));
  return true;
}

}  // namespace cluster
