#pragma once
// Whether two views may touch the same memory: the test behind every "the output aliases an
// operand, so evaluate into a temporary first" (labelled assignment, einsum_into).
#include <cstddef>
#include <functional>
#include <utility>

#include "tenet/core/extents.hpp"

namespace tenet::detail {

// Address range [lo, hi) that a view may touch.
template <class V>
std::pair<const void*, const void*> span_of(const V& v) {
  if (v.size() == 0) return {nullptr, nullptr};
  index lo = 0, hi = 0;
  for (std::size_t r = 0; r < v.rank(); ++r) {
    const index d = (v.extent(r) - 1) * v.stride(r);
    (d < 0 ? lo : hi) += d;
  }
  const auto* p = v.data();
  return {static_cast<const void*>(p + lo), static_cast<const void*>(p + hi + 1)};
}

/// The address ranges of views a and b intersect (conservative: strides may interleave).
template <class A, class B>
bool overlaps(const A& a, const B& b) {
  const auto [a0, a1] = span_of(a);
  const auto [b0, b1] = span_of(b);
  std::less<const void*> lt;
  return a0 && b0 && lt(a0, b1) && lt(b0, a1);
}

}  // namespace tenet::detail
