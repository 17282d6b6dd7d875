#pragma once
// A string usable as a template argument: einsum<"ij,jk->ik">.
#include <cstddef>
#include <string_view>

namespace tenet {

template <std::size_t N>
struct fixed_string {
  char s[N] = {};
  constexpr fixed_string() = default;
  constexpr fixed_string(const char (&x)[N]) noexcept {  // NOLINT: implicit from a literal
    for (std::size_t i = 0; i < N; ++i) s[i] = x[i];
  }
  constexpr std::string_view view() const noexcept { return {s, N - 1}; }
  static constexpr std::size_t size() noexcept { return N - 1; }
};

}  // namespace tenet
