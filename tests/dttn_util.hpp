#pragma once
// Helpers for the tests of tenet/models/dttn: the AIM block written out as loops over its
// definition (MATH.md 1.1, equation (1)), in double, reading the block's parameters.
#include <cmath>
#include <cstdint>
#include <vector>

#include <tenet/core/tensor.hpp>
#include <tenet/models/dttn.hpp>

namespace dttn_test {

using ix = tenet::index;
using tenet::dtensor;

/// y = x + alpha N3(B(n(N1(A1 x) o N2(A2 x)))) for x (batch, D), every sum an explicit loop.
template <class T>
dtensor<double> ref_aim(const tenet::dense_aim<T>& blk, const dtensor<double>& x) {
  const ix n = x.extent(0), D = blk.features(), H = blk.hidden();
  const bool dagger = blk.variant == tenet::aim_variant::dttn_dagger;
  auto d = [](T v) { return static_cast<double>(v); };
  dtensor<double> y(n, D);
  std::vector<double> u(static_cast<std::size_t>(H)), v(u), p(u);
  for (ix s = 0; s < n; ++s) {
    for (ix r = 0; r < H; ++r) {
      double a = d(blk.a1.bias(r)), b = d(blk.a2.bias(r));
      for (ix j = 0; j < D; ++j) a += d(blk.a1.weight(r, j)) * x(s, j), b += d(blk.a2.weight(r, j)) * x(s, j);
      if (!dagger) a = d(blk.n1.scale(r)) * a + d(blk.n1.shift(r)), b = d(blk.n2.scale(r)) * b + d(blk.n2.shift(r));
      p[static_cast<std::size_t>(r)] = a * b;
    }
    if (dagger) {
      double mean = 0, var = 0;
      for (ix r = 0; r < H; ++r) mean += p[static_cast<std::size_t>(r)] / static_cast<double>(H);
      for (ix r = 0; r < H; ++r) var += (p[static_cast<std::size_t>(r)] - mean) * (p[static_cast<std::size_t>(r)] - mean) / static_cast<double>(H);
      for (ix r = 0; r < H; ++r)
        p[static_cast<std::size_t>(r)] =
            (p[static_cast<std::size_t>(r)] - mean) / std::sqrt(var + 1e-6) * d(blk.ln.weight(r)) + d(blk.ln.bias(r));
    }
    for (ix i = 0; i < D; ++i) {
      double z = d(blk.b.bias(i));
      for (ix r = 0; r < H; ++r) z += d(blk.b.weight(i, r)) * p[static_cast<std::size_t>(r)];
      z = d(blk.n3.scale(i)) * z + d(blk.n3.shift(i));
      y(s, i) = x(s, i) + d(blk.alpha) * z;
    }
  }
  return y;
}

template <class T>
dtensor<double> ref_stack(const tenet::dense_aim_stack<T>& st, dtensor<double> x) {
  for (const auto& b : st.blocks) x = ref_aim(b, x);
  return x;
}

/// A random DTTN (or DTTN-dagger) block with nonzero biases and non-identity norms.
template <class T>
tenet::dense_aim<T> random_block(ix D, ix H, tenet::aim_variant v, std::uint64_t seed) {
  return tenet::make_dense_aim<T>(D, H, v, {.seed = seed, .bias_std = 0.5, .norm_spread = 0.5, .alpha = 0.8});
}
template <class T>
tenet::dense_aim_stack<T> random_stack(ix D, ix H, std::size_t L, std::uint64_t seed) {
  return tenet::make_dense_aim_stack<T>(D, H, L, tenet::aim_variant::dttn,
                                        {.seed = seed, .bias_std = 0.5, .norm_spread = 0.5, .alpha = 0.8});
}

}  // namespace dttn_test
