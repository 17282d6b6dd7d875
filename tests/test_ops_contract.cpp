// mode_contract (the DTTN generalized product), inner, frobenius_norm and trace against their
// defining loops; the AIM identity (2) == (1) of MATH.md 1.1; bad input.
#include <doctest/doctest.h>

#include <cmath>

#include <tenet/ops.hpp>
#include <tenet/tenet.hpp>

#include "ops_util.hpp"

using namespace ops_test;
using tenet::dtensor;
using tenet::dyn;
using tenet::mode_list;
using tenet::tensor;

namespace {

dtensor<double> ref_mode_contract(const dtensor<double>& c, const dtensor<double>& y, const std::vector<std::size_t>& ma,
                                  const std::vector<std::size_t>& mb) {
  shape_t out, summed;
  for (std::size_t r = 0; r < c.rank(); ++r)
    if (std::find(ma.begin(), ma.end(), r) == ma.end()) out.push_back(c.extent(r));
  for (std::size_t r = 0; r < y.rank(); ++r)
    if (std::find(mb.begin(), mb.end(), r) == mb.end()) out.push_back(y.extent(r));
  for (std::size_t a : ma) summed.push_back(c.extent(a));
  dtensor<double> res{tenet::dyn_extents(out)};
  for_each_index(out, [&](const shape_t& o) {
    double s = 0;
    for_each_index(summed, [&](const shape_t& k) {
      shape_t ci(c.rank()), yi(y.rank());
      std::size_t q = 0;
      for (std::size_t r = 0; r < c.rank(); ++r)
        if (std::find(ma.begin(), ma.end(), r) == ma.end()) ci[r] = o[q++];
      for (std::size_t r = 0; r < y.rank(); ++r)
        if (std::find(mb.begin(), mb.end(), r) == mb.end()) yi[r] = o[q++];
      for (std::size_t i = 0; i < ma.size(); ++i) ci[ma[i]] = yi[mb[i]] = k[i];
      s += at(c, ci) * at(y, yi);
    });
    at(res, o) = s;
  });
  return res;
}

}  // namespace

TEST_CASE("mode_contract: matches its definition on random shapes and mode lists") {
  std::mt19937 g(41);
  for (int trial = 0; trial < 50; ++trial) {
    shape_t sc = random_shape(g, 1 + trial % 4), sy = random_shape(g, 1 + (trial / 4) % 4);
    std::vector<std::size_t> pc(sc.size()), py(sy.size());
    std::iota(pc.begin(), pc.end(), std::size_t{0});
    std::iota(py.begin(), py.end(), std::size_t{0});
    std::shuffle(pc.begin(), pc.end(), g);
    std::shuffle(py.begin(), py.end(), g);
    const std::size_t k = std::min<std::size_t>(g() % 3, std::min(sc.size(), sy.size()));
    std::vector<std::size_t> ma(pc.begin(), pc.begin() + static_cast<std::ptrdiff_t>(k)),
        mb(py.begin(), py.begin() + static_cast<std::ptrdiff_t>(k));
    for (std::size_t i = 0; i < k; ++i) sy[mb[i]] = sc[ma[i]];
    const auto c = random_tensor(sc, 1 + trial), y = random_tensor(sy, 100 + trial);
    const auto ref = ref_mode_contract(c, y, ma, mb);
    CHECK(tenet::allclose(tenet::mode_contract(c, y, ma, mb), ref, 1e-12, 1e-12));
    CHECK(tenet::allclose(tenet::mode_contract(tenet::exec::par(2), c, y, ma, mb), ref, 1e-12, 1e-12));
  }
}

TEST_CASE("mode_contract: the paper's C x_{2,3}^{1,2} Y is mode_contract<{1, 2}, {0, 1}> in code") {
  tensor<double, 3, 3, 3> c;
  c.fill_random(1);
  tensor<double, 3> x;
  x.fill_random(2);
  const auto xx = tenet::outer(x, x);
  auto y = tenet::mode_contract<mode_list{1, 2}, mode_list{0, 1}>(c, xx);
  static_assert(std::is_same_v<decltype(y), tensor<double, 3>>);
  for (ix i = 0; i < 3; ++i) {
    double s = 0;
    for (ix j = 0; j < 3; ++j)
      for (ix k = 0; k < 3; ++k) s += c(i, j, k) * x(j) * x(k);
    CHECK(y(i) == doctest::Approx(s).epsilon(1e-13));
  }
  tensor<float, 2, 3, 4> cf;
  tensor<float, 4, dyn> yf(5);
  auto zf = tenet::mode_contract<mode_list{2}, mode_list{0}>(tenet::exec::par, cf, yf);
  static_assert(std::is_same_v<decltype(zf), tensor<float, 2, 3, dyn>>);
  CHECK(zf.extent(2) == 5);
}

TEST_CASE("AIM: x + B((A1 x) o (A2 x)) equals x + C x_{2,3}^{1,2} (x kron x), C = reshape(B (A1^T (.) A2^T)^T)") {
  for (ix D : {1, 4, 6})
    for (ix H : {1, 5, 12}) {
      const auto a1 = random_tensor({H, D}, 1), a2 = random_tensor({H, D}, 2), b = random_tensor({D, H}, 3),
                 x = random_tensor({D}, 4);
      const auto form1 = tenet::mode_product<1>(b, tenet::hadamard(tenet::mode_product<1>(a1, x), tenet::mode_product<1>(a2, x)));
      const auto kr = tenet::khatri_rao(tenet::permute<1, 0>(a1), tenet::permute<1, 0>(a2));  // D^2 x H
      const auto bk = tenet::mode_product<1>(b, kr);                                            // B KR^T: D x D^2
      const auto core = tenet::reshape(bk, {D, D, D});                                          // C_ijk = sum_r B_ir A1_rj A2_rk
      const auto xx = tenet::kron(x, x);
      const auto form2 = tenet::mode_contract(core, tenet::reshape(xx, {D, D}), {1, 2}, {0, 1});
      CHECK(tenet::rel_error(form2, form1) < 1e-13);
    }
}

TEST_CASE("inner, frobenius_norm, trace: match their definitions; static and float") {
  std::mt19937 g(42);
  for (int trial = 0; trial < 30; ++trial) {
    const shape_t s = random_shape(g, trial % 5);
    const auto a = random_tensor(s, 1 + trial), b = random_tensor(s, 100 + trial);
    double ref = 0, sq = 0;
    for_each_index(s, [&](const shape_t& i) { ref += at(a, i) * at(b, i), sq += at(a, i) * at(a, i); });
    CHECK(tenet::inner(a, b) == doctest::Approx(ref).epsilon(1e-13));
    CHECK(tenet::inner(tenet::exec::par(2), a, b) == doctest::Approx(ref).epsilon(1e-13));
    CHECK(tenet::frobenius_norm(a) == doctest::Approx(std::sqrt(sq)).epsilon(1e-13));
  }
  const auto m = random_tensor({5, 5}, 1);
  double tr = 0;
  for (ix i = 0; i < 5; ++i) tr += m(i, i);
  CHECK(tenet::trace(m) == doctest::Approx(tr));
  CHECK(tenet::trace(tenet::permute<1, 0>(m)) == doctest::Approx(tr));
  CHECK(tenet::inner(m, tenet::permute<1, 0>(m)) == doctest::Approx(tenet::inner(tenet::permute<1, 0>(m), m)));
  tensor<float, 3, 3> f;
  f.iota(1);
  CHECK(tenet::trace(tenet::exec::par, f) == doctest::Approx(1 + 5 + 9));
  CHECK(tenet::frobenius_norm(f) == doctest::Approx(std::sqrt(285.0)));
  const dtensor<double> empty{0, 3};
  CHECK(tenet::inner(empty, empty) == 0.0);
}

TEST_CASE("mode_contract, inner, trace: bad input throws shape_error naming the shapes") {
  const auto c = random_tensor({2, 3, 4}, 1), y = random_tensor({4, 3}, 2);
  const auto msg = shape_error_message([&] { tenet::mode_contract(c, y, {1}, {0}); });
  CHECK(contains(msg, "(2, 3, 4)"));
  CHECK(contains(msg, "(4, 3)"));
  CHECK_THROWS_AS(tenet::mode_contract(c, y, {1, 2}, {1}), tenet::shape_error);  // lengths
  CHECK_THROWS_AS(tenet::mode_contract(c, y, {3}, {0}), tenet::shape_error);     // out of range
  CHECK_THROWS_AS(tenet::mode_contract(c, y, {2, 2}, {0, 0}), tenet::shape_error);
  const auto imsg = shape_error_message([&] { tenet::inner(c, random_tensor({2, 4, 3}, 3)); });
  CHECK(contains(imsg, "(2, 3, 4)"));
  CHECK(contains(imsg, "(2, 4, 3)"));
  CHECK_THROWS_AS(tenet::trace(y), tenet::shape_error);
  CHECK_THROWS_AS(tenet::trace(c), tenet::shape_error);
}
