#pragma once
// Parsing of einsum subscripts ("ij,jk->ik"). One constexpr parser serves both forms: the
// compile-time einsum<"...">, whose errors become static_asserts, and the run-time einsum,
// whose errors throw parse_error. Labels are letters (a-z, A-Z); spaces are ignored.
// Without "->" the output is every label that occurs once, in alphabetical (ASCII) order,
// as in NumPy.
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "tenet/core/error.hpp"

namespace tenet {

enum class einsum_error {
  none,
  bad_character,     // not a letter, ',', '-' '>' or space
  ellipsis,          // "..." is not supported
  bad_arrow,         // '-' without '>', or a second "->"
  no_operands,       // empty input side
  too_many,          // more operands or labels than the spec holds
  output_unknown,    // an output label that no operand has
  output_repeated,   // a label twice in the output
};

/// Parsed subscripts: operand i has labels labels[begin[i] .. begin[i+1]).
struct einsum_spec {
  static constexpr int max_operands = 128;
  static constexpr int max_labels = 1024;
  int n_ops = 0;
  int begin[max_operands + 1] = {};
  char labels[max_labels] = {};
  int out_len = 0;
  char out[52] = {};
  bool explicit_output = false;
  einsum_error error = einsum_error::none;
  int error_pos = -1;

  constexpr std::string_view operand(int i) const noexcept {
    return {labels + begin[i], static_cast<std::size_t>(begin[i + 1] - begin[i])};
  }
  constexpr std::string_view output() const noexcept { return {out, static_cast<std::size_t>(out_len)}; }
  /// Number of operands that carry the label.
  constexpr int count(char l) const noexcept {
    int c = 0;
    for (int i = 0; i < begin[n_ops]; ++i) c += labels[i] == l;
    return c;
  }
};

constexpr bool is_einsum_label(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

constexpr einsum_spec parse_einsum(std::string_view s) noexcept {
  einsum_spec p;
  auto fail = [&](einsum_error e, std::size_t pos) {
    p.error = e;
    p.error_pos = static_cast<int>(pos);
    return p;
  };
  std::size_t i = 0;
  int nl = 0;
  bool arrow = false;
  p.n_ops = 1;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ' ') continue;
    if (c == '.') return fail(einsum_error::ellipsis, i);
    if (c == ',') {
      if (p.n_ops == einsum_spec::max_operands) return fail(einsum_error::too_many, i);
      p.begin[p.n_ops++] = nl;
      continue;
    }
    if (c == '-') {
      if (i + 1 >= s.size() || s[i + 1] != '>') return fail(einsum_error::bad_arrow, i);
      arrow = true;
      i += 2;
      break;
    }
    if (!is_einsum_label(c)) return fail(einsum_error::bad_character, i);
    if (nl == einsum_spec::max_labels) return fail(einsum_error::too_many, i);
    p.labels[nl++] = c;
  }
  p.begin[p.n_ops] = nl;
  if (nl == 0 && p.n_ops == 1 && !arrow && s.find_first_not_of(' ') == std::string_view::npos)
    return fail(einsum_error::no_operands, 0);
  p.explicit_output = arrow;
  if (arrow) {
    for (; i < s.size(); ++i) {
      const char c = s[i];
      if (c == ' ') continue;
      if (c == '.') return fail(einsum_error::ellipsis, i);
      if (c == '-' || c == '>' || c == ',') return fail(einsum_error::bad_arrow, i);
      if (!is_einsum_label(c)) return fail(einsum_error::bad_character, i);
      if (p.count(c) == 0) return fail(einsum_error::output_unknown, i);
      for (int q = 0; q < p.out_len; ++q)
        if (p.out[q] == c) return fail(einsum_error::output_repeated, i);
      p.out[p.out_len++] = c;
    }
  } else {
    for (char c = 'A'; c <= 'z'; ++c)
      if (is_einsum_label(c) && p.count(c) == 1) p.out[p.out_len++] = c;
  }
  return p;
}

namespace detail {
inline const char* einsum_error_text(einsum_error e) {
  switch (e) {
    case einsum_error::bad_character: return "only letters, ',', '->' and spaces may appear";
    case einsum_error::ellipsis: return "'...' (broadcasting) is not supported; name every mode";
    case einsum_error::bad_arrow: return "malformed '->' (one arrow, then output labels only)";
    case einsum_error::no_operands: return "no operands";
    case einsum_error::too_many: return "too many operands or labels";
    case einsum_error::output_unknown: return "an output label appears in no operand";
    case einsum_error::output_repeated: return "an output label appears twice";
    case einsum_error::none: break;
  }
  return "ok";
}
}  // namespace detail

/// Parses at run time; throws parse_error naming the problem and its position.
inline einsum_spec parse_einsum_or_throw(std::string_view s) {
  einsum_spec p = parse_einsum(s);
  if (p.error != einsum_error::none)
    throw parse_error("tenet::einsum: \"" + std::string(s) + "\": " + detail::einsum_error_text(p.error) +
                      " (at position " + std::to_string(p.error_pos) + ")");
  return p;
}

}  // namespace tenet
