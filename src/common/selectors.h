// Kubernetes label selectors and field selectors, as k8s.io/apimachinery labels.Parse and
// fields.ParseSelector read them from `?labelSelector=` / `?fieldSelector=` and as
// metav1.LabelSelector objects appear in specs (Deployment.spec.selector, ...).
//
// Parsing never throws; malformed input yields kBadRequest with upstream's wording
// ("unable to parse requirement: ...", "invalid selector: ..."). Parsed selectors are immutable
// values, safe to share between threads.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace cluster {

// ---- Label selectors ----------------------------------------------------------------------

enum class LabelOp {
  kEquals,        // a=b
  kDoubleEquals,  // a==b
  kNotEquals,     // a!=b   (matches when the key is absent)
  kIn,            // a in (x,y)
  kNotIn,         // a notin (x,y)   (matches when the key is absent)
  kExists,        // a
  kDoesNotExist,  // !a
  kGreaterThan,   // a>5   (integer compare; absent or non-integer label never matches)
  kLessThan,      // a<5
};

struct LabelRequirement {
  std::string key;
  LabelOp op = LabelOp::kExists;
  // Sorted and de-duplicated for in/notin (as upstream's sets.String); one value for the
  // equality and Gt/Lt ops; empty for exists/!exists.
  std::vector<std::string> values;

  bool Matches(const std::map<std::string, std::string>& labels) const;
  bool Matches(const json::Value* labels) const;
  // Upstream's Requirement.String(): "a=b", "a in (x,y)", "!a", ...
  std::string ToString() const;
};

class LabelSelector {
 public:
  // The empty selector: matches everything.
  LabelSelector() = default;
  explicit LabelSelector(std::vector<LabelRequirement> reqs);

  // Every requirement must match. `labels` may be null (no labels) or a JSON object of strings
  // (non-string values count as absent).
  bool Matches(const std::map<std::string, std::string>& labels) const;
  bool Matches(const json::Value* labels) const;

  bool Empty() const { return reqs_.empty(); }
  // Sorted by key, as upstream.
  const std::vector<LabelRequirement>& requirements() const { return reqs_; }
  // Comma-joined requirement strings; parses back to an equal selector.
  std::string ToString() const;

  // A selector that matches nothing (upstream labels.Nothing(), used for a null
  // metav1.LabelSelector pointer). Empty() is false for it; ToString() is "".
  static LabelSelector Nothing();
  bool IsNothing() const { return nothing_; }

 private:
  std::vector<LabelRequirement> reqs_;
  bool nothing_ = false;
};

// Parses the string syntax of labels.Parse. kBadRequest on any error.
Result<LabelSelector> ParseLabelSelector(std::string_view text);

// Converts a metav1.LabelSelector object ({matchLabels: {...}, matchExpressions: [{key,
// operator: In|NotIn|Exists|DoesNotExist, values: [...]}]}) as
// metav1.LabelSelectorAsSelector does. A JSON null converts to Nothing(); an empty object to
// the match-everything selector. kBadRequest when the shape or a key/value/operator is invalid
// (In/NotIn need values, Exists/DoesNotExist must have none).
Result<LabelSelector> FromLabelSelectorJson(const json::Value& selector);

// Label key and value syntax (validation.IsQualifiedName / IsValidLabelValue). Return the
// upstream error strings joined by "; ", or "" when valid. Shared with object validation.
std::string LabelKeyError(std::string_view key);
std::string LabelValueError(std::string_view value);

// ---- Field selectors ----------------------------------------------------------------------

enum class FieldOp {
  kEquals,        // a=b
  kDoubleEquals,  // a==b
  kNotEquals,     // a!=b
};

struct FieldRequirement {
  std::string field;  // e.g. "metadata.name", "spec.nodeName", "status.phase"
  FieldOp op = FieldOp::kEquals;
  std::string value;  // unescaped
};

// Returns a field's value, or nullopt when the object has no such field (treated as "").
using FieldGetter = std::function<std::optional<std::string>(std::string_view field)>;

class FieldSelector {
 public:
  FieldSelector() = default;  // matches everything
  explicit FieldSelector(std::vector<FieldRequirement> reqs) : reqs_(std::move(reqs)) {}

  bool Matches(const FieldGetter& get) const;
  bool Empty() const { return reqs_.empty(); }
  // Sorted as upstream (by the raw term text). The apiserver checks each `field` against the
  // kind's supported fields and answers kBadRequest "field label not supported: X".
  const std::vector<FieldRequirement>& requirements() const { return reqs_; }
  // "a=b,c!=d" with values escaped.
  std::string ToString() const;
  // The value required by an `=`/`==` term on `field`, if any (e.g. spec.nodeName for the
  // kubelet's pod watch, metadata.name for kubectl get NAME --watch).
  std::optional<std::string> RequiresExactMatch(std::string_view field) const;

 private:
  std::vector<FieldRequirement> reqs_;
};

// Parses fields.ParseSelector syntax: comma-separated `field=value`, `field==value`,
// `field!=value`; in values `\,` `\=` `\\` are escapes and a bare `,`/`=` is an error.
Result<FieldSelector> ParseFieldSelector(std::string_view text);

// fields.EscapeValue: escapes `\`, `,` and `=`.
std::string EscapeFieldValue(std::string_view value);

}  // namespace cluster
