// unfold / fold in TensorLy's and Kolda's conventions and vec, against their index formulas;
// fold(unfold(X)) == X and unfold(fold(M)) == M; bad input.
#include <doctest/doctest.h>

#include <tenet/ops.hpp>
#include <tenet/tenet.hpp>

#include "ops_util.hpp"

using namespace ops_test;
using tenet::dtensor;
using tenet::dyn;
using tenet::tensor;

namespace {

// The column of X[idx] in the mode-n unfolding: TensorLy (the last other mode fastest) or
// Kolda (the first other mode fastest).
ix unfold_column(const shape_t& s, const shape_t& idx, std::size_t n, bool kolda) {
  ix j = 0, stride = 1;
  for (std::size_t q = 0; q < s.size(); ++q) {
    const std::size_t k = kolda ? q : s.size() - 1 - q;
    if (k == n) continue;
    j += idx[k] * stride;
    stride *= s[k];
  }
  return j;
}

}  // namespace

TEST_CASE("unfold / unfold_kolda: match their index formulas on random shapes; fold inverts them") {
  std::mt19937 g(31);
  for (int trial = 0; trial < 40; ++trial) {
    const shape_t s = random_shape(g, 1 + trial % 4);
    const auto x = random_tensor(s, static_cast<std::uint64_t>(trial));
    for (std::size_t n = 0; n < s.size(); ++n)
      for (bool kolda : {false, true}) {
        const auto m = kolda ? tenet::unfold_kolda(x, n) : tenet::unfold(tenet::exec::par(2), x, n);
        ix rest = 1;
        for (std::size_t r = 0; r < s.size(); ++r)
          if (r != n) rest *= s[r];
        REQUIRE(m.extent(0) == s[n]);
        REQUIRE(m.extent(1) == rest);
        bool ok = true;
        for_each_index(s, [&](const shape_t& i) { ok = ok && m(i[n], unfold_column(s, i, n, kolda)) == at(x, i); });
        CHECK(ok);
        const auto back = kolda ? tenet::fold_kolda(m, n, s) : tenet::fold(tenet::exec::par(2), m, n, s);
        CHECK(tenet::max_abs_diff(back, x) == 0.0);
        // unfold(fold(M)) == M for an arbitrary M of the unfolded shape.
        const auto mm = random_tensor({s[n], rest}, 99);
        const auto again = kolda ? tenet::unfold_kolda(tenet::fold_kolda(mm, n, s), n) : tenet::unfold(tenet::fold(mm, n, s), n);
        CHECK(tenet::max_abs_diff(again, mm) == 0.0);
      }
  }
}

TEST_CASE("unfold: mode 0 is a reshape; static extents give static types; strided input") {
  tensor<float, 2, 3, 4> x;
  x.fill_random(1);
  auto m = tenet::unfold<1>(x);
  static_assert(std::is_same_v<decltype(m), tensor<float, 3, 8>>);
  auto mk = tenet::unfold_kolda<2>(tenet::exec::par, x);
  static_assert(std::is_same_v<decltype(mk), tensor<float, 4, 6>>);
  auto f = tenet::fold<1, 2, 3, 4>(m);
  static_assert(std::is_same_v<decltype(f), tensor<float, 2, 3, 4>>);
  CHECK(tenet::max_abs_diff(f, x) == 0.0);
  CHECK(tenet::max_abs_diff(tenet::fold_kolda<2, 2, 3, 4>(mk), x) == 0.0);
  CHECK(tenet::max_abs_diff(tenet::unfold<0>(x), tenet::reshape<2, 12>(x)) == 0.0);
  tensor<double, dyn, 3, 4> xd(2);
  auto md = tenet::unfold<2>(xd);
  static_assert(std::is_same_v<decltype(md), tensor<double, 4, dyn>>);
  auto mr = tenet::unfold(x, 1);
  static_assert(std::is_same_v<decltype(mr), tensor<float, dyn, dyn>>);
  const auto xr = random_tensor({3, 4, 5}, 2);
  const auto xp = tenet::permute<2, 0, 1>(xr);  // (5, 3, 4), strided
  CHECK(tenet::max_abs_diff(tenet::unfold(xp, 1), tenet::unfold(dtensor<double>(xp), 1)) == 0.0);
  const auto mt = tenet::unfold(xr, 1);                      // (4, 15)
  const dtensor<double> mtt(tenet::permute<1, 0>(mt));       // (15, 4), contiguous
  const auto strided = tenet::permute<1, 0>(mtt);            // (4, 15) with strides (1, 4)
  CHECK(!strided.is_contiguous());
  CHECK(tenet::max_abs_diff(tenet::fold(strided, 1, {3, 4, 5}), xr) == 0.0);
}

TEST_CASE("vec: row-major, vec(Q)[a * d + alpha] = Q[a, alpha]; any strides") {
  const auto q = random_tensor({3, 4}, 1);
  const auto v = tenet::vec(q);
  static_assert(std::is_same_v<decltype(v), const tensor<double, dyn>>);
  for (ix a = 0; a < 3; ++a)
    for (ix al = 0; al < 4; ++al) CHECK(v(a * 4 + al) == q(a, al));
  const auto vt = tenet::vec(tenet::exec::par, tenet::permute<1, 0>(q));
  for (ix a = 0; a < 3; ++a)
    for (ix al = 0; al < 4; ++al) CHECK(vt(al * 3 + a) == q(a, al));
  tensor<float, 2, 3, 4> x;
  auto vx = tenet::vec(x);
  static_assert(std::is_same_v<decltype(vx), tensor<float, 24>>);
  const dtensor<double> s;  // rank 0: one element
  CHECK(tenet::vec(s).extent(0) == 1);
}

TEST_CASE("unfold / fold: bad input throws shape_error naming the shapes") {
  const auto x = random_tensor({2, 3, 4}, 1);
  const auto msg = shape_error_message([&] { tenet::unfold(x, 3); });
  CHECK(contains(msg, "(2, 3, 4)"));
  CHECK_THROWS_AS(tenet::unfold_kolda(x, 5), tenet::shape_error);
  const auto m = random_tensor({3, 8}, 2);
  const auto fmsg = shape_error_message([&] { tenet::fold(m, 0, {2, 3, 4}); });
  CHECK(contains(fmsg, "(3, 8)"));
  CHECK(contains(fmsg, "(2, 3, 4)"));
  CHECK_THROWS_AS(tenet::fold(m, 3, {2, 3, 4}), tenet::shape_error);
  CHECK_THROWS_AS(tenet::fold_kolda(x, 1, {2, 3, 4}), tenet::shape_error);  // not a matrix
  CHECK_THROWS_AS((tenet::fold<0, 2, 3, 4>(m)), tenet::shape_error);        // dynamic M, static shape
  CHECK_THROWS_AS((tenet::unfold<3>(x)), tenet::shape_error);
}
