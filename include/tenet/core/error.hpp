#pragma once
// The exceptions tenet throws. Each names what was wrong; shape errors carry both shapes.
#include <span>
#include <stdexcept>
#include <string>

#include <cstddef>

namespace tenet {

/// Base of every exception tenet throws.
struct error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Extents that do not fit together (dynamic shapes; static ones fail at compile time).
struct shape_error : error {
  using error::error;
};

/// A malformed einsum string (run-time form).
struct parse_error : error {
  using error::error;
};

/// A malformed or truncated file.
struct format_error : error {
  using error::error;
};

namespace detail {

template <class Int>
std::string shape_string(std::span<const Int> s) {
  std::string out = "(";
  for (std::size_t r = 0; r < s.size(); ++r) {
    if (r) out += ", ";
    out += std::to_string(s[r]);
  }
  if (s.size() == 1) out += ",";
  return out + ")";
}

}  // namespace detail
}  // namespace tenet
