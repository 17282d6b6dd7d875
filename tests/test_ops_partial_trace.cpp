// partial_trace (tensor and operator forms) against its defining loops, and the partial-trace
// identities of MATH.md 2.3; bad input.
#include <doctest/doctest.h>

#include <tenet/ops.hpp>
#include <tenet/tenet.hpp>

#include "ops_util.hpp"

using namespace ops_test;
using tenet::dtensor;
using tenet::dyn;
using tenet::mode_pair;
using tenet::tensor;

namespace {

dtensor<double> ref_partial_trace(const dtensor<double>& x, const std::vector<mode_pair>& pairs) {
  std::vector<bool> traced(x.rank(), false);
  shape_t out, diag;
  for (const auto& p : pairs) traced[p.first] = traced[p.second] = true, diag.push_back(x.extent(p.first));
  for (std::size_t r = 0; r < x.rank(); ++r)
    if (!traced[r]) out.push_back(x.extent(r));
  dtensor<double> y{tenet::dyn_extents(out)};
  for_each_index(out, [&](const shape_t& o) {
    double s = 0;
    for_each_index(diag, [&](const shape_t& d) {
      shape_t xi(x.rank());
      for (std::size_t r = 0, q = 0; r < x.rank(); ++r)
        if (!traced[r]) xi[r] = o[q++];
      for (std::size_t p = 0; p < pairs.size(); ++p) xi[pairs[p].first] = xi[pairs[p].second] = d[p];
      s += at(x, xi);
    });
    at(y, o) = s;
  });
  return y;
}

// (A B) for matrices, by loops.
dtensor<double> matmul(const dtensor<double>& a, const dtensor<double>& b) {
  dtensor<double> c{a.extent(0), b.extent(1)};
  for (ix i = 0; i < a.extent(0); ++i)
    for (ix j = 0; j < b.extent(1); ++j)
      for (ix k = 0; k < a.extent(1); ++k) c(i, j) += a(i, k) * b(k, j);
  return c;
}
dtensor<double> transpose(const dtensor<double>& a) { return dtensor<double>(tenet::permute<1, 0>(a)); }

}  // namespace

TEST_CASE("partial_trace: matches its definition on random shapes and pairs") {
  std::mt19937 g(21);
  for (int trial = 0; trial < 60; ++trial) {
    const std::size_t rank = 2 + trial % 4;
    shape_t s = random_shape(g, rank);
    std::vector<std::size_t> perm(rank);
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    std::shuffle(perm.begin(), perm.end(), g);
    std::vector<mode_pair> pairs;
    for (std::size_t p = 0; p + 1 < rank && p < std::size_t(2 + 2 * (trial % 2)); p += 2) {
      pairs.push_back({perm[p], perm[p + 1]});
      s[perm[p + 1]] = s[perm[p]];
    }
    const auto x = random_tensor(s, static_cast<std::uint64_t>(trial));
    const auto ref = ref_partial_trace(x, pairs);
    CHECK(tenet::allclose(tenet::partial_trace(x, pairs), ref, 1e-12, 1e-12));
    CHECK(tenet::allclose(tenet::partial_trace(tenet::exec::par(2), x, pairs), ref, 1e-12, 1e-12));
  }
  // Large enough that exec::par splits the output between threads.
  const auto big = random_tensor({64, 40, 3, 40}, 5);
  CHECK(tenet::allclose(tenet::partial_trace(tenet::exec::par(2), big, {{1, 3}}), ref_partial_trace(big, {{1, 3}}),
                        1e-12, 1e-12));
}

TEST_CASE("partial_trace: compile-time pairs give a static result type; float; strided input") {
  tensor<float, 2, 3, 2, 4> x;
  x.fill_random(1);
  auto y = tenet::partial_trace<mode_pair{0, 2}>(x);
  static_assert(std::is_same_v<decltype(y), tensor<float, 3, 4>>);
  tensor<double, 3, 3> m;
  m.fill_random(2);
  auto t = tenet::partial_trace<mode_pair{1, 0}>(tenet::exec::par, m);
  static_assert(std::is_same_v<decltype(t), tensor<double>>);
  CHECK(*t.data() == doctest::Approx(m(0, 0) + m(1, 1) + m(2, 2)));
  const auto xd = random_tensor({2, 3, 2, 4}, 3);
  CHECK(tenet::allclose(tenet::partial_trace<mode_pair{0, 2}>(xd), ref_partial_trace(xd, {{0, 2}}), 1e-12, 1e-12));
  const auto xp = tenet::permute(xd, {3, 0, 1, 2});  // (4, 2, 3, 2): trace modes 1 and 3
  CHECK(tenet::allclose(tenet::partial_trace(xp, {{1, 3}}), ref_partial_trace(dtensor<double>(xp), {{1, 3}}), 1e-12, 1e-12));
  tensor<double, dyn, 5, dyn> xs(3, 3);
  auto ys = tenet::partial_trace<mode_pair{0, 2}>(xs);
  static_assert(std::is_same_v<decltype(ys), tensor<double, 5>>);
}

TEST_CASE("partial_trace: the operator form is the tensor form of the reshaped operator") {
  std::mt19937 g(22);
  for (int trial = 0; trial < 20; ++trial) {
    const shape_t dims = random_shape(g, 1 + trial % 3, 3);
    ix n = 1;
    for (ix d : dims) n *= d;
    const auto op = random_tensor({n, n}, static_cast<std::uint64_t>(trial));
    shape_t split = dims;
    split.insert(split.end(), dims.begin(), dims.end());
    const auto t = tenet::reshape(op, split);
    for (std::size_t keep = 0; keep < dims.size(); ++keep) {
      std::vector<mode_pair> pairs;
      for (std::size_t r = 0; r < dims.size(); ++r)
        if (r != keep) pairs.push_back({r, dims.size() + r});
      const auto ref = ref_partial_trace(dtensor<double>(t), pairs);  // (d_keep, d_keep)
      CHECK(tenet::allclose(tenet::partial_trace(op, dims, {keep}), ref, 1e-12, 1e-12));
    }
    // Keep everything: the operator itself; keep nothing: its trace.
    std::vector<std::size_t> all(dims.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    CHECK(tenet::allclose(tenet::partial_trace(op, dims, all), op, 0, 0));
    CHECK(tenet::partial_trace(op, dims, {})(0, 0) == doctest::Approx(tenet::trace(op)));
  }
}

TEST_CASE("MATH 2.3: Tr_R^d(vec(Q) vec(K)^T) = Q K^T and Tr_R^n(vec(Q) vec(K)^T) = Q^T K") {
  for (ix n : {1, 3, 5})
    for (ix d : {1, 2, 4}) {
      const auto q = random_tensor({n, d}, 1), k = random_tensor({n, d}, 2);
      const auto op = tenet::outer(tenet::vec(q), tenet::vec(k));  // on R^n kron R^d
      CHECK(tenet::allclose(tenet::partial_trace(op, {n, d}, {0}), matmul(q, transpose(k)), 1e-12, 1e-12));
      CHECK(tenet::allclose(tenet::partial_trace(op, {n, d}, {1}), matmul(transpose(q), k), 1e-12, 1e-12));
      // The same with A = Q: Tr_2 = A A^T, Tr_1 = A^T A.
      const auto oa = tenet::outer(tenet::vec(q), tenet::vec(q));
      CHECK(tenet::allclose(tenet::partial_trace(oa, {n, d}, {0}), matmul(q, transpose(q)), 1e-12, 1e-12));
      CHECK(tenet::allclose(tenet::partial_trace(oa, {n, d}, {1}), matmul(transpose(q), q), 1e-12, 1e-12));
    }
}

TEST_CASE("MATH 2.3: Tr_2(X kron Y) = tr(Y) X and Tr_1(X kron Y) = tr(X) Y") {
  for (ix m : {1, 2, 3})
    for (ix p : {1, 3, 4}) {
      const auto x = random_tensor({m, m}, 1), y = random_tensor({p, p}, 2);
      const auto xy = tenet::kron(x, y);
      dtensor<double> ty = x, tx = y;
      for (double& v : ty) v *= tenet::trace(y);
      for (double& v : tx) v *= tenet::trace(x);
      CHECK(tenet::allclose(tenet::partial_trace(xy, {m, p}, {0}), ty, 1e-12, 1e-12));
      CHECK(tenet::allclose(tenet::partial_trace(xy, {m, p}, {1}), tx, 1e-12, 1e-12));
      // The tensor form: X kron Y reshaped to (m, p, m, p), trace modes 1 and 3.
      CHECK(tenet::allclose(tenet::partial_trace(tenet::reshape(xy, {m, p, m, p}), {{1, 3}}), ty, 1e-12, 1e-12));
    }
}

TEST_CASE("MATH 2.3: tr(A B) = sum(A o B^T), = sum(A o B) for symmetric B; diag(T_Q) >= 0") {
  const auto a = random_tensor({4, 4}, 1), b = random_tensor({4, 4}, 2);
  const double tr_ab = tenet::trace(matmul(a, b));
  CHECK(tr_ab == doctest::Approx(tenet::inner(a, tenet::permute<1, 0>(b))));
  const dtensor<double> sym = matmul(transpose(b), b);
  CHECK(tenet::trace(matmul(a, sym)) == doctest::Approx(tenet::inner(a, sym)));
  const auto q = random_tensor({6, 3}, 3), k = random_tensor({6, 3}, 4);
  const auto tq = matmul(matmul(q, matmul(transpose(k), k)), transpose(q));  // Q (K^T K) Q^T
  for (ix i = 0; i < 6; ++i) CHECK(tq(i, i) >= 0.0);
  // tau = tr(T_Q) = ||Q K^T||_F^2 = sum((K^T K) o (Q^T Q))
  const double tau = tenet::trace(tq);
  CHECK(tau == doctest::Approx(std::pow(tenet::frobenius_norm(matmul(q, transpose(k))), 2)));
  CHECK(tau == doctest::Approx(tenet::inner(matmul(transpose(k), k), matmul(transpose(q), q))));
}

TEST_CASE("partial_trace: bad input throws shape_error naming the shape") {
  const auto x = random_tensor({2, 3, 2, 4}, 1);
  const auto msg = shape_error_message([&] { tenet::partial_trace(x, {{0, 1}}); });
  CHECK(contains(msg, "(2, 3, 2, 4)"));
  CHECK(contains(msg, "extents"));
  CHECK_THROWS_AS(tenet::partial_trace(x, {{0, 4}}), tenet::shape_error);          // out of range
  CHECK_THROWS_AS(tenet::partial_trace(x, {{0, 0}}), tenet::shape_error);          // same mode
  CHECK_THROWS_AS(tenet::partial_trace(x, {{0, 2}, {2, 0}}), tenet::shape_error);  // reused mode
  CHECK_THROWS_AS((tenet::partial_trace<mode_pair{1, 3}>(x)), tenet::shape_error);  // 3 vs 4, run time
  const auto op = random_tensor({6, 6}, 2);
  CHECK_THROWS_AS(tenet::partial_trace(op, {2, 2}, {0}), tenet::shape_error);  // 4 != 6
  CHECK_THROWS_AS(tenet::partial_trace(op, {2, 3}, {2}), tenet::shape_error);  // no factor 2
  CHECK_THROWS_AS(tenet::partial_trace(op, {2, 3}, {0, 0}), tenet::shape_error);
  CHECK_THROWS_AS(tenet::partial_trace(random_tensor({6, 5}, 3), {2, 3}, {0}), tenet::shape_error);
}
