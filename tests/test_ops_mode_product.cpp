// mode_product and multi_mode_product against their defining loops, the unfold/fold identity,
// the cheapest order of a multi-mode product, and bad input.
#include <doctest/doctest.h>

#include <tenet/ops.hpp>
#include <tenet/tenet.hpp>

#include "ops_util.hpp"

using namespace ops_test;
using tenet::dtensor;
using tenet::dyn;
using tenet::tensor;

namespace {

// Y = X x_n U by the definition (U a matrix J x I_n, or a vector: the mode goes).
dtensor<double> ref_mode_product(const dtensor<double>& x, const dtensor<double>& u, std::size_t n) {
  shape_t out;
  for (std::size_t r = 0; r < x.rank(); ++r)
    if (r != n) out.push_back(x.extent(r));
    else if (u.rank() == 2) out.push_back(u.extent(0));
  dtensor<double> y{tenet::dyn_extents(out)};
  for_each_index(out, [&](const shape_t& o) {
    shape_t xi;  // X's ix with mode n still to be summed
    for (std::size_t r = 0, q = 0; r < x.rank(); ++r)
      if (r != n)
        xi.push_back(o[q++]);
      else
        xi.push_back(0), q += u.rank() == 2;  // o[n] is j for a matrix
    double s = 0;
    for (ix k = 0; k < x.extent(n); ++k) {
      xi[n] = k;
      s += at(x, xi) * (u.rank() == 2 ? u(o[n], k) : u(k));
    }
    at(y, o) = s;
  });
  return y;
}

}  // namespace

TEST_CASE("mode_product: matches its definition on random shapes, every mode, matrix and vector") {
  std::mt19937 g(7);
  for (int trial = 0; trial < 60; ++trial) {
    const std::size_t rank = 1 + trial % 4;
    const shape_t s = random_shape(g, rank);
    const auto x = random_tensor(s, 100 + static_cast<std::uint64_t>(trial));
    for (std::size_t n = 0; n < rank; ++n) {
      const ix J = 1 + static_cast<ix>(g() % 5);
      const auto u = random_tensor({J, s[n]}, 200 + static_cast<std::uint64_t>(trial));
      const auto v = random_tensor({s[n]}, 300 + static_cast<std::uint64_t>(trial));
      CHECK(tenet::allclose(tenet::mode_product(x, u, n), ref_mode_product(x, u, n), 1e-12, 1e-12));
      CHECK(tenet::allclose(tenet::mode_product(tenet::exec::par(2), x, u, n), ref_mode_product(x, u, n), 1e-12, 1e-12));
      CHECK(tenet::allclose(tenet::mode_product(x, v, n), ref_mode_product(x, v, n), 1e-12, 1e-12));
    }
  }
}

TEST_CASE("mode_product: equals fold(U unfold(X, n), n) (the unfolding definition)") {
  std::mt19937 g(8);
  for (int trial = 0; trial < 20; ++trial) {
    const shape_t s = random_shape(g, 3 + trial % 2, 5);
    const auto x = random_tensor(s, static_cast<std::uint64_t>(trial));
    for (std::size_t n = 0; n < s.size(); ++n) {
      const auto u = random_tensor({3, s[n]}, 50 + static_cast<std::uint64_t>(trial));
      const auto un = tenet::unfold(x, n);
      const auto prod = tenet::einsum("ij,jk->ik", u, un);
      shape_t ys = s;
      ys[n] = 3;
      CHECK(tenet::allclose(tenet::mode_product(x, u, n), tenet::fold(prod, n, ys), 1e-12, 1e-12));
    }
  }
}

TEST_CASE("mode_product: static extents give a static result type; float works; strided operands") {
  tensor<float, 2, 3, 4> x;
  x.fill_random(1);
  tensor<float, 5, 3> u;
  u.fill_random(2);
  auto y = tenet::mode_product<1>(x, u);
  static_assert(std::is_same_v<decltype(y), tensor<float, 2, 5, 4>>);
  tensor<float, 3> v;
  v.fill_random(3);
  auto z = tenet::mode_product<1>(tenet::exec::par, x, v);
  static_assert(std::is_same_v<decltype(z), tensor<float, 2, 4>>);
  auto yd = tenet::mode_product(x, u, 1);  // run-time mode: static rank, dyn extents
  static_assert(std::is_same_v<decltype(yd), tensor<float, dyn, dyn, dyn>>);
  tensor<float, dyn, 3> ud(5);
  std::copy(u.begin(), u.end(), ud.begin());
  auto ym = tenet::mode_product<1>(x, ud);
  static_assert(std::is_same_v<decltype(ym), tensor<float, 2, dyn, 4>>);
  const dtensor<double> xd = random_tensor({2, 3, 4}, 4), ud2 = random_tensor({5, 3}, 5);
  const auto ref = ref_mode_product(xd, ud2, 1);
  for (std::size_t i = 0; i < 2 * 5 * 4; ++i) {
    CHECK(y.data()[i] == doctest::Approx(yd.data()[i]));
    CHECK(y.data()[i] == doctest::Approx(ym.data()[i]));
  }
  // U^T through a permuted view (no copy); a transposed X the same way.
  const auto ut = random_tensor({3, 5}, 6);
  CHECK(tenet::allclose(tenet::mode_product(xd, tenet::permute<1, 0>(ut), 1),
                        ref_mode_product(xd, dtensor<double>(tenet::permute<1, 0>(ut)), 1), 1e-12, 1e-12));
  const auto xp = tenet::permute(xd, {2, 0, 1});
  CHECK(tenet::allclose(tenet::mode_product(xp, ud2, 2), ref_mode_product(dtensor<double>(xp), ud2, 2), 1e-12, 1e-12));
  CHECK(tenet::allclose(tenet::mode_product<1>(xd, ud2), ref, 1e-12, 1e-12));
}

TEST_CASE("mode_product_into: writes the product into an existing tensor or view") {
  const auto x = random_tensor({3, 4, 5}, 1), u = random_tensor({2, 4}, 2);
  tensor<double, 3, 2, 5> y;
  tenet::mode_product_into(x, u, 1, y);
  CHECK(tenet::allclose(y, ref_mode_product(x, u, 1), 1e-12, 1e-12));
  dtensor<double> big{3, 2, 10};  // into a strided view: every other element of the last mode
  const tenet::dtensor_view<double> every_other(big.data(), tenet::dyn_extents{3, 2, 5}, std::vector<ix>{20, 10, 2});
  tenet::mode_product_into(tenet::exec::par(2), x, u, 1, every_other);
  CHECK(tenet::allclose(every_other, ref_mode_product(x, u, 1), 1e-12, 1e-12));
  CHECK(big(0, 0, 1) == 0.0);
  dtensor<double> wrong{3, 4, 5};
  const auto msg = shape_error_message([&] { tenet::mode_product_into(x, u, 1, wrong); });
  CHECK(contains(msg, "(3, 2, 5)"));
  CHECK(contains(msg, "(3, 4, 5)"));
}

TEST_CASE("mode_product: bad input throws shape_error naming both shapes") {
  const auto x = random_tensor({2, 3, 4}, 1);
  const auto msg = shape_error_message([&] { tenet::mode_product(x, random_tensor({5, 4}, 2), 1); });
  CHECK(contains(msg, "(2, 3, 4)"));
  CHECK(contains(msg, "(5, 4)"));
  CHECK_THROWS_AS(tenet::mode_product(x, random_tensor({5, 3}, 2), 3), tenet::shape_error);
  CHECK_THROWS_AS(tenet::mode_product(x, random_tensor({5, 3, 1}, 2), 1), tenet::shape_error);
  CHECK_THROWS_AS(tenet::mode_product(x, random_tensor({4}, 2), 1), tenet::shape_error);
  CHECK_THROWS_AS(tenet::mode_product<2>(x, random_tensor({5, 3}, 2)), tenet::shape_error);
}

TEST_CASE("multi_mode_product: equals successive mode products, with modes, skip and vectors") {
  std::mt19937 g(9);
  for (int trial = 0; trial < 30; ++trial) {
    const shape_t s = random_shape(g, 4);
    const auto x = random_tensor(s, static_cast<std::uint64_t>(trial));
    std::vector<dtensor<double>> us;
    for (std::size_t n = 0; n < 4; ++n)
      us.push_back(n == 2 && trial % 2 ? random_tensor({s[n]}, 10 + n) : random_tensor({1 + ix(g() % 4), s[n]}, 10 + n));
    // All four modes, in list order, against the successive definition (highest mode first,
    // so that a vector's removal does not shift the modes still to come).
    dtensor<double> ref = x;
    for (std::size_t n = 4; n-- > 0;) ref = ref_mode_product(ref, us[n], n);
    CHECK(tenet::allclose(tenet::multi_mode_product(x, us), ref, 1e-12, 1e-12));
    CHECK(tenet::allclose(tenet::multi_mode_product(tenet::exec::par(2), x, us, {0, 1, 2, 3}), ref, 1e-12, 1e-12));
    // skip names a mode: leave out the factor on mode 1 (given in a shuffled list).
    dtensor<double> ref_skip = x;
    for (std::size_t n : {3u, 2u, 0u}) ref_skip = ref_mode_product(ref_skip, us[n], n);
    CHECK(tenet::allclose(tenet::multi_mode_product(x, {us[3], us[1], us[0], us[2]}, {3, 1, 0, 2}, 1), ref_skip,
                          1e-12, 1e-12));
    // A subset of modes.
    const dtensor<double> ref_sub = ref_mode_product(ref_mode_product(x, us[3], 3), us[1], 1);
    CHECK(tenet::allclose(tenet::multi_mode_product(x, {us[1], us[3]}, {1, 3}), ref_sub, 1e-12, 1e-12));
  }
}

TEST_CASE("multi_mode_product: compile-time modes give a static result type") {
  tensor<double, 2, 3, 4> x;
  x.fill_random(1);
  tensor<double, 5, 2> u0;
  u0.fill_random(2);
  tensor<double, 4> u2;
  u2.fill_random(3);
  auto y = tenet::multi_mode_product<0, 2>(x, u0, u2);
  static_assert(std::is_same_v<decltype(y), tensor<double, 5, 3>>);
  const dtensor<double> ref = ref_mode_product(ref_mode_product(dtensor<double>(x.view()), dtensor<double>(u2.view()), 2),
                                               dtensor<double>(u0.view()), 0);
  CHECK(tenet::allclose(y, ref, 1e-12, 1e-12));
  auto yp = tenet::multi_mode_product<2, 0>(tenet::exec::par, x, u2, u0);
  CHECK(tenet::allclose(yp, ref, 1e-12, 1e-12));
}

TEST_CASE("multi_mode_product: runs the products in the cheapest order") {
  const auto x = random_tensor({10, 10, 10}, 1);
  const auto grow = random_tensor({20, 10}, 2), shrink = random_tensor({2, 10}, 3), vec = random_tensor({10}, 4);
  const std::vector<tenet::dtensor_view<const double>> us = {grow, shrink, vec};
  const std::vector<std::size_t> modes = {0, 1, 2};
  std::vector<ix> shape;
  const auto steps = tenet::detail::plan_multi_mode_product<double>(x.view(), us, modes, std::nullopt, shape);
  REQUIRE(steps.size() == 3);
  CHECK(steps[0].mode == 2);  // the vector removes a mode: cheapest first
  CHECK(steps[1].mode == 1);  // then the shrinking factor
  CHECK(steps[2].mode == 0);  // the growing one last
  CHECK(shape == shape_t{20, 2});
}

TEST_CASE("multi_mode_product: bad input throws shape_error") {
  const auto x = random_tensor({2, 3, 4}, 1);
  const auto a = random_tensor({5, 2}, 2), b = random_tensor({5, 3}, 3);
  CHECK_THROWS_AS(tenet::multi_mode_product(x, {a, b}, {0, 0}), tenet::shape_error);     // repeated mode
  CHECK_THROWS_AS(tenet::multi_mode_product(x, {a, b}, {0}), tenet::shape_error);        // counts differ
  CHECK_THROWS_AS(tenet::multi_mode_product(x, {a, b}, {0, 5}), tenet::shape_error);     // out of range
  CHECK_THROWS_AS(tenet::multi_mode_product(x, {a, b}, {1, 0}), tenet::shape_error);     // extents
  CHECK_THROWS_AS(tenet::multi_mode_product(x, {a, b}, {0, 1}, 7), tenet::shape_error);  // skip
}
