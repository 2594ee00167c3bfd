#include "common/selectors.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace cluster {
namespace {

// ---- Key/value syntax (k8s.io/apimachinery/pkg/util/validation) ----------------------------

constexpr char kQualifiedNameFmt[] = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr char kQualifiedNameErrMsg[] =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr char kLabelValueErrMsg[] =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character";
constexpr char kDns1123SubdomainErrMsg[] =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";
constexpr char kDns1123SubdomainFmt[] =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

std::string RegexError(std::string msg, const std::string& fmt,
                       std::initializer_list<const char*> examples) {
  msg += " (e.g. ";
  bool first = true;
  for (const char* e : examples) {
    if (!first) msg += " or ";
    first = false;
    msg += "'" + std::string(e) + "', ";
  }
  return msg + "regex used for validation is '" + fmt + "')";
}

std::string MaxLenError(int n) {
  return "must be no more than " + std::to_string(n) + " characters";
}

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// ^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$
bool IsQualifiedNamePart(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool IsDns1123Label(std::string_view s) {
  auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (s.empty() || !lower_alnum(s.front()) || !lower_alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return lower_alnum(c) || c == '-'; });
}

bool IsDns1123Subdomain(std::string_view s) {
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    if (!IsDns1123Label(s.substr(start, dot == std::string_view::npos ? s.npos : dot - start)))
      return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::vector<std::string> QualifiedNameErrors(std::string_view value) {
  std::vector<std::string> errs;
  const std::string name_regex_error =
      RegexError(kQualifiedNameErrMsg, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"});
  std::string_view name = value;
  size_t slash = value.find('/');
  if (slash != std::string_view::npos) {
    if (value.find('/', slash + 1) != std::string_view::npos) {
      errs.push_back("a qualified name " + name_regex_error +
                     " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return errs;
    }
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      if (prefix.size() > 253) errs.push_back("prefix part " + MaxLenError(253));
      if (!IsDns1123Subdomain(prefix))
        errs.push_back("prefix part " +
                       RegexError(kDns1123SubdomainErrMsg, kDns1123SubdomainFmt, {"example.com"}));
    }
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > 63) {
    errs.push_back("name part " + MaxLenError(63));
  }
  if (!IsQualifiedNamePart(name)) errs.push_back("name part " + name_regex_error);
  return errs;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

// Go's %q for the strings we print (selector text is ASCII in practice).
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Go's %#v of a []string, as field.Invalid prints a values list.
std::string GoStringSlice(const std::vector<std::string>& v) {
  std::string out = "[]string{";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + Quote(v[i]);
  return out + "}";
}

std::string FieldInvalid(std::string_view path, std::string_view bad_value_repr,
                         std::string_view detail) {
  return std::string(path) + ": Invalid value: " + std::string(bad_value_repr) + ": " +
         std::string(detail);
}

std::optional<int64_t> ParseInt64(std::string_view s) {
  int64_t v = 0;
  const char* begin = s.data();
  if (!s.empty() && s.front() == '+') ++begin;  // strconv.ParseInt accepts a leading '+'
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// labels.NewRequirement's checks. `path` is "" for the string parser (upstream's nil path) and
// the metav1.LabelSelector conversion alike; the key itself was validated by the caller.
std::vector<std::string> RequirementErrors(const LabelRequirement& r) {
  std::vector<std::string> errs;
  const auto& vals = r.values;
  switch (r.op) {
    case LabelOp::kIn:
    case LabelOp::kNotIn:
      if (vals.empty())
        errs.push_back(FieldInvalid("values", GoStringSlice(vals),
                                    "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case LabelOp::kEquals:
    case LabelOp::kDoubleEquals:
    case LabelOp::kNotEquals:
      if (vals.size() != 1)
        errs.push_back(FieldInvalid("values", GoStringSlice(vals),
                                    "exact-match compatibility requires one single value"));
      break;
    case LabelOp::kExists:
    case LabelOp::kDoesNotExist:
      if (!vals.empty())
        errs.push_back(FieldInvalid("values", GoStringSlice(vals),
                                    "values set must be empty for exists and does not exist"));
      break;
    case LabelOp::kGreaterThan:
    case LabelOp::kLessThan:
      if (vals.size() != 1)
        errs.push_back(FieldInvalid("values", GoStringSlice(vals),
                                    "for 'Gt', 'Lt' operators, exactly one value is required"));
      for (size_t i = 0; i < vals.size(); ++i) {
        if (!ParseInt64(vals[i]))
          errs.push_back(FieldInvalid("values[" + std::to_string(i) + "]", Quote(vals[i]),
                                      "for 'Gt', 'Lt' operators, the value must be an integer"));
      }
      break;
  }
  for (size_t i = 0; i < vals.size(); ++i) {
    std::string e = LabelValueError(vals[i]);
    if (!e.empty())
      errs.push_back(
          FieldInvalid("values[" + std::to_string(i) + "][" + r.key + "]", Quote(vals[i]), e));
  }
  return errs;
}

// utilerrors.NewAggregate(...).Error(): one message as is, several as "[a, b]".
std::string Aggregate(const std::vector<std::string>& errs) {
  if (errs.size() == 1) return errs[0];
  return "[" + Join(errs, ", ") + "]";
}

void SortByKey(std::vector<LabelRequirement>& reqs) {
  std::stable_sort(
      reqs.begin(), reqs.end(),
      [](const LabelRequirement& a, const LabelRequirement& b) { return a.key < b.key; });
}

void SortUnique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// ---- Label selector lexer and parser (labels.Parse) ---------------------------------------

enum class Tok {
  kError,
  kEnd,
  kClosePar,
  kComma,
  kNot,
  kDoubleEquals,
  kEquals,
  kGreater,
  kIdentifier,
  kIn,
  kLess,
  kNotEquals,
  kNotIn,
  kOpenPar,
};

struct Token {
  Tok tok;
  std::string lit;
};

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsSpecialSymbol(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

std::optional<Tok> KeywordToken(std::string_view s) {
  if (s == ")") return Tok::kClosePar;
  if (s == ",") return Tok::kComma;
  if (s == "!") return Tok::kNot;
  if (s == "==") return Tok::kDoubleEquals;
  if (s == "=") return Tok::kEquals;
  if (s == ">") return Tok::kGreater;
  if (s == "in") return Tok::kIn;
  if (s == "<") return Tok::kLess;
  if (s == "!=") return Tok::kNotEquals;
  if (s == "notin") return Tok::kNotIn;
  if (s == "(") return Tok::kOpenPar;
  return std::nullopt;
}

std::vector<Token> Lex(std::string_view s) {
  std::vector<Token> out;
  size_t pos = 0;
  while (true) {
    while (pos < s.size() && IsWhitespace(s[pos])) ++pos;
    // A NUL byte ends the input, as upstream's lexer reads 0 as end of string.
    if (pos >= s.size() || s[pos] == '\0') {
      out.push_back({Tok::kEnd, ""});
      return out;
    }
    if (IsSpecialSymbol(s[pos])) {
      // Longest run of special symbols that still forms a known token.
      std::string buf;
      std::optional<Token> last;
      while (pos < s.size() && IsSpecialSymbol(s[pos])) {
        buf += s[pos];
        if (auto t = KeywordToken(buf)) {
          last = Token{*t, buf};
        } else if (last) {
          break;
        }
        ++pos;
      }
      if (!last) {
        out.push_back({Tok::kError, "error expected: keyword found '" + buf + "'"});
      } else {
        out.push_back(*last);
      }
      continue;
    }
    size_t start = pos;
    while (pos < s.size() && s[pos] != '\0' && !IsSpecialSymbol(s[pos]) && !IsWhitespace(s[pos]))
      ++pos;
    std::string lit(s.substr(start, pos - start));
    auto kw = KeywordToken(lit);
    out.push_back({kw ? *kw : Tok::kIdentifier, lit});
  }
}

class LabelParser {
 public:
  explicit LabelParser(std::string_view text) : items_(Lex(text)) {}

  Result<std::vector<LabelRequirement>> Parse() {
    std::vector<LabelRequirement> reqs;
    while (true) {
      auto [tok, lit] = Peek(true);
      if (tok == Tok::kEnd) return reqs;
      if (tok != Tok::kIdentifier && tok != Tok::kNot)
        return BadRequest("found '" + lit + "', expected: !, identifier, or 'end of string'");
      auto r = ParseRequirement();
      if (!r.ok()) return BadRequest("unable to parse requirement: " + r.status().message());
      reqs.push_back(std::move(r).value());
      auto [t, l] = Next(true);
      if (t == Tok::kEnd) return reqs;
      if (t != Tok::kComma)
        return BadRequest("found '" + l + "', expected: ',' or 'end of string'");
      auto [t2, l2] = Peek(true);
      if (t2 != Tok::kIdentifier && t2 != Tok::kNot)
        return BadRequest("found '" + l2 + "', expected: identifier after ','");
    }
  }

 private:
  // In a values context "in"/"notin" are plain identifiers.
  Token Peek(bool values) const { return Adjust(items_[pos_], values); }
  Token Next(bool values) {
    Token t = Adjust(items_[pos_], values);
    if (pos_ + 1 < items_.size()) ++pos_;  // the last item is always kEnd
    return t;
  }
  static Token Adjust(Token t, bool values) {
    if (values && (t.tok == Tok::kIn || t.tok == Tok::kNotIn)) t.tok = Tok::kIdentifier;
    return t;
  }

  Result<LabelRequirement> ParseRequirement() {
    LabelRequirement r;
    bool negated = false;
    Token t = Next(true);
    if (t.tok == Tok::kNot) {
      negated = true;
      t = Next(true);
    }
    if (t.tok != Tok::kIdentifier) return BadRequest("found '" + t.lit + "', expected: identifier");
    std::string key_err = LabelKeyError(t.lit);
    if (!key_err.empty()) return BadRequest(FieldInvalid("<nil>", Quote(t.lit), key_err));
    r.key = t.lit;
    Tok after = Peek(true).tok;
    if (negated || after == Tok::kEnd || after == Tok::kComma) {
      // "!a" followed by an operator is still DoesNotExist upstream: the operator is then
      // reported by the caller as an unexpected token.
      r.op = negated ? LabelOp::kDoesNotExist : LabelOp::kExists;
      return Validated(std::move(r));
    }
    auto [op_tok, op_lit] = Next(false);
    switch (op_tok) {
      case Tok::kIn:
        r.op = LabelOp::kIn;
        break;
      case Tok::kNotIn:
        r.op = LabelOp::kNotIn;
        break;
      case Tok::kEquals:
        r.op = LabelOp::kEquals;
        break;
      case Tok::kDoubleEquals:
        r.op = LabelOp::kDoubleEquals;
        break;
      case Tok::kNotEquals:
        r.op = LabelOp::kNotEquals;
        break;
      case Tok::kGreater:
        r.op = LabelOp::kGreaterThan;
        break;
      case Tok::kLess:
        r.op = LabelOp::kLessThan;
        break;
      default:
        return BadRequest("found '" + op_lit + "', expected: in, notin, =, ==, !=, gt, lt");
    }
    Status st = (r.op == LabelOp::kIn || r.op == LabelOp::kNotIn) ? ParseValueSet(r.values)
                                                                  : ParseExactValue(r.values);
    RETURN_IF_ERROR(st);
    SortUnique(r.values);
    return Validated(std::move(r));
  }

  static Result<LabelRequirement> Validated(LabelRequirement r) {
    auto errs = RequirementErrors(r);
    if (!errs.empty()) return BadRequest(Aggregate(errs));
    return r;
  }

  Status ParseValueSet(std::vector<std::string>& out) {
    Token open = Next(true);
    if (open.tok != Tok::kOpenPar) return BadRequest("found '" + open.lit + "' expected: '('");
    auto [tok, lit] = Peek(true);
    if (tok == Tok::kClosePar) {  // "()" is the set holding the empty string
      Next(true);
      out.push_back("");
      return Status::Ok();
    }
    if (tok != Tok::kIdentifier && tok != Tok::kComma)
      return BadRequest("found '" + lit + "', expected: ',', ')' or identifier");
    RETURN_IF_ERROR(ParseIdentifierList(out));
    if (Next(true).tok != Tok::kClosePar) return BadRequest("found '" + lit + "', expected: ')'");
    return Status::Ok();
  }

  // A possibly empty list of possibly empty identifiers: "(a,,b)", "(,a)", "(a,)".
  Status ParseIdentifierList(std::vector<std::string>& out) {
    while (true) {
      auto [tok, lit] = Next(true);
      if (tok == Tok::kIdentifier) {
        out.push_back(lit);
        auto [tok2, lit2] = Peek(true);
        if (tok2 == Tok::kComma) continue;
        if (tok2 == Tok::kClosePar) return Status::Ok();
        return BadRequest("found '" + lit2 + "', expected: ',' or ')'");
      }
      if (tok == Tok::kComma) {
        if (out.empty()) out.push_back("");
        Tok tok2 = Peek(true).tok;
        if (tok2 == Tok::kClosePar) {
          out.push_back("");
          return Status::Ok();
        }
        if (tok2 == Tok::kComma) {
          Next(true);
          out.push_back("");
        }
        continue;
      }
      return BadRequest("found '" + lit + "', expected: ',', or identifier");
    }
  }

  Status ParseExactValue(std::vector<std::string>& out) {
    Tok tok = Peek(true).tok;
    if (tok == Tok::kEnd || tok == Tok::kComma) {
      out.push_back("");
      return Status::Ok();
    }
    auto [t, lit] = Next(true);
    if (t != Tok::kIdentifier) return BadRequest("found '" + lit + "', expected: identifier");
    out.push_back(lit);
    return Status::Ok();
  }

  std::vector<Token> items_;
  size_t pos_ = 0;
};

bool HasValue(const std::vector<std::string>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

bool MatchValue(const LabelRequirement& r, const std::string* value) {
  switch (r.op) {
    case LabelOp::kIn:
    case LabelOp::kEquals:
    case LabelOp::kDoubleEquals:
      return value && HasValue(r.values, *value);
    case LabelOp::kNotIn:
    case LabelOp::kNotEquals:
      return !value || !HasValue(r.values, *value);
    case LabelOp::kExists:
      return value != nullptr;
    case LabelOp::kDoesNotExist:
      return value == nullptr;
    case LabelOp::kGreaterThan:
    case LabelOp::kLessThan: {
      if (!value || r.values.size() != 1) return false;
      auto have = ParseInt64(*value);
      auto want = ParseInt64(r.values[0]);
      if (!have || !want) return false;
      return r.op == LabelOp::kGreaterThan ? *have > *want : *have < *want;
    }
  }
  return false;
}

}  // namespace

// ---- Public: validation ---------------------------------------------------------------------

std::string LabelKeyError(std::string_view key) { return Join(QualifiedNameErrors(key), "; "); }

std::string LabelValueError(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 63) errs.push_back(MaxLenError(63));
  if (!value.empty() && !IsQualifiedNamePart(value))
    errs.push_back(RegexError(kLabelValueErrMsg, std::string("(") + kQualifiedNameFmt + ")?",
                              {"MyValue", "my_value", "12345"}));
  return Join(errs, "; ");
}

// ---- Public: label selectors ----------------------------------------------------------------

bool LabelRequirement::Matches(const std::map<std::string, std::string>& labels) const {
  auto it = labels.find(key);
  return MatchValue(*this, it == labels.end() ? nullptr : &it->second);
}

bool LabelRequirement::Matches(const json::Value* labels) const {
  std::string value;
  bool found = false;
  if (labels && labels->IsObject()) {
    auto it = labels->FindMember(rapidjson::StringRef(key.data(), key.size()));
    if (it != labels->MemberEnd() && it->value.IsString()) {
      value.assign(it->value.GetString(), it->value.GetStringLength());
      found = true;
    }
  }
  return MatchValue(*this, found ? &value : nullptr);
}

std::string LabelRequirement::ToString() const {
  std::string out = op == LabelOp::kDoesNotExist ? "!" + key : key;
  switch (op) {
    case LabelOp::kExists:
    case LabelOp::kDoesNotExist:
      return out;
    case LabelOp::kEquals:
      out += "=";
      break;
    case LabelOp::kDoubleEquals:
      out += "==";
      break;
    case LabelOp::kNotEquals:
      out += "!=";
      break;
    case LabelOp::kIn:
      out += " in (";
      break;
    case LabelOp::kNotIn:
      out += " notin (";
      break;
    case LabelOp::kGreaterThan:
      out += ">";
      break;
    case LabelOp::kLessThan:
      out += "<";
      break;
  }
  std::vector<std::string> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  out += Join(sorted, ",");
  if (op == LabelOp::kIn || op == LabelOp::kNotIn) out += ")";
  return out;
}

LabelSelector::LabelSelector(std::vector<LabelRequirement> reqs) : reqs_(std::move(reqs)) {
  SortByKey(reqs_);
}

LabelSelector LabelSelector::Nothing() {
  LabelSelector s;
  s.nothing_ = true;
  return s;
}

bool LabelSelector::Matches(const std::map<std::string, std::string>& labels) const {
  if (nothing_) return false;
  return std::all_of(reqs_.begin(), reqs_.end(),
                     [&](const LabelRequirement& r) { return r.Matches(labels); });
}

bool LabelSelector::Matches(const json::Value* labels) const {
  if (nothing_) return false;
  return std::all_of(reqs_.begin(), reqs_.end(),
                     [&](const LabelRequirement& r) { return r.Matches(labels); });
}

std::string LabelSelector::ToString() const {
  std::vector<std::string> parts;
  for (const auto& r : reqs_) parts.push_back(r.ToString());
  return Join(parts, ",");
}

Result<LabelSelector> ParseLabelSelector(std::string_view text) {
  LabelParser parser(text);
  auto reqs = parser.Parse();
  if (!reqs.ok()) return reqs.status();
  return LabelSelector(std::move(reqs).value());
}

Result<LabelSelector> FromLabelSelectorJson(const json::Value& selector) {
  if (selector.IsNull()) return LabelSelector::Nothing();
  if (!selector.IsObject()) return BadRequest("label selector must be an object");
  std::vector<LabelRequirement> reqs;
  auto check = [&](LabelRequirement r) -> Status {
    std::vector<std::string> errs;
    std::string key_err = LabelKeyError(r.key);
    if (!key_err.empty()) errs.push_back(FieldInvalid("key", Quote(r.key), key_err));
    for (auto& e : RequirementErrors(r)) errs.push_back(std::move(e));
    if (!errs.empty()) return BadRequest(Aggregate(errs));
    reqs.push_back(std::move(r));
    return Status::Ok();
  };
  if (const json::Value* ml = json::Find(selector, {"matchLabels"}); ml && !ml->IsNull()) {
    if (!ml->IsObject()) return BadRequest("matchLabels must be an object");
    for (auto it = ml->MemberBegin(); it != ml->MemberEnd(); ++it) {
      if (!it->value.IsString()) return BadRequest("matchLabels values must be strings");
      RETURN_IF_ERROR(check({it->name.GetString(), LabelOp::kEquals, {it->value.GetString()}}));
    }
  }
  if (const json::Value* me = json::Find(selector, {"matchExpressions"}); me && !me->IsNull()) {
    if (!me->IsArray()) return BadRequest("matchExpressions must be a list");
    for (const auto& expr : me->GetArray()) {
      if (!expr.IsObject()) return BadRequest("matchExpressions items must be objects");
      LabelRequirement r;
      r.key = json::GetString(expr, {"key"});
      std::string op = json::GetString(expr, {"operator"});
      if (op == "In") {
        r.op = LabelOp::kIn;
      } else if (op == "NotIn") {
        r.op = LabelOp::kNotIn;
      } else if (op == "Exists") {
        r.op = LabelOp::kExists;
      } else if (op == "DoesNotExist") {
        r.op = LabelOp::kDoesNotExist;
      } else {
        return BadRequest(Quote(op) + " is not a valid label selector operator");
      }
      if (const json::Value* vals = json::Find(expr, {"values"}); vals && !vals->IsNull()) {
        if (!vals->IsArray()) return BadRequest("matchExpressions values must be a list");
        for (const auto& v : vals->GetArray()) {
          if (!v.IsString()) return BadRequest("matchExpressions values must be strings");
          r.values.emplace_back(v.GetString(), v.GetStringLength());
        }
      }
      RETURN_IF_ERROR(check(std::move(r)));
    }
  }
  return LabelSelector(std::move(reqs));
}

}  // namespace cluster
