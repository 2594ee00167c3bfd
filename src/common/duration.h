// Go's time.Duration text ("300ms", "5s", "1m30s", "2h"), as flags of upstream components take
// it. Never throws.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cluster {

// kBadRequest naming the text when it is not a duration. Units: ns, us (µs), ms, s, m, h;
// a sign and fractions ("1.5s") are accepted; a bare "0" is zero.
Result<std::chrono::nanoseconds> ParseDuration(std::string_view text);
// Go's String(): "1m30s", "500ms", "0s".
std::string FormatDuration(std::chrono::nanoseconds d);

}  // namespace cluster
