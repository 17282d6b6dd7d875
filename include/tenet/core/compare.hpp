#pragma once
// Element-wise comparison of tensors of equal shape, with NumPy's allclose semantics.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/traits.hpp"

namespace tenet {

namespace detail {
// Calls f(offset_a, offset_b) for every multi-index of two views of equal shape.
template <class VA, class VB, class F>
void for_each_pair(const VA& a, const VB& b, F&& f) {
  const std::size_t R = a.rank();
  bool same = R == b.rank();
  for (std::size_t r = 0; same && r < R; ++r) same = a.extent(r) == b.extent(r);
  if (!same)
    throw shape_error("tenet: shapes differ: " + shape_string(a.extents()) + " vs " +
                      shape_string(b.extents()));
  if (a.size() == 0) return;
  std::vector<index> idx(R, 0);
  index oa = 0, ob = 0;
  while (true) {
    f(oa, ob);
    std::size_t r = R;
    while (r-- > 0) {
      oa += a.stride(r);
      ob += b.stride(r);
      if (++idx[r] < a.extent(r)) break;
      oa -= a.stride(r) * a.extent(r);
      ob -= b.stride(r) * b.extent(r);
      idx[r] = 0;
    }
    if (r == static_cast<std::size_t>(-1)) return;
  }
}
}  // namespace detail

/// Largest |a - b| over all elements (in double); shapes must match.
template <tensor_like A, tensor_like B>
double max_abs_diff(const A& a, const B& b) {
  const auto va = as_view(a);
  const auto vb = as_view(b);
  double m = 0;
  detail::for_each_pair(va, vb, [&](index i, index j) {
    const double d = std::abs(static_cast<double>(va.data()[i]) - static_cast<double>(vb.data()[j]));
    m = std::isnan(d) ? d : std::max(m, d);
  });
  return m;
}

/// max |a - b| / max(max |b|, tiny): a relative error that is robust to zeros in b.
template <tensor_like A, tensor_like B>
double rel_error(const A& a, const B& b) {
  const auto vb = as_view(b);
  double scale = 0;
  detail::for_each_pair(vb, vb, [&](index i, index) {
    scale = std::max(scale, std::abs(static_cast<double>(vb.data()[i])));
  });
  return max_abs_diff(a, b) / std::max(scale, 1e-300);
}

/// True when |a - b| <= atol + rtol * |b| for every element (NumPy's allclose, no NaN).
/// Throws shape_error when the shapes differ.
template <tensor_like A, tensor_like B>
bool allclose(const A& a, const B& b, double rtol = 1e-5, double atol = 1e-8) {
  const auto va = as_view(a);
  const auto vb = as_view(b);
  bool ok = true;
  detail::for_each_pair(va, vb, [&](index i, index j) {
    const double x = static_cast<double>(va.data()[i]), y = static_cast<double>(vb.data()[j]);
    ok = ok && std::abs(x - y) <= atol + rtol * std::abs(y);
  });
  return ok;
}

}  // namespace tenet
