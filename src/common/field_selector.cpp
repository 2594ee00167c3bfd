// Field selectors (fields.ParseSelector); declared in selectors.h.
#include <algorithm>

#include "common/selectors.h"

namespace cluster {
namespace {

// Splits on unescaped commas, keeping escapes in the terms.
std::vector<std::string> SplitTerms(std::string_view s) {
  std::vector<std::string> terms;
  if (s.empty()) return terms;
  size_t start = 0;
  bool in_slash = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (in_slash) {
      in_slash = false;
    } else if (s[i] == '\\') {
      in_slash = true;
    } else if (s[i] == ',') {
      terms.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.emplace_back(s.substr(start));
  return terms;
}

Result<std::string> UnescapeFieldValue(std::string_view s) {
  std::string out;
  bool in_slash = false;
  for (char c : s) {
    if (in_slash) {
      if (c != '\\' && c != ',' && c != '=')
        return BadRequest(std::string("invalid field selector: invalid escape sequence: \\") + c);
      out += c;
      in_slash = false;
      continue;
    }
    if (c == '\\') {
      in_slash = true;
    } else if (c == ',' || c == '=') {
      // Upstream formats the rune with %v, i.e. as its code point number.
      return BadRequest("invalid field selector: unescaped character in value: " +
                        std::to_string(static_cast<int>(c)));
    } else {
      out += c;
    }
  }
  if (in_slash) return BadRequest("invalid field selector: invalid escape sequence: \\");
  return out;
}

}  // namespace

bool FieldSelector::Matches(const FieldGetter& get) const {
  for (const auto& r : reqs_) {
    std::string have = get ? get(r.field).value_or("") : "";
    bool eq = have == r.value;
    if (r.op == FieldOp::kNotEquals ? eq : !eq) return false;
  }
  return true;
}

std::string FieldSelector::ToString() const {
  std::string out;
  for (const auto& r : reqs_) {
    const char* op = r.op == FieldOp::kNotEquals      ? "!="
                     : r.op == FieldOp::kDoubleEquals ? "=="
                                                      : "=";
    if (!out.empty()) out += ',';
    out += r.field + op + EscapeFieldValue(r.value);
  }
  return out;
}

std::optional<std::string> FieldSelector::RequiresExactMatch(std::string_view field) const {
  for (const auto& r : reqs_) {
    if (r.field == field && r.op != FieldOp::kNotEquals) return r.value;
  }
  return std::nullopt;
}

std::string EscapeFieldValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == ',' || c == '=') out += '\\';
    out += c;
  }
  return out;
}

Result<FieldSelector> ParseFieldSelector(std::string_view text) {
  std::vector<std::string> terms = SplitTerms(text);
  std::sort(terms.begin(), terms.end());
  std::vector<FieldRequirement> reqs;
  for (const std::string& term : terms) {
    if (term.empty()) continue;
    // No escaping on the left: the first operator found splits the term ("!=" and "==" are
    // tried before "=" at each position).
    size_t i = 0;
    FieldOp op = FieldOp::kEquals;
    size_t op_len = 0;
    for (; i < term.size(); ++i) {
      std::string_view rest = std::string_view(term).substr(i);
      if (rest.starts_with("!=")) {
        op = FieldOp::kNotEquals, op_len = 2;
      } else if (rest.starts_with("==")) {
        op = FieldOp::kDoubleEquals, op_len = 2;
      } else if (rest.starts_with("=")) {
        op = FieldOp::kEquals, op_len = 1;
      } else {
        continue;
      }
      break;
    }
    if (op_len == 0) {
      return BadRequest("invalid selector: '" + std::string(text) + "'; can't understand '" + term +
                        "'");
    }
    auto value = UnescapeFieldValue(std::string_view(term).substr(i + op_len));
    if (!value.ok()) return value.status();
    reqs.push_back({term.substr(0, i), op, std::move(value).value()});
  }
  return FieldSelector(std::move(reqs));
}

}  // namespace cluster
