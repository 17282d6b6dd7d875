// khatri_rao, kron, outer and hadamard against their defining loops; khatri_rao as selected
// columns of kron; the AIM identity (A1 x) o (A2 x) = (A1^T (.) A2^T)^T (x kron x); bad input.
#include <doctest/doctest.h>

#include <tenet/ops.hpp>
#include <tenet/tenet.hpp>

#include "ops_util.hpp"

using namespace ops_test;
using tenet::dtensor;
using tenet::dyn;
using tenet::tensor;

namespace {

dtensor<double> ref_khatri_rao(const std::vector<dtensor<double>>& m, const dtensor<double>* w = nullptr) {
  const ix R = m[0].extent(1);
  shape_t rows;
  ix n = 1;
  for (const auto& a : m) rows.push_back(a.extent(0)), n *= a.extent(0);
  dtensor<double> out{n, R};
  ix row = 0;
  for_each_index(rows, [&](const shape_t& i) {  // row-major over (i_0, .., i_{K-1}): first slowest
    for (ix r = 0; r < R; ++r) {
      double p = w ? (*w)(r) : 1.0;
      for (std::size_t k = 0; k < m.size(); ++k) p *= m[k](i[k], r);
      out(row, r) = p;
    }
    ++row;
  });
  return out;
}

dtensor<double> ref_kron(const dtensor<double>& a, const dtensor<double>& b) {
  const std::size_t N = std::max(a.rank(), b.rank());
  shape_t ea(N - a.rank(), 1), eb(N - b.rank(), 1), eo(N);
  for (std::size_t r = 0; r < a.rank(); ++r) ea.push_back(a.extent(r));
  for (std::size_t r = 0; r < b.rank(); ++r) eb.push_back(b.extent(r));
  for (std::size_t r = 0; r < N; ++r) eo[r] = ea[r] * eb[r];
  dtensor<double> out{tenet::dyn_extents(eo)};
  for_each_index(ea, [&](const shape_t& i) {
    for_each_index(eb, [&](const shape_t& j) {
      shape_t o(N), ia(i.end() - static_cast<std::ptrdiff_t>(a.rank()), i.end()),
          jb(j.end() - static_cast<std::ptrdiff_t>(b.rank()), j.end());
      for (std::size_t r = 0; r < N; ++r) o[r] = i[r] * eb[r] + j[r];
      at(out, o) = at(a, ia) * at(b, jb);
    });
  });
  return out;
}

}  // namespace

TEST_CASE("khatri_rao: matches its definition, two to four factors, with weights and skip") {
  std::mt19937 g(11);
  for (int trial = 0; trial < 40; ++trial) {
    const ix R = 1 + static_cast<ix>(g() % 4);
    const std::size_t K = 1 + trial % 4;
    std::vector<dtensor<double>> m;
    for (std::size_t k = 0; k < K; ++k) m.push_back(random_tensor({random_shape(g, 1)[0], R}, 10 * trial + k));
    const auto w = random_tensor({R}, 7);
    CHECK(tenet::allclose(tenet::khatri_rao(m), ref_khatri_rao(m), 1e-12, 1e-12));
    CHECK(tenet::allclose(tenet::khatri_rao(tenet::exec::par(2), m, w), ref_khatri_rao(m, &w), 1e-12, 1e-12));
    if (K >= 2) {
      auto m_skip = m;
      m_skip.erase(m_skip.begin() + 1);
      CHECK(tenet::allclose(tenet::khatri_rao(m, std::nullopt, 1), ref_khatri_rao(m_skip), 1e-12, 1e-12));
    }
    if (K == 3) CHECK(tenet::allclose(tenet::khatri_rao(m[0], m[1], m[2]), ref_khatri_rao(m), 1e-12, 1e-12));
  }
}

TEST_CASE("khatri_rao: static extents, float, strided factors") {
  tensor<float, 3, 2> a;
  a.fill_random(1);
  tensor<float, 4, 2> b;
  b.fill_random(2);
  auto k = tenet::khatri_rao(a, b);
  static_assert(std::is_same_v<decltype(k), tensor<float, 12, 2>>);
  tensor<float, dyn, 2> bd(4);
  std::copy(b.begin(), b.end(), bd.begin());
  auto kd = tenet::khatri_rao(tenet::exec::par, a, bd);
  static_assert(std::is_same_v<decltype(kd), tensor<float, dyn, 2>>);
  CHECK(tenet::max_abs_diff(k, kd) == 0.0);
  for (ix i = 0; i < 3; ++i)
    for (ix j = 0; j < 4; ++j)
      for (ix r = 0; r < 2; ++r) CHECK(k(i * 4 + j, r) == doctest::Approx(a(i, r) * b(j, r)));
  const auto at_ = random_tensor({2, 3}, 3), bt = random_tensor({2, 4}, 4);  // transposed views
  CHECK(tenet::allclose(tenet::khatri_rao(tenet::permute<1, 0>(at_), tenet::permute<1, 0>(bt)),
                        ref_khatri_rao({dtensor<double>(tenet::permute<1, 0>(at_)), dtensor<double>(tenet::permute<1, 0>(bt))}),
                        1e-12, 1e-12));
}

TEST_CASE("khatri_rao: equals the columns r * R + r of kron(A, B)") {
  std::mt19937 g(12);
  for (int trial = 0; trial < 10; ++trial) {
    const ix R = 1 + static_cast<ix>(g() % 4);
    const auto a = random_tensor({1 + static_cast<ix>(g() % 4), R}, 1 + trial), b = random_tensor({1 + static_cast<ix>(g() % 4), R}, 50 + trial);
    const auto kr = tenet::khatri_rao(a, b);
    const auto kn = tenet::kron(a, b);
    for (ix row = 0; row < kr.extent(0); ++row)
      for (ix r = 0; r < R; ++r) CHECK(kr(row, r) == kn(row, r * R + r));
  }
}

TEST_CASE("AIM identity: (A1 x) o (A2 x) = (A1^T (.) A2^T)^T (x kron x)") {
  for (ix D : {1, 3, 5})
    for (ix H : {1, 4, 7}) {
      const auto a1 = random_tensor({H, D}, 1), a2 = random_tensor({H, D}, 2), x = random_tensor({D}, 3);
      const auto lhs = tenet::hadamard(tenet::mode_product<1>(a1, x), tenet::mode_product<1>(a2, x));
      const auto kr = tenet::khatri_rao(tenet::permute<1, 0>(a1), tenet::permute<1, 0>(a2));  // D^2 x H
      const auto xx = tenet::kron(x, x);
      const auto rhs = tenet::mode_product<0>(xx, tenet::permute<1, 0>(kr));  // (KR^T)(x kron x)
      CHECK(tenet::rel_error(rhs, lhs) < 1e-13);
    }
}

TEST_CASE("kron: matches its definition for any orders (numpy's padding of the smaller rank)") {
  std::mt19937 g(13);
  for (int trial = 0; trial < 60; ++trial) {
    const auto a = random_tensor(random_shape(g, trial % 4), 1 + trial);
    const auto b = random_tensor(random_shape(g, (trial / 4) % 4), 100 + trial);
    CHECK(tenet::allclose(tenet::kron(a, b), ref_kron(a, b), 1e-12, 1e-12));
    CHECK(tenet::allclose(tenet::kron(tenet::exec::par(2), b, a), ref_kron(b, a), 1e-12, 1e-12));
  }
  const auto a = random_tensor({2, 3}, 1), b = random_tensor({2, 2}, 2), c = random_tensor({3, 1}, 3);
  CHECK(tenet::allclose(tenet::kron(a, b, c), ref_kron(ref_kron(a, b), c), 1e-12, 1e-12));
  tensor<float, 2, 3> fa;
  tensor<float, 4> fb;
  auto fk = tenet::kron(fa, fb);
  static_assert(std::is_same_v<decltype(fk), tensor<float, 2, 12>>);
  tensor<double, dyn, 3> da(2);
  auto dk = tenet::kron(da, a);
  static_assert(std::is_same_v<decltype(dk), dtensor<double>>);
}

TEST_CASE("outer: matches its definition; static result type") {
  std::mt19937 g(14);
  for (int trial = 0; trial < 30; ++trial) {
    const auto a = random_tensor(random_shape(g, trial % 3), 1 + trial);
    const auto b = random_tensor(random_shape(g, 1 + trial % 3), 100 + trial);
    const auto o = tenet::outer(a, b);
    REQUIRE(o.rank() == a.rank() + b.rank());
    bool ok = true;
    for_each_index(shape_of(a), [&](const shape_t& i) {
      for_each_index(shape_of(b), [&](const shape_t& j) {
        shape_t ij = i;
        ij.insert(ij.end(), j.begin(), j.end());
        ok = ok && at(o, ij) == at(a, i) * at(b, j);
      });
    });
    CHECK(ok);
    CHECK(tenet::allclose(tenet::outer(tenet::exec::par(2), a, b), o, 0, 0));
  }
  tensor<float, 2> x;
  tensor<float, 3, 1> y;
  auto o = tenet::outer(x, y, x);
  static_assert(std::is_same_v<decltype(o), tensor<float, 2, 3, 1, 2>>);
}

TEST_CASE("hadamard: matches its definition, strided operands, several factors; bad shapes throw") {
  std::mt19937 g(15);
  for (int trial = 0; trial < 30; ++trial) {
    const shape_t s = random_shape(g, trial % 4);
    const auto a = random_tensor(s, 1 + trial), b = random_tensor(s, 100 + trial), c = random_tensor(s, 200 + trial);
    const auto h = tenet::hadamard(a, b, c);
    bool ok = true;
    for_each_index(s, [&](const shape_t& i) { ok = ok && at(h, i) == at(a, i) * at(b, i) * at(c, i); });
    CHECK(ok);
  }
  const auto a = random_tensor({3, 4}, 1), bt = random_tensor({4, 3}, 2);
  const auto h = tenet::hadamard(tenet::exec::par, a, tenet::permute<1, 0>(bt));
  for (ix i = 0; i < 3; ++i)
    for (ix j = 0; j < 4; ++j) CHECK(h(i, j) == a(i, j) * bt(j, i));
  tensor<double, 3, 4> sa;
  auto hs = tenet::hadamard(sa, a);
  static_assert(std::is_same_v<decltype(hs), tensor<double, 3, 4>>);
  const auto msg = shape_error_message([&] { tenet::hadamard(a, bt); });
  CHECK(contains(msg, "(3, 4)"));
  CHECK(contains(msg, "(4, 3)"));
}

TEST_CASE("hadamard_into: into a new tensor, in place on either operand, strided; bad shapes throw") {
  const auto a = random_tensor({5, 7, 3}, 1), b = random_tensor({5, 7, 3}, 2);
  auto ref = [&](ix i, ix j, ix k) { return a(i, j, k) * b(i, j, k); };
  auto all_match = [&](const auto& t) {
    bool ok = true;
    for (ix i = 0; i < 5; ++i)
      for (ix j = 0; j < 7; ++j)
        for (ix k = 0; k < 3; ++k) ok = ok && t(i, j, k) == ref(i, j, k);
    return ok;
  };
  dtensor<double> out(ix(5), ix(7), ix(3));
  tenet::hadamard_into(tenet::exec::par, a, b, out);
  CHECK(all_match(out));
  auto a2 = a, b2 = b;
  tenet::hadamard_into(tenet::exec::seq, a2, b, a2);  // in place on A
  CHECK(all_match(a2));
  tenet::hadamard_into(tenet::exec::seq, a, b2, b2);  // in place on B
  CHECK(all_match(b2));
  // Strided: in place on a permuted view (through a temporary), and into a permuted view.
  const auto bt = random_tensor({3, 7, 5}, 3);
  auto at3 = random_tensor({3, 7, 5}, 4);
  const auto at3_before = at3;
  tenet::hadamard_into(tenet::exec::seq, tenet::permute<2, 1, 0>(at3), tenet::permute<2, 1, 0>(bt),
                       tenet::permute<2, 1, 0>(at3));
  bool ok = true;
  for (ix i = 0; i < 3; ++i)
    for (ix j = 0; j < 7; ++j)
      for (ix k = 0; k < 5; ++k) ok = ok && at3(i, j, k) == at3_before(i, j, k) * bt(i, j, k);
  CHECK(ok);
  dtensor<double> outt(ix(3), ix(7), ix(5));
  tenet::hadamard_into(tenet::exec::seq, a, b, tenet::permute<2, 1, 0>(outt));
  ok = true;
  for (ix i = 0; i < 5; ++i)
    for (ix j = 0; j < 7; ++j)
      for (ix k = 0; k < 3; ++k) ok = ok && outt(k, j, i) == ref(i, j, k);
  CHECK(ok);
  dtensor<double> wrong(ix(5), ix(7), ix(4));
  const auto msg = shape_error_message([&] { tenet::hadamard_into(tenet::exec::seq, a, b, wrong); });
  CHECK(contains(msg, "(5, 7, 3)"));
  CHECK(contains(msg, "(5, 7, 4)"));
}

TEST_CASE("khatri_rao: bad input throws shape_error naming the shapes") {
  const auto a = random_tensor({3, 2}, 1), b = random_tensor({4, 3}, 2), v = random_tensor({3}, 3);
  const auto msg = shape_error_message([&] { tenet::khatri_rao(a, b); });
  CHECK(contains(msg, "(3, 2)"));
  CHECK(contains(msg, "(4, 3)"));
  CHECK_THROWS_AS(tenet::khatri_rao(a, v), tenet::shape_error);
  CHECK_THROWS_AS(tenet::khatri_rao(std::vector<dtensor<double>>{a, a}, v), tenet::shape_error);  // 3 weights, 2 columns
  CHECK_THROWS_AS(tenet::khatri_rao(std::vector<dtensor<double>>{a, a}, std::nullopt, 2), tenet::shape_error);
  CHECK_THROWS_AS(tenet::khatri_rao(std::vector<dtensor<double>>{}), tenet::shape_error);
}
