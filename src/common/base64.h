// Base64 with the standard alphabet (RFC 4648 section 4), as used by kubeconfig `*-data` fields
// and Secret `data` values.
//
// Encoding always pads with '='. Decoding is strict, like Go's base64.StdEncoding that
// Kubernetes uses for []byte fields: the input must be padded to a multiple of 4 characters,
// only A-Z a-z 0-9 + / are accepted (no URL-safe alphabet, no whitespace, no newlines), and '='
// may only appear as the last one or two characters. Non-zero bits in the last character
// before the padding are accepted (Go accepts them too). Thread-safe (pure functions).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cluster {

std::string Base64Encode(std::string_view data);
// Returns nullopt on any invalid character, bad length or bad padding.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace cluster
