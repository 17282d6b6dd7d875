#pragma once
// A small strict JSON parser (RFC 8259) for safetensors headers, and the string escaping the
// writer needs. Strict: no comments, no trailing commas, no duplicate object keys, UTF-8
// validated (no overlong forms, surrogates or code points past U+10FFFF), lone \u surrogates
// rejected. Bounded: the nesting depth and the number of values are limited, so that a
// hostile header can exhaust neither the stack nor memory beyond a small multiple of its
// size. Numbers keep their text; the caller converts what it expects (json_as_index).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/extents.hpp"

namespace tenet::io::detail {

/// The length of the valid UTF-8 sequence of a non-ASCII character at s[i], or 0 (bad lead or
/// continuation byte, truncated, overlong, a surrogate, or past U+10FFFF).
inline std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  std::uint32_t cp = 0, min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) n = 2, cp = b0 & 0x1Fu, min = 0x80;
  else if (b0 >= 0xE0 && b0 <= 0xEF) n = 3, cp = b0 & 0x0Fu, min = 0x800;
  else if (b0 >= 0xF0 && b0 <= 0xF4) n = 4, cp = b0 & 0x07u, min = 0x10000;
  else return 0;
  if (s.size() - i < n) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

/// True if s is valid UTF-8 (the rules the parser applies).
inline bool valid_utf8(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

struct json_limits {
  std::size_t max_depth = 64;          // nested arrays/objects
  std::size_t max_values = 1u << 20;   // values of any kind, in all
};

struct json_value {
  enum class kind : unsigned char { null, boolean, number, string, array, object };
  kind type = kind::null;
  bool boolean = false;
  std::string text;               // a string's contents (UTF-8), or a number's literal text
  std::vector<json_value> items;  // array elements, or object values
  std::vector<std::string> keys;  // object keys, parallel to items (in file order)
  std::size_t offset = 0;         // where the value starts in the input, for messages

  bool is(kind k) const noexcept { return type == k; }
  /// The value of `key` in an object, or nullptr.
  const json_value* find(std::string_view key) const noexcept {
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == key) return &items[i];
    return nullptr;
  }
};

inline const char* json_kind_name(json_value::kind k) noexcept {
  switch (k) {
    case json_value::kind::null: return "null";
    case json_value::kind::boolean: return "a boolean";
    case json_value::kind::number: return "a number";
    case json_value::kind::string: return "a string";
    case json_value::kind::array: return "an array";
    case json_value::kind::object: return "an object";
  }
  return "?";
}

/// A number that is a non-negative integer fitting an index (no sign, fraction or exponent),
/// or false.
inline bool json_as_index(const json_value& v, index& out) noexcept {
  if (!v.is(json_value::kind::number) || v.text.empty()) return false;
  std::uint64_t acc = 0;
  const auto limit = static_cast<std::uint64_t>(std::numeric_limits<index>::max());
  for (char c : v.text) {
    if (c < '0' || c > '9') return false;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (acc > (limit - d) / 10) return false;  // before multiplying, so nothing wraps
    acc = acc * 10 + d;
  }
  out = static_cast<index>(acc);
  return true;
}

class json_parser {
 public:
  /// `where` prefixes every message ("tenet::io::read_safetensors: 'x.safetensors': header").
  json_parser(std::string_view input, std::string where, json_limits limits = {})
      : s_(input), where_(std::move(where)), lim_(limits) {}

  /// The one value the input holds (whitespace around it is allowed, nothing else).
  json_value parse() {
    json_value v;
    skip_ws();
    value(v, 0);
    skip_ws();
    if (pos_ != s_.size()) fail("unexpected text after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { fail_at(what, pos_); }
  [[noreturn]] void fail_at(const std::string& what, std::size_t at) const {
    throw format_error(where_ + ": invalid JSON: " + what + " at byte " + std::to_string(at));
  }

  bool at_end() const noexcept { return pos_ >= s_.size(); }
  char peek() const noexcept { return at_end() ? '\0' : s_[pos_]; }
  void skip_ws() noexcept {
    while (!at_end() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  void expect(char c, const char* what) {
    if (at_end() || s_[pos_] != c) fail(at_end() ? std::string("unexpected end, ") + what : std::string(what));
    ++pos_;
  }

  void value(json_value& v, std::size_t depth) {
    if (++count_ > lim_.max_values)
      fail("more than " + std::to_string(lim_.max_values) + " values");
    v.offset = pos_;
    if (at_end()) fail("unexpected end, expected a value");
    switch (s_[pos_]) {
      case '{': return object(v, depth + 1);
      case '[': return array(v, depth + 1);
      case '"': v.type = json_value::kind::string; return string(v.text);
      case 't': return literal(v, "true", json_value::kind::boolean, true);
      case 'f': return literal(v, "false", json_value::kind::boolean, false);
      case 'n': return literal(v, "null", json_value::kind::null, false);
      default:
        if (s_[pos_] == '-' || (s_[pos_] >= '0' && s_[pos_] <= '9')) return number(v);
        fail("expected a value");
    }
  }

  void literal(json_value& v, std::string_view word, json_value::kind k, bool b) {
    if (s_.substr(pos_, word.size()) != word) fail("expected a value");
    pos_ += word.size();
    v.type = k;
    v.boolean = b;
  }

  void check_depth(std::size_t depth) const {
    if (depth > lim_.max_depth) fail("nesting deeper than " + std::to_string(lim_.max_depth));
  }

  void array(json_value& v, std::size_t depth) {
    check_depth(depth);
    v.type = json_value::kind::array;
    ++pos_;
    skip_ws();
    if (peek() == ']') {
      ++pos_;
      return;
    }
    for (;;) {
      skip_ws();
      v.items.emplace_back();
      value(v.items.back(), depth);
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect(']', "expected ',' or ']'");
      return;
    }
  }

  void object(json_value& v, std::size_t depth) {
    check_depth(depth);
    v.type = json_value::kind::object;
    ++pos_;
    skip_ws();
    if (peek() == '}') {
      ++pos_;
      return;
    }
    for (;;) {
      skip_ws();
      const std::size_t key_at = pos_;
      if (peek() != '"') fail("expected a string key");
      std::string key;
      string(key);
      for (const auto& k : v.keys)
        if (k == key) fail_at("duplicate key \"" + key + "\"", key_at);
      skip_ws();
      expect(':', "expected ':'");
      skip_ws();
      v.keys.push_back(std::move(key));
      v.items.emplace_back();
      value(v.items.back(), depth);
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect('}', "expected ',' or '}'");
      return;
    }
  }

  void number(json_value& v) {
    const std::size_t start = pos_;
    auto digits = [&] {
      const std::size_t d = pos_;
      while (!at_end() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ - d;
    };
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
      if (peek() >= '0' && peek() <= '9') fail("leading zero in a number");
    } else if (digits() == 0) {
      fail("expected a digit");
    }
    if (peek() == '.') {
      ++pos_;
      if (digits() == 0) fail("expected a digit after '.'");
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (digits() == 0) fail("expected a digit in the exponent");
    }
    v.type = json_value::kind::number;
    v.text.assign(s_.substr(start, pos_ - start));
  }

  unsigned hex4() {
    if (s_.size() - pos_ < 4) fail("truncated \\u escape");
    unsigned u = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[pos_++];
      u <<= 4;
      if (c >= '0' && c <= '9') u |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') u |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') u |= static_cast<unsigned>(c - 'A' + 10);
      else fail("bad hex digit in a \\u escape");
    }
    return u;
  }

  static void put_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // One UTF-8 sequence starting at pos_ (a lead byte >= 0x80), copied to out.
  void utf8_sequence(std::string& out) {
    const std::size_t n = utf8_sequence_length(s_, pos_);
    if (n == 0) fail("invalid UTF-8");
    out.append(s_.substr(pos_, n));
    pos_ += n;
  }

  void string(std::string& out) {
    ++pos_;  // the opening quote
    for (;;) {
      if (at_end()) fail("unterminated string");
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return;
      }
      if (c < 0x20) fail("control character in a string");
      if (c >= 0x80) {
        utf8_sequence(out);
        continue;
      }
      if (c != '\\') {
        out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      ++pos_;
      if (at_end()) fail("unterminated escape");
      const char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::uint32_t cp = hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) fail("lone low surrogate in a \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (s_.substr(pos_, 2) != "\\u") fail("high surrogate without a low one");
            pos_ += 2;
            const std::uint32_t lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail("high surrogate without a low one");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          put_utf8(out, cp);
          break;
        }
        default: fail("unknown escape");
      }
    }
  }

  std::string_view s_;
  std::string where_;
  json_limits lim_;
  std::size_t pos_ = 0;
  std::size_t count_ = 0;
};

/// s as a JSON string literal, quotes included; s must be valid UTF-8.
inline std::string json_quote(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 0xF];
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

}  // namespace tenet::io::detail
