// Tensor attention (MATH.md 2.1) against its dense n x n definitions written with loops in
// double: every variant, normalization and causal form; batched heads and exec::par; the
// chunked pass and the stream against the serial pass; invariance to scaling Q or K; zero
// inputs; bad shapes and options.
#include <doctest/doctest.h>

#include <tenet/core/permute.hpp>
#include <tenet/models/dtn.hpp>

#include "dtn_util.hpp"

using namespace dtn_test;
using tenet::attention_causal;
using tenet::attention_norm;
using tenet::attention_options;
using tenet::attention_variant;

namespace {

const attention_norm all_norms[] = {attention_norm::trace, attention_norm::diagonal, attention_norm::row_sums,
                                    attention_norm::residual, attention_norm::none};
const attention_causal all_causal[] = {attention_causal::none, attention_causal::global_tril,
                                       attention_causal::prefix, attention_causal::masked};

/// The n x n operator of the options, by its definition (MATH.md 2.1); T_K swaps Q and K.
dtensor<double> ref_operator(dtensor<double> Q, dtensor<double> K, const attention_options& o) {
  if (o.variant == attention_variant::tk) std::swap(Q, K);
  const ix n = Q.extent(0);
  const dtensor<double> QK = matmul(Q, transpose(K));  // (Q K^T)[t, i] = q_t . k_i
  dtensor<double> M(n, n);
  if (o.causal == attention_causal::none || o.causal == attention_causal::global_tril) {
    M = matmul(QK, transpose(QK));
    if (o.causal == attention_causal::global_tril)
      for (ix t = 0; t < n; ++t)
        for (ix s = t + 1; s < n; ++s) M(t, s) = 0;
  } else if (o.causal == attention_causal::prefix) {  // row t uses S_t: keys i <= t
    for (ix t = 0; t < n; ++t)
      for (ix s = 0; s <= t; ++s)
        for (ix i = 0; i <= t; ++i) M(t, s) += QK(t, i) * QK(s, i);
  } else {  // (((L o QK^T)(L o QK^T)^T) o L)
    dtensor<double> LQK = QK;
    for (ix t = 0; t < n; ++t)
      for (ix i = t + 1; i < n; ++i) LQK(t, i) = 0;
    M = matmul(LQK, transpose(LQK));
    for (ix t = 0; t < n; ++t)
      for (ix s = t + 1; s < n; ++s) M(t, s) = 0;
  }
  return M;
}

/// The output: the operator applied to V, then normalized (every divisor + eps).
dtensor<double> ref_attention(const dtensor<double>& Q, const dtensor<double>& K, const dtensor<double>& V,
                              const attention_options& o) {
  const dtensor<double> M = ref_operator(Q, K, o);
  const ix n = M.extent(0), dv = V.extent(1);
  dtensor<double> O = matmul(M, V);
  double tau = 0;
  for (ix t = 0; t < n; ++t) tau += M(t, t);
  for (ix t = 0; t < n; ++t) {
    double rs = 0;
    for (ix s = 0; s < n; ++s) rs += M(t, s);
    for (ix j = 0; j < dv; ++j) switch (o.normalization) {
        case attention_norm::trace: O(t, j) /= tau + o.eps; break;
        case attention_norm::diagonal: O(t, j) /= M(t, t) + o.eps; break;
        case attention_norm::row_sums: O(t, j) /= rs + o.eps; break;
        case attention_norm::residual: O(t, j) = (O(t, j) + o.lambda * tau * V(t, j)) / (tau + o.eps); break;
        case attention_norm::none: break;
      }
  }
  return O;
}

/// The reference for (..., n, d) operands, slice by slice.
dtensor<double> ref_batched(const dtensor<double>& Q, const dtensor<double>& K, const dtensor<double>& V,
                            const attention_options& o) {
  std::vector<ix> shape(V.extents().as_vector());
  dtensor<double> out{tenet::dyn_extents(shape)};
  const std::size_t R = Q.rank();
  const ix slices = Q.size() / (Q.extent(R - 2) * Q.extent(R - 1));
  for (ix b = 0; b < slices; ++b) put_slice(out, b, ref_attention(slice(Q, b), slice(K, b), slice(V, b), o));
  return out;
}

std::string describe(const attention_options& o) {
  return std::string(o.variant == attention_variant::tq ? "T_Q" : "T_K") + " norm=" + to_string(o.normalization) +
         " causal=" + to_string(o.causal) + " chunk=" + std::to_string(o.chunk);
}

struct dims {
  ix n, d, dv;
};

}  // namespace

TEST_CASE("tensor_attention: every option matches its dense n x n definition") {
  const dims cases[] = {{1, 1, 1}, {2, 3, 1}, {7, 3, 5}, {16, 4, 2}, {5, 8, 3}};
  std::uint64_t seed = 100;
  for (const dims& c : cases)
    for (auto variant : {attention_variant::tq, attention_variant::tk})
      for (auto norm : all_norms)
        for (auto causal : all_causal) {
          attention_options o{.variant = variant, .normalization = norm, .causal = causal, .lambda = 0.7};
          // Row sums of a signed operator can come near 0; positive data keeps them away.
          const double lo = norm == attention_norm::row_sums ? 0.05 : -1.0;
          const auto Q = rnd({c.n, c.d}, ++seed, lo), K = rnd({c.n, c.d}, ++seed, lo), V = rnd({c.n, c.dv}, ++seed);
          CAPTURE(describe(o));
          CAPTURE(c.n);
          CAPTURE(c.d);
          CAPTURE(c.dv);
          const auto got = tenet::tensor_attention(Q, K, V, o);
          CHECK(got.rank() == 2);
          CHECK(got.extent(0) == c.n);
          CHECK(got.extent(1) == c.dv);
          CHECK(tenet::rel_error(got, ref_attention(Q, K, V, o)) <= 1e-10);
        }
}

TEST_CASE("tensor_attention: batched heads under seq and par match the reference per head") {
  const auto Q = rnd({2, 3, 9, 4}, 1), K = rnd({2, 3, 9, 4}, 2), V = rnd({2, 3, 9, 5}, 3);
  for (auto causal : all_causal)
    for (auto norm : {attention_norm::trace, attention_norm::diagonal, attention_norm::none}) {
      const attention_options o{.normalization = norm, .causal = causal, .chunk = 4};
      CAPTURE(describe(o));
      const auto ref = ref_batched(Q, K, V, o);
      const auto seq = tenet::tensor_attention(tenet::exec::seq, Q, K, V, o);
      CHECK(seq.extents().as_vector() == std::vector<ix>{2, 3, 9, 5});
      CHECK(tenet::rel_error(seq, ref) <= 1e-10);
      CHECK(tenet::rel_error(tenet::tensor_attention(tenet::exec::par(2), Q, K, V, o), ref) <= 1e-10);
      // One slice and more threads than slices: par splits the chunks instead.
      const auto q1 = slice(Q, 4), k1 = slice(K, 4), v1 = slice(V, 4);
      CHECK(tenet::rel_error(tenet::tensor_attention(tenet::exec::par(3), q1, k1, v1, o), ref_attention(q1, k1, v1, o)) <=
            1e-10);
    }
}

TEST_CASE("tensor_attention: strided views and float operands") {
  const auto Q = rnd({6, 3}, 11), K = rnd({6, 3}, 12), V = rnd({6, 4}, 13);
  const dtensor<double> Kt = transpose(K), Vt = transpose(V);
  for (auto causal : all_causal) {
    const attention_options o{.causal = causal};
    CAPTURE(describe(o));
    const auto ref = ref_attention(Q, K, V, o);
    CHECK(tenet::rel_error(tenet::tensor_attention(Q, tenet::permute<1, 0>(Kt), tenet::permute<1, 0>(Vt), o), ref) <=
          1e-10);
    const auto f = tenet::tensor_attention(to_float(Q), to_float(K), to_float(V), o);
    static_assert(std::is_same_v<decltype(f), const dtensor<float>>);
    CHECK(tenet::rel_error(to_double(f), ref) <= 1e-4);
  }
}

TEST_CASE("tensor_attention: the chunked pass equals the serial one for every chunk size") {
  const ix n = 13;
  const auto Q = rnd({2, n, 3}, 21), K = rnd({2, n, 3}, 22), V = rnd({2, n, 4}, 23);
  for (auto causal : {attention_causal::prefix, attention_causal::masked})
    for (auto norm : all_norms) {
      attention_options o{.normalization = norm, .causal = causal, .lambda = 0.5};
      const auto serial = tenet::tensor_attention(Q, K, V, o);
      CHECK(tenet::rel_error(serial, ref_batched(Q, K, V, o)) <= 1e-10);
      for (ix chunk : {ix{1}, ix{2}, ix{5}, n, n + 4}) {
        o.chunk = chunk;
        CAPTURE(describe(o));
        CHECK(tenet::rel_error(tenet::tensor_attention(o.chunk % 2 ? tenet::exec::par(2) : tenet::exec::par(1), Q, K,
                                                       V, o),
                               serial) <= 1e-12);
        CHECK(tenet::rel_error(tenet::tensor_attention(Q, K, V, o), serial) <= 1e-12);
        // One slice, chunks in parallel.
        const auto q1 = slice(Q, 1), k1 = slice(K, 1), v1 = slice(V, 1);
        CHECK(tenet::rel_error(tenet::tensor_attention(tenet::exec::par(2), q1, k1, v1, o), slice(serial, 1)) <= 1e-12);
      }
    }
}

TEST_CASE("attention_state: the chunk combine is associative and equals the serial state") {
  const ix n = 10, d = 3, dv = 2;
  const auto Q = rnd({n, d}, 31), K = rnd({n, d}, 32), V = rnd({n, dv}, 33);
  for (bool masked : {false, true}) {
    auto run = [&](ix lo, ix hi) {
      tenet::attention_state<double> s(d, dv, masked);
      for (ix t = lo; t < hi; ++t) s.push(&Q(t, 0), &K(t, 0), &V(t, 0));
      return s;
    };
    const auto whole = run(0, n), a = run(0, 3), b = run(3, 7), c = run(7, n);
    const auto left = combine(combine(a, b), c), right = combine(a, combine(b, c));
    auto diff = [](const std::vector<double>& x, const std::vector<double>& y) {
      REQUIRE(x.size() == y.size());
      double m = 0;
      for (std::size_t i = 0; i < x.size(); ++i) m = std::max(m, std::abs(x[i] - y[i]));
      return m;
    };
    for (const auto* s : {&left, &right}) {
      CHECK(diff(s->S(), whole.S()) <= 1e-12);
      CHECK(diff(s->C(), whole.C()) <= 1e-12);
      CHECK(diff(s->m(), whole.m()) <= 1e-12);
      CHECK(diff(s->G(), whole.G()) <= 1e-12);
      CHECK(diff(s->h(), whole.h()) <= 1e-12);
    }
    CHECK(whole.G().size() == (masked ? std::size_t(d * dv) : 0u));
  }
}

TEST_CASE("attention_stream: step by step equals the batch form token by token") {
  const ix n = 11, d = 4, dv = 3, heads = 3;
  const auto Q = rnd({heads, n, d}, 41), K = rnd({heads, n, d}, 42), V = rnd({heads, n, dv}, 43);
  for (auto variant : {attention_variant::tq, attention_variant::tk})
    for (auto causal : {attention_causal::prefix, attention_causal::masked})
      for (auto norm : {attention_norm::none, attention_norm::row_sums, attention_norm::diagonal}) {
        const attention_options o{.variant = variant, .normalization = norm, .causal = causal};
        CAPTURE(describe(o));
        const auto batch = tenet::tensor_attention(Q, K, V, o);
        tenet::attention_stream<double> multi(d, dv, o, heads), single(d, dv, o);
        const std::size_t per_head = std::size_t(d * d + d * dv + d + (causal == attention_causal::masked ? d * dv + d : 0));
        CHECK(multi.state_bytes() == heads * per_head * sizeof(double));
        CHECK(single.state_bytes() == per_head * sizeof(double));
        double err = 0, err1 = 0, scale = max_abs(batch);
        for (ix t = 0; t < n; ++t) {
          dtensor<double> q(heads, d), k(heads, d), v(heads, dv), q0(d), k0(d), v0(dv);
          for (ix h = 0; h < heads; ++h) {
            for (ix a = 0; a < d; ++a) q(h, a) = Q(h, t, a), k(h, a) = K(h, t, a);
            for (ix j = 0; j < dv; ++j) v(h, j) = V(h, t, j);
          }
          for (ix a = 0; a < d; ++a) q0(a) = Q(0, t, a), k0(a) = K(0, t, a);
          for (ix j = 0; j < dv; ++j) v0(j) = V(0, t, j);
          const auto o_t = multi.step(q, k, v);
          const auto o0 = single.step(q0, k0, v0);
          REQUIRE(o_t.extents().as_vector() == std::vector<ix>{heads, dv});
          REQUIRE(o0.extents().as_vector() == std::vector<ix>{dv});
          for (ix h = 0; h < heads; ++h)
            for (ix j = 0; j < dv; ++j) err = std::max(err, std::abs(o_t(h, j) - batch(h, t, j)));
          for (ix j = 0; j < dv; ++j) err1 = std::max(err1, std::abs(o0(j) - batch(0, t, j)));
        }
        CHECK(err <= 1e-12 * scale);
        CHECK(err1 <= 1e-12 * scale);
        CHECK(multi.position() == n);
        CHECK(multi.state_bytes() == heads * per_head * sizeof(double));  // independent of n
        multi.reset();
        CHECK(multi.position() == 0);
      }
}

TEST_CASE("tensor_attention: normalized outputs are invariant to scaling Q or K") {
  const auto Q = rnd({2, 8, 3}, 51), K = rnd({2, 8, 3}, 52), V = rnd({2, 8, 2}, 53);
  for (auto variant : {attention_variant::tq, attention_variant::tk})
    for (auto causal : all_causal)
      for (auto norm : {attention_norm::trace, attention_norm::diagonal, attention_norm::residual}) {
        // eps = 0: an eps is the one thing that does not scale (a tiny diagonal entry shows it).
        const attention_options o{
            .variant = variant, .normalization = norm, .causal = causal, .lambda = 0.3, .eps = 0.0};
        CAPTURE(describe(o));
        const auto base = tenet::tensor_attention(Q, K, V, o);
        CHECK(tenet::rel_error(tenet::tensor_attention(scaled(Q, 3.0), K, V, o), base) <= 1e-10);
        CHECK(tenet::rel_error(tenet::tensor_attention(Q, scaled(K, 0.25), V, o), base) <= 1e-10);
        CHECK(tenet::rel_error(tenet::tensor_attention(scaled(Q, 0.5), scaled(K, 7.0), V, o), base) <= 1e-10);
      }
  // Without normalization the output scales as |Q|^2 (T_Q: Q appears twice).
  const attention_options none{.normalization = attention_norm::none};
  CHECK(tenet::rel_error(tenet::tensor_attention(scaled(Q, 2.0), K, V, none),
                         scaled(tenet::tensor_attention(Q, K, V, none), 4.0)) <= 1e-12);
}

TEST_CASE("tensor_attention: zero inputs give finite zeros") {
  const auto zero = rnd({2, 5, 3}, 1, 0.0, 0.0), V = rnd({2, 5, 4}, 2), Vz = rnd({2, 5, 4}, 2, 0.0, 0.0);
  for (auto variant : {attention_variant::tq, attention_variant::tk})
    for (auto norm : all_norms)
      for (auto causal : all_causal) {
        const attention_options o{.variant = variant, .normalization = norm, .causal = causal, .lambda = 0.5};
        CAPTURE(describe(o));
        const auto a = tenet::tensor_attention(zero, zero, Vz, o);
        const auto b = tenet::tensor_attention(zero, zero, V, o);
        CHECK(all_finite(a));
        CHECK(max_abs(a) == 0.0);
        CHECK(all_finite(b));
        if (norm != attention_norm::residual) CHECK(max_abs(b) == 0.0);  // residual: lambda tau V / eps, tau = 0
        const auto f = tenet::tensor_attention(to_float(zero), to_float(zero), to_float(V), o);
        CHECK(all_finite(f));
      }
  // Empty sequences and d = 0 are fine too.
  const auto e = tenet::tensor_attention(rnd({0, 3}, 1), rnd({0, 3}, 2), rnd({0, 2}, 3));
  CHECK(e.extents().as_vector() == std::vector<ix>{0, 2});
  CHECK(max_abs(tenet::tensor_attention(rnd({4, 0}, 1), rnd({4, 0}, 2), rnd({4, 2}, 3))) == 0.0);
}

TEST_CASE("tensor_attention: bad shapes throw shape_error naming both shapes") {
  const auto Q = rnd({5, 3}, 1), V = rnd({5, 2}, 2);
  std::string m = shape_error_message([&] { (void)tenet::tensor_attention(Q, rnd({4, 3}, 3), V); });
  CHECK(contains(m, "tenet::tensor_attention"));
  CHECK(contains(m, "(5, 3)"));
  CHECK(contains(m, "(4, 3)"));
  m = shape_error_message([&] { (void)tenet::tensor_attention(Q, Q, rnd({6, 2}, 4)); });
  CHECK(contains(m, "(5, 3)"));
  CHECK(contains(m, "(6, 2)"));
  m = shape_error_message([&] { (void)tenet::tensor_attention(rnd({2, 5, 3}, 5), rnd({2, 5, 3}, 6), rnd({3, 5, 2}, 7)); });
  CHECK(contains(m, "(2, 5, 3)"));
  CHECK(contains(m, "(3, 5, 2)"));
  m = shape_error_message([&] { (void)tenet::tensor_attention(rnd({5}, 8), rnd({5}, 9), rnd({5}, 10)); });
  CHECK(contains(m, "(5,)"));
  m = shape_error_message([&] { (void)tenet::tensor_attention(Q, Q, rnd({1, 5, 2}, 11)); });
  CHECK(contains(m, "(1, 5, 2)"));

  tenet::attention_stream<double> s(3, 2, {.normalization = attention_norm::none, .causal = attention_causal::masked});
  m = shape_error_message([&] { (void)s.step(rnd({4}, 1), rnd({3}, 2), rnd({2}, 3)); });
  CHECK(contains(m, "(4,)"));
  CHECK(contains(m, "(3,)"));
  CHECK(contains(m, "(2,)"));
  m = shape_error_message([&] { (void)s.step(rnd({2, 3}, 1), rnd({2, 3}, 2), rnd({2, 2}, 3)); });
  CHECK(contains(m, "(2, 3)"));
  CHECK(s.position() == 0);
}

TEST_CASE("tensor_attention: bad options throw tenet::error") {
  const auto Q = rnd({4, 2}, 1);
  CHECK_THROWS_AS((void)tenet::tensor_attention(Q, Q, Q, {.causal = attention_causal::prefix, .chunk = -1}),
                  tenet::error);
  CHECK_THROWS_AS((void)tenet::tensor_attention(Q, Q, Q, {.eps = -1.0}), tenet::error);
  using S = tenet::attention_stream<double>;
  CHECK_THROWS_AS(S(2, 2, {.causal = attention_causal::prefix}), tenet::error);  // trace needs the whole sequence
  CHECK_THROWS_AS(S(2, 2, {.normalization = attention_norm::residual, .causal = attention_causal::masked}),
                  tenet::error);
  CHECK_THROWS_AS(S(2, 2, {.normalization = attention_norm::none, .causal = attention_causal::global_tril}),
                  tenet::error);
  CHECK_THROWS_AS(S(2, 2, {.normalization = attention_norm::none}), tenet::error);
  CHECK_THROWS_AS(S(-1, 2, {.normalization = attention_norm::none, .causal = attention_causal::prefix}),
                  tenet::shape_error);
  CHECK_NOTHROW(S(2, 2, {.normalization = attention_norm::row_sums, .causal = attention_causal::prefix}));
}
