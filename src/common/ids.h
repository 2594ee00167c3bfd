// Identifiers and timestamps in Kubernetes' formats. Thread-safe.
#pragma once

#include <chrono>
#include <string>

namespace cluster {

// Random RFC 4122 version-4 UUID ("0b6c1c9e-...").
std::string NewUuid();
// n random characters from Kubernetes' generateName alphabet (no vowels, no confusables).
std::string RandomSuffix(size_t n = 5);
// Hex string of n random bytes.
std::string RandomHex(size_t n);
// RFC 3339 in UTC with second precision ("2026-12-01T09:58:25Z"), as metav1.Time.
std::string Rfc3339(std::chrono::system_clock::time_point t);
std::string NowRfc3339();
// RFC 3339 with microseconds, as metav1.MicroTime.
std::string NowRfc3339Micro();
// Parses RFC 3339 ("...Z" or with offset, optional fraction); false when malformed.
bool ParseRfc3339(const std::string& s, std::chrono::system_clock::time_point* out);

}  // namespace cluster
