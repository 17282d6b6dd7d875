// Tensor interaction (MATH.md 2.2) against its definition with loops in double: the batch
// form, the causal form with B_t rebuilt from scratch at every t, the stream, heads and
// exec::par, invariance to scaling Q or K, zero inputs and bad shapes.
#include <doctest/doctest.h>

#include <tenet/models/dtn.hpp>

#include "dtn_util.hpp"

using namespace dtn_test;

namespace {

/// Y = V T / (tau + eps), T = (Q^T K)(Q^T K)^T, tau = ||Q^T K||_F^2.
dtensor<double> ref_interaction(const dtensor<double>& Q, const dtensor<double>& K, const dtensor<double>& V,
                                double eps) {
  const auto P = matmul(transpose(Q), K);
  double tau = 0;
  for (double p : P) tau += p * p;
  auto Y = matmul(V, matmul(P, transpose(P)));
  for (double& y : Y) y /= tau + eps;
  return Y;
}

/// y_t = (v_t^T B_t) B_t^T / (||B_t||_F^2 + eps), B_t = sum_{i<=t} q_i k_i^T formed anew for each t.
dtensor<double> ref_causal(const dtensor<double>& Q, const dtensor<double>& K, const dtensor<double>& V, double eps) {
  const ix n = Q.extent(0), d = Q.extent(1);
  dtensor<double> Y(n, d);
  for (ix t = 0; t < n; ++t) {
    dtensor<double> B(d, d);
    for (ix i = 0; i <= t; ++i)
      for (ix a = 0; a < d; ++a)
        for (ix b = 0; b < d; ++b) B(a, b) += Q(i, a) * K(i, b);
    double nb = 0;
    for (double x : B) nb += x * x;
    for (ix c = 0; c < d; ++c) {
      double s = 0;
      for (ix a = 0; a < d; ++a)
        for (ix b = 0; b < d; ++b) s += V(t, a) * B(a, b) * B(c, b);
      Y(t, c) = s / (nb + eps);
    }
  }
  return Y;
}

dtensor<double> ref_batched(const dtensor<double>& Q, const dtensor<double>& K, const dtensor<double>& V, bool causal,
                            double eps) {
  dtensor<double> out{V.extents()};
  const std::size_t R = Q.rank();
  const ix slices = Q.size() / (Q.extent(R - 2) * Q.extent(R - 1));
  for (ix b = 0; b < slices; ++b)
    put_slice(out, b, causal ? ref_causal(slice(Q, b), slice(K, b), slice(V, b), eps)
                             : ref_interaction(slice(Q, b), slice(K, b), slice(V, b), eps));
  return out;
}

}  // namespace

TEST_CASE("tensor_interaction: batch and causal forms match their definitions") {
  struct dims {
    ix n, d;
  };
  std::uint64_t seed = 7;
  for (dims c : {dims{1, 1}, dims{4, 2}, dims{9, 3}, dims{6, 7}, dims{20, 4}})
    for (bool causal : {false, true}) {
      CAPTURE(c.n);
      CAPTURE(c.d);
      CAPTURE(causal);
      const auto Q = rnd({c.n, c.d}, ++seed), K = rnd({c.n, c.d}, ++seed), V = rnd({c.n, c.d}, ++seed);
      const auto ref = causal ? ref_causal(Q, K, V, 1e-12) : ref_interaction(Q, K, V, 1e-12);
      CHECK(tenet::rel_error(tenet::tensor_interaction(Q, K, V, {.causal = causal}), ref) <= 1e-10);
      const auto f = tenet::tensor_interaction(to_float(Q), to_float(K), to_float(V), {.causal = causal});
      CHECK(tenet::rel_error(to_double(f), ref) <= 1e-4);
    }
}

TEST_CASE("tensor_interaction: heads under seq and par") {
  const auto Q = rnd({2, 3, 8, 4}, 1), K = rnd({2, 3, 8, 4}, 2), V = rnd({2, 3, 8, 4}, 3);
  for (bool causal : {false, true}) {
    CAPTURE(causal);
    const auto ref = ref_batched(Q, K, V, causal, 1e-12);
    CHECK(tenet::rel_error(tenet::tensor_interaction(Q, K, V, {.causal = causal}), ref) <= 1e-10);
    CHECK(tenet::rel_error(tenet::tensor_interaction(tenet::exec::par(2), Q, K, V, {.causal = causal}), ref) <= 1e-10);
  }
}

TEST_CASE("interaction_stream: step by step equals the causal batch form") {
  const ix n = 12, d = 3, heads = 2;
  const auto Q = rnd({heads, n, d}, 11), K = rnd({heads, n, d}, 12), V = rnd({heads, n, d}, 13);
  const auto batch = tenet::tensor_interaction(Q, K, V, {.causal = true});
  tenet::interaction_stream<double> s(d, heads), s1(d);
  CHECK(s.state_bytes() == std::size_t(heads * (d * d + 1)) * sizeof(double));
  double err = 0, err1 = 0;
  for (ix t = 0; t < n; ++t) {
    dtensor<double> q(heads, d), k(heads, d), v(heads, d), q0(d), k0(d), v0(d);
    for (ix h = 0; h < heads; ++h)
      for (ix a = 0; a < d; ++a) q(h, a) = Q(h, t, a), k(h, a) = K(h, t, a), v(h, a) = V(h, t, a);
    for (ix a = 0; a < d; ++a) q0(a) = Q(0, t, a), k0(a) = K(0, t, a), v0(a) = V(0, t, a);
    const auto y = s.step(q, k, v);
    const auto y0 = s1.step(q0, k0, v0);
    for (ix h = 0; h < heads; ++h)
      for (ix a = 0; a < d; ++a) err = std::max(err, std::abs(y(h, a) - batch(h, t, a)));
    for (ix a = 0; a < d; ++a) err1 = std::max(err1, std::abs(y0(a) - batch(0, t, a)));
  }
  CHECK(err <= 1e-12 * max_abs(batch));
  CHECK(err1 <= 1e-12 * max_abs(batch));
  CHECK(s.position() == n);
  // The incremental ||B_t||^2 agrees with B_t's entries.
  double nb = 0;
  for (double x : s.state(1).B()) nb += x * x;
  CHECK(std::abs(s.state(1).norm2() - nb) <= 1e-12 * nb);
}

TEST_CASE("tensor_interaction: invariant to scaling Q or K; zero inputs give zeros") {
  const auto Q = rnd({10, 3}, 21), K = rnd({10, 3}, 22), V = rnd({10, 3}, 23);
  for (bool causal : {false, true}) {
    CAPTURE(causal);
    const tenet::interaction_options o{.causal = causal, .eps = 0.0};
    const auto base = tenet::tensor_interaction(Q, K, V, o);
    CHECK(tenet::rel_error(tenet::tensor_interaction(scaled(Q, 3.0), K, V, o), base) <= 1e-10);
    CHECK(tenet::rel_error(tenet::tensor_interaction(Q, scaled(K, 0.2), V, o), base) <= 1e-10);
    const auto z = scaled(Q, 0.0);
    const auto y = tenet::tensor_interaction(z, K, V, {.causal = causal});
    CHECK(all_finite(y));
    CHECK(max_abs(y) == 0.0);
    CHECK(all_finite(tenet::tensor_interaction(to_float(z), to_float(z), to_float(V), {.causal = causal})));
  }
}

TEST_CASE("tensor_interaction: bad shapes throw shape_error naming both shapes") {
  const auto Q = rnd({5, 3}, 1);
  std::string m = shape_error_message([&] { (void)tenet::tensor_interaction(Q, Q, rnd({5, 4}, 2)); });
  CHECK(contains(m, "tenet::tensor_interaction"));
  CHECK(contains(m, "(5, 3)"));
  CHECK(contains(m, "(5, 4)"));
  m = shape_error_message([&] { (void)tenet::tensor_interaction(Q, rnd({5, 2}, 3), Q); });
  CHECK(contains(m, "(5, 2)"));
  tenet::interaction_stream<double> s(3);
  m = shape_error_message([&] { (void)s.step(rnd({3}, 1), rnd({3}, 2), rnd({2}, 3)); });
  CHECK(contains(m, "(3,)"));
  CHECK(contains(m, "(2,)"));
  CHECK_THROWS_AS(tenet::interaction_stream<double>(3, 0), tenet::shape_error);
}
