#pragma once
// Helpers for the tests of tenet/models/dtn: random (..., n, d) tensors, slices of batched
// tensors, and small dense matrices for the n x n reference definitions (double, loops).
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <tenet/core/compare.hpp>
#include <tenet/core/tensor.hpp>

#include "ops_util.hpp"  // shape_error_message, contains

namespace dtn_test {

using ix = tenet::index;
using tenet::dtensor;

inline dtensor<double> rnd(std::vector<ix> shape, std::uint64_t seed, double lo = -1.0, double hi = 1.0) {
  dtensor<double> t{tenet::dyn_extents(shape)};
  t.fill_random(seed, lo, hi);
  return t;
}

/// Slice b of the flattened leading modes of x (..., n, e), as an (n, e) matrix.
inline dtensor<double> slice(const dtensor<double>& x, ix b) {
  const std::size_t R = x.rank();
  const ix n = x.extent(R - 2), e = x.extent(R - 1);
  dtensor<double> s(n, e);
  for (ix i = 0; i < n * e; ++i) s.data()[i] = x.data()[b * n * e + i];
  return s;
}

/// Writes the (n, e) matrix s into slice b of x.
inline void put_slice(dtensor<double>& x, ix b, const dtensor<double>& s) {
  for (ix i = 0; i < s.size(); ++i) x.data()[b * s.size() + i] = s.data()[i];
}

inline dtensor<double> matmul(const dtensor<double>& a, const dtensor<double>& b) {
  dtensor<double> c(a.extent(0), b.extent(1));
  for (ix i = 0; i < a.extent(0); ++i)
    for (ix j = 0; j < b.extent(1); ++j) {
      double s = 0;
      for (ix k = 0; k < a.extent(1); ++k) s += a(i, k) * b(k, j);
      c(i, j) = s;
    }
  return c;
}
inline dtensor<double> transpose(const dtensor<double>& a) {
  dtensor<double> t(a.extent(1), a.extent(0));
  for (ix i = 0; i < a.extent(0); ++i)
    for (ix j = 0; j < a.extent(1); ++j) t(j, i) = a(i, j);
  return t;
}

template <class X>
dtensor<double> to_double(const X& x) {
  dtensor<double> d{x.extents()};
  for (ix i = 0; i < x.size(); ++i) d.data()[i] = static_cast<double>(x.data()[i]);
  return d;
}
inline dtensor<float> to_float(const dtensor<double>& x) {
  dtensor<float> f{x.extents()};
  for (ix i = 0; i < x.size(); ++i) f.data()[i] = static_cast<float>(x.data()[i]);
  return f;
}
inline dtensor<double> scaled(dtensor<double> x, double s) {
  for (double& v : x) v *= s;
  return x;
}

template <class X>
bool all_finite(const X& x) {
  for (ix i = 0; i < x.size(); ++i)
    if (!std::isfinite(static_cast<double>(x.data()[i]))) return false;
  return true;
}
template <class X>
double max_abs(const X& x) {
  double m = 0;
  for (ix i = 0; i < x.size(); ++i) m = std::max(m, std::abs(static_cast<double>(x.data()[i])));
  return m;
}

using ops_test::contains;
using ops_test::shape_error_message;

}  // namespace dtn_test
