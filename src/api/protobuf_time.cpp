// RFC 3339 text for metav1.Time / MicroTime, matching Go's time.Format(RFC3339[Micro]) in UTC.
#include <cstdio>

#include "api/protobuf.h"

namespace cluster::api {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

// Reads exactly n digits at s[*pos].
bool Digits(std::string_view s, size_t* pos, int n, int* out) {
  if (s.size() - *pos < static_cast<size_t>(n)) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

constexpr int64_t kSecondsPerDay = 86400;
// Go's JSON encoding of time only accepts years 0..9999.
constexpr int64_t kMinSeconds = -62167219200;  // 0000-01-01T00:00:00Z
constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z

}  // namespace

Result<std::string> FormatRfc3339(int64_t seconds, int32_t nanos, bool micro) {
  if (nanos < 0 || nanos >= 1000000000) {
    return BadRequest("timestamp nanos out of range: " + std::to_string(nanos));
  }
  if (seconds < kMinSeconds || seconds > kMaxSeconds) {
    return BadRequest("timestamp year outside of range [0,9999]: " + std::to_string(seconds));
  }
  int64_t days = seconds / kSecondsPerDay;
  int64_t rem = seconds % kSecondsPerDay;
  if (rem < 0) {
    rem += kSecondsPerDay;
    --days;
  }
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                        static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                        static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  std::string out(buf, n);
  if (micro) {
    std::snprintf(buf, sizeof(buf), ".%06d", nanos / 1000);
    out += buf;
  }
  out += 'Z';
  return out;
}

Status ParseRfc3339(std::string_view s, int64_t* seconds, int32_t* nanos) {
  auto bad = [&] { return BadRequest("invalid RFC 3339 time '" + std::string(s) + "'"); };
  size_t pos = 0;
  int year, month, day, hour, minute, second;
  if (!Digits(s, &pos, 4, &year) || !Expect(s, &pos, '-') || !Digits(s, &pos, 2, &month) ||
      !Expect(s, &pos, '-') || !Digits(s, &pos, 2, &day) ||
      !(Expect(s, &pos, 'T') || Expect(s, &pos, 't')) || !Digits(s, &pos, 2, &hour) ||
      !Expect(s, &pos, ':') || !Digits(s, &pos, 2, &minute) || !Expect(s, &pos, ':') ||
      !Digits(s, &pos, 2, &second)) {
    return bad();
  }
  static const int kDaysIn[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDaysIn[month - 1] || hour > 23 || minute > 59 ||
      second > 59) {
    return bad();
  }
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return bad();
  int32_t frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) frac = frac * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return bad();
    for (int i = digits; i < 9; ++i) frac *= 10;
  }
  int64_t offset = 0;
  if (Expect(s, &pos, 'Z') || Expect(s, &pos, 'z')) {
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om;
    if (!Digits(s, &pos, 2, &oh) || !Expect(s, &pos, ':') || !Digits(s, &pos, 2, &om) || oh > 23 ||
        om > 59) {
      return bad();
    }
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  *seconds = DaysFromCivil(year, month, day) * kSecondsPerDay + hour * 3600 + minute * 60 + second -
             offset;
  *nanos = frac;
  return Status::Ok();
}

}  // namespace cluster::api
