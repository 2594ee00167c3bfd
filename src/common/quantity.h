// Kubernetes resource quantities (resource.Quantity): "100m", "2", "1.5", "128Mi", "1G", "1e3",
// as pod requests and limits, node capacity and quotas write them. Parsing is exact (values are
// kept in nano-units in 128 bits) and never throws.
//
// Value() rounds up to a whole unit and MilliValue() to a whole milli-unit, as upstream's
// Quantity.Value()/MilliValue(): a cpu request "100m" has MilliValue 100 and Value 1; memory
// "1Gi" has Value 1073741824.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cluster {

class Quantity {
 public:
  Quantity() = default;
  static Quantity FromMilli(int64_t milli);
  static Quantity FromValue(int64_t value);

  // Whole units, rounded up (saturating at INT64_MAX).
  int64_t Value() const;
  // Milli-units, rounded up (saturating).
  int64_t MilliValue() const;
  bool IsZero() const { return nanos_ == 0; }
  bool Negative() const { return nanos_ < 0; }

  Quantity& operator+=(const Quantity& o) {
    nanos_ += o.nanos_;
    return *this;
  }
  Quantity& operator-=(const Quantity& o) {
    nanos_ -= o.nanos_;
    return *this;
  }
  friend Quantity operator+(Quantity a, const Quantity& b) { return a += b; }
  friend Quantity operator-(Quantity a, const Quantity& b) { return a -= b; }
  friend bool operator==(const Quantity& a, const Quantity& b) { return a.nanos_ == b.nanos_; }
  friend bool operator<(const Quantity& a, const Quantity& b) { return a.nanos_ < b.nanos_; }
  friend bool operator<=(const Quantity& a, const Quantity& b) { return a.nanos_ <= b.nanos_; }
  friend bool operator>(const Quantity& a, const Quantity& b) { return a.nanos_ > b.nanos_; }
  friend bool operator>=(const Quantity& a, const Quantity& b) { return a.nanos_ >= b.nanos_; }

  // A canonical text: milli-units for fractions ("100m"), binary suffixes for exact multiples of
  // 1024 ("128Mi"), else the plain integer. Parses back to an equal quantity.
  std::string ToString() const;

 private:
  explicit Quantity(__int128 nanos) : nanos_(nanos) {}
  friend Result<Quantity> ParseQuantity(std::string_view text);
  __int128 nanos_ = 0;
};

// kBadRequest "quantities must match the regular expression ..." (upstream's wording) when
// `text` is not a quantity.
Result<Quantity> ParseQuantity(std::string_view text);

}  // namespace cluster
