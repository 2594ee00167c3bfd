#include "common/quantity.h"

#include <limits>

namespace cluster {
namespace {

constexpr __int128 kNano = 1000000000;
// Values past this saturate (about 1.7e29 units: beyond any real capacity).
constexpr __int128 kMaxNanos = (static_cast<__int128>(1) << 126);

Status Malformed() {
  return BadRequest(
      "quantities must match the regular expression "
      "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
}

__int128 Pow10(int n) {
  __int128 r = 1;
  while (n-- > 0) r *= 10;
  return r;
}

__int128 CeilDiv(__int128 a, __int128 b) {
  __int128 q = a / b;
  if (a % b != 0 && ((a > 0) == (b > 0))) ++q;
  return q;
}

int64_t Saturate(__int128 v) {
  if (v > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (v < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  if (neg) v = -v;
  std::string s;
  while (v > 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return neg ? "-" + s : s;
}

}  // namespace

Quantity Quantity::FromMilli(int64_t milli) {
  return Quantity(static_cast<__int128>(milli) * 1000000);
}
Quantity Quantity::FromValue(int64_t value) {
  return Quantity(static_cast<__int128>(value) * kNano);
}

int64_t Quantity::Value() const { return Saturate(CeilDiv(nanos_, kNano)); }
int64_t Quantity::MilliValue() const { return Saturate(CeilDiv(nanos_, 1000000)); }

std::string Quantity::ToString() const {
  if (nanos_ % kNano != 0) {
    if (nanos_ % 1000000 == 0) return Int128ToString(nanos_ / 1000000) + "m";
    return Int128ToString(nanos_) + "n";
  }
  __int128 units = nanos_ / kNano;
  static const char* kBinary[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  if (units != 0) {
    int k = -1;
    __int128 v = units;
    while (k < 5 && v % 1024 == 0) {
      v /= 1024;
      ++k;
    }
    if (k >= 0) return Int128ToString(v) + kBinary[k];
  }
  return Int128ToString(units);
}

Result<Quantity> ParseQuantity(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  __int128 mantissa = 0;
  int fraction_digits = 0;
  int digits = 0;
  bool point = false;
  static const __int128 kMantissaLimit = Pow10(36);
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (point) return Malformed();
      point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    ++digits;
    // Digits beyond 36 significant ones cannot matter at nano precision for real quantities.
    if (mantissa < kMantissaLimit) {
      mantissa = mantissa * 10 + (c - '0');
      if (point) ++fraction_digits;
    } else if (!point) {
      return BadRequest("quantity too large: " + std::string(text));
    }
  }
  if (digits == 0) return Malformed();
  std::string_view suffix = text.substr(i);
  int exp10 = 0;
  int exp2 = 0;
  if (suffix.empty()) {
  } else if (suffix == "Ki") {
    exp2 = 10;
  } else if (suffix == "Mi") {
    exp2 = 20;
  } else if (suffix == "Gi") {
    exp2 = 30;
  } else if (suffix == "Ti") {
    exp2 = 40;
  } else if (suffix == "Pi") {
    exp2 = 50;
  } else if (suffix == "Ei") {
    exp2 = 60;
  } else if (suffix == "n") {
    exp10 = -9;
  } else if (suffix == "u") {
    exp10 = -6;
  } else if (suffix == "m") {
    exp10 = -3;
  } else if (suffix == "k") {
    exp10 = 3;
  } else if (suffix == "M") {
    exp10 = 6;
  } else if (suffix == "G") {
    exp10 = 9;
  } else if (suffix == "T") {
    exp10 = 12;
  } else if (suffix == "P") {
    exp10 = 15;
  } else if (suffix == "E") {
    exp10 = 18;
  } else if (suffix[0] == 'e' || suffix[0] == 'E') {
    std::string_view e = suffix.substr(1);
    bool eneg = false;
    if (!e.empty() && (e[0] == '+' || e[0] == '-')) {
      eneg = e[0] == '-';
      e.remove_prefix(1);
    }
    if (e.empty() || e.size() > 3) return Malformed();
    int v = 0;
    for (char c : e) {
      if (c < '0' || c > '9') return Malformed();
      v = v * 10 + (c - '0');
    }
    exp10 = eneg ? -v : v;
  } else {
    return Malformed();
  }
  // nanos = mantissa * 10^(9 + exp10 - fraction_digits) * 2^exp2
  int scale = 9 + exp10 - fraction_digits;
  __int128 nanos = mantissa;
  for (int b = 0; b < exp2 && nanos < kMaxNanos; ++b) nanos *= 2;
  if (scale >= 0) {
    for (int s = 0; s < scale && nanos < kMaxNanos; ++s) nanos *= 10;
  } else {
    nanos = -scale > 38 ? (nanos != 0 ? 1 : 0) : CeilDiv(nanos, Pow10(-scale));
  }
  if (nanos > kMaxNanos) nanos = kMaxNanos;
  Quantity q;
  q.nanos_ = negative ? -nanos : nanos;
  return q;
}

}  // namespace cluster
