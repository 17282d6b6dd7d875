// The unfolding of DTTN (MATH.md 1.2): the augmented CP core of a block against its
// definition and against the block; a stack of L = 1..4 blocks as a tenet::ttn and as a CP
// tree, equal to the network to 1e-12 in double; Proposition 1 (homogeneity of degree 2^L);
// Theorem 1 (an MPS over phi(x_j)) for small D; the errors (a dagger block, a dense core over
// the limit, bad shapes).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <tenet/tenet.hpp>
#include <tenet/models/dttn.hpp>

#include "dtn_util.hpp"
#include "dttn_util.hpp"

using dttn_test::ix;
using tenet::aim_variant;
using tenet::dtensor;

namespace {
// [1; y] for y (batch, D), by loops.
dtensor<double> with_one(const dtensor<double>& y) {
  dtensor<double> o(y.extent(0), y.extent(1) + 1);
  for (ix s = 0; s < y.extent(0); ++s) {
    o(s, 0) = 1;
    for (ix i = 0; i < y.extent(1); ++i) o(s, i + 1) = y(s, i);
  }
  return o;
}
}  // namespace

TEST_CASE("unfold_block: [1; aim(x)] = C~ x_{2,3}^{1,2} (x~ kron x~), C~ of rank H + D + 1 with C~_000 = 1") {
  for (ix D : {1, 3, 4})
    for (ix H : {1, 5}) {
      const auto blk = dttn_test::random_block<double>(D, H, aim_variant::dttn, static_cast<std::uint64_t>(D * 3 + H));
      const auto core = tenet::unfold_block(blk);
      CHECK(core.size() == D + 1);
      CHECK(core.cp_rank() == H + D + 1);
      const auto x = dtn_test::rnd({3, D}, 4);
      const auto ref = with_one(dttn_test::ref_aim(blk, x));
      const auto xt = tenet::augment_input(x);
      CHECK(tenet::rel_error(xt, with_one(x)) == 0.0);
      CHECK(tenet::rel_error(core.apply(xt.view(), xt.view()), ref) < 1e-13);  // CP form
      const auto dense = core.to_dense();
      for (ix i = 0; i <= D; ++i)  // the dense core against sum_r B~_ir A1~_rj A2~_rk
        for (ix j = 0; j <= D; ++j)
          for (ix k = 0; k <= D; ++k) {
            double s = 0;
            for (ix r = 0; r < core.cp_rank(); ++r) s += core.b(i, r) * core.a1(r, j) * core.a2(r, k);
            CHECK(dense(i, j, k) == doctest::Approx(s).epsilon(1e-13).scale(1e-13));
          }
      CHECK(dense(0, 0, 0) == 1.0);
      for (ix j = 1; j <= D; ++j) CHECK(dense(0, j, 0) == 0.0);  // slot 0 stays the constant 1
      for (ix s = 0; s < 3; ++s) {
        dtensor<double> v(D + 1);
        for (ix j = 0; j <= D; ++j) v(j) = xt(s, j);
        const auto y2 = tenet::mode_contract(dense, tenet::outer(v, v), {1, 2}, {0, 1});
        for (ix i = 0; i <= D; ++i) CHECK(y2(i) == doctest::Approx(ref(s, i)).epsilon(1e-12));
      }
    }
}

TEST_CASE("unfold_stack: the tree (tenet::ttn and CP form) equals the stack to 1e-12 in double, L = 1..4") {
  for (std::size_t L = 1; L <= 4; ++L)
    for (ix D : {2, 5}) {
      CAPTURE(L);
      CAPTURE(D);
      const auto st = dttn_test::random_stack<double>(D, 2 * D + 1, L, 40 + L);
      const auto x = dtn_test::rnd({4, D}, static_cast<std::uint64_t>(L));
      const auto ref = with_one(dttn_test::ref_stack(st, x));
      const auto tree = tenet::unfold_stack(st);
      CHECK(tree.depth() == L);
      CHECK(tree.n_leaves() == (std::size_t(1) << L));
      const auto xt = tenet::augment_input(x);
      CHECK(tenet::rel_error(tree.contract_same(xt.view()), ref) < 1e-12);
      const tenet::ttn<double> t = tenet::unfold_to_ttn(st);
      CHECK(t.n_leaves() == (1 << L));
      CHECK(t.n_nodes() == (1 << L) - 1);
      CHECK(t.n_cores() == static_cast<int>(L));  // one shared core per level
      CHECK(tenet::rel_error(t.contract_same(xt.view()), ref) < 1e-12);
      CHECK(tenet::rel_error(t.contract_same(tenet::exec::par(2), xt.view()), ref) < 1e-12);
      // One sample, unbatched leaves (D+1).
      dtensor<double> x0(D + 1);
      for (ix j = 0; j <= D; ++j) x0(j) = xt(1, j);
      const auto r0 = t.contract_same(x0.view());
      for (ix i = 0; i <= D; ++i) CHECK(r0(i) == doctest::Approx(ref(1, i)).epsilon(1e-12));
    }
}

TEST_CASE("Proposition 1: scaling every leaf by lambda scales the output by lambda^(2^L); the tree is multilinear") {
  for (std::size_t L = 1; L <= 3; ++L) {
    const auto st = dttn_test::random_stack<double>(3, 4, L, 60 + L);
    const auto t = tenet::unfold_to_ttn(st);
    const auto xt = tenet::augment_input(dtn_test::rnd({3, 3}, 5));
    const auto base = t.contract_same(xt.view());
    const double lam = 1.3, n = static_cast<double>(1 << L);
    const auto scaled = t.contract_same(dtn_test::scaled(xt, lam).view());
    CHECK(tenet::rel_error(scaled, dtn_test::scaled(base, std::pow(lam, n))) < 1e-12);
    CHECK(tenet::rel_error(scaled, dtn_test::scaled(base, std::pow(lam, n - 1))) > 0.1);  // not of a lower degree
    // Degree 1 in each leaf: leaf j scaled by lambda_j scales the output by their product.
    std::vector<dtensor<double>> leaves;
    double prod = 1;
    for (int j = 0; j < (1 << L); ++j) {
      const double lj = 0.5 + 0.25 * j;
      leaves.push_back(dtn_test::scaled(xt, lj));
      prod *= lj;
    }
    const std::vector<tenet::dtensor_view<const double>> lv(leaves.begin(), leaves.end());
    CHECK(tenet::rel_error(t.contract(std::span<const tenet::dtensor_view<const double>>(lv)), dtn_test::scaled(base, prod)) < 1e-12);
    const auto cp = tenet::unfold_stack(st);
    CHECK(tenet::rel_error(cp.contract(std::span<const tenet::dtensor_view<const double>>(lv)), dtn_test::scaled(base, prod)) < 1e-12);
  }
}

TEST_CASE("Theorem 1: polynomial_coefficients recovers a known polynomial exactly") {
  // f(x0, x1) = 3 - x1 + 2 x0 x1^2 + 0.5 x0^2, degree <= 2 in each variable.
  const auto grid = tenet::interpolation_grid(2, 2);
  CHECK(grid.extent(0) == 9);
  dtensor<double> vals(9, 1);
  for (ix p = 0; p < 9; ++p) {
    const double a = grid(p, 0), b = grid(p, 1);
    vals(p, 0) = 3 - b + 2 * a * b * b + 0.5 * a * a;
  }
  const auto c = tenet::polynomial_coefficients(vals, 2, 2)[0];
  for (ix i = 0; i < 3; ++i)
    for (ix j = 0; j < 3; ++j) {
      const double want = (i == 0 && j == 0) ? 3 : (i == 0 && j == 1) ? -1 : (i == 1 && j == 2) ? 2 : (i == 2 && j == 0) ? 0.5 : 0;
      CHECK(c(i, j) == doctest::Approx(want).scale(1.0).epsilon(1e-13));
    }
}

TEST_CASE("Theorem 1: the coefficients of a one-block DTTN are those of its core; the MPS over phi(x_j) is the network") {
  const ix D = 2;
  const auto st = dttn_test::random_stack<double>(D, 3, 1, 77);
  const auto core = tenet::unfold_block(st.blocks[0]).to_dense();
  const auto coef = tenet::polynomial_coefficients(st.forward(tenet::interpolation_grid(D, 2)), D, 2);
  // y_i = sum_jk C~[1+i, j, k] x~_j x~_k: the coefficient of x_0^p x_1^q, read off C~ by hand.
  for (ix i = 0; i < D; ++i) {
    const ix o = i + 1;
    auto C = [&](ix j, ix k) { return core(o, j, k); };
    const double want[3][3] = {{C(0, 0), C(0, 2) + C(2, 0), C(2, 2)},
                               {C(0, 1) + C(1, 0), C(1, 2) + C(2, 1), 0},
                               {C(1, 1), 0, 0}};
    for (ix p = 0; p < 3; ++p)
      for (ix q = 0; q < 3; ++q) CHECK(coef[static_cast<std::size_t>(i)](p, q) == doctest::Approx(want[p][q]).scale(1.0).epsilon(1e-12));
  }
  // For small D and L the whole check: the MPS contraction with phi equals the network.
  for (ix d : {2, 3})
    for (std::size_t L : {1u, 2u}) {
      CAPTURE(d);
      CAPTURE(L);
      const auto r = tenet::verify_dttn({.D = d, .H = 4, .L = L, .seed = 5});
      CHECK(r.theorem1.pass);
      CHECK(!r.theorem1.skipped);
      CHECK(r.theorem1.value < 1e-10);
      CHECK(r.tree.pass);
      CHECK(r.homogeneity.pass);
      CHECK(r.dense_ttn);
      CHECK(r.pass());
      REQUIRE(r.mps_bonds.size() == static_cast<std::size_t>(d + 1));
      CHECK(r.mps_bonds.front() == 1);
      for (ix b : r.mps_bonds) CHECK(b <= (ix(1) << L) + 1);  // D <= 3 sites: a bond is at most one physical dimension
      // With phi of degree 2^L - 1 the network is not in the span: the check must fail.
      const auto bad = tenet::verify_dttn({.D = d, .H = 4, .L = L, .seed = 5, .theorem1_degree = (1 << L) - 1});
      CHECK(!bad.theorem1.pass);
      CHECK(bad.theorem1.value > 1e-4);
      CHECK(!bad.pass());
    }
  // Too large a grid: skipped, not failed.
  const auto big = tenet::verify_dttn({.D = 6, .H = 4, .L = 3, .seed = 1, .theorem1_max_points = 1000});
  CHECK(big.theorem1.skipped);
  CHECK(big.pass());
}

TEST_CASE("unfolding: a DTTN-dagger block throws and says why; dense cores over the limit throw") {
  const auto dag = dttn_test::random_block<double>(3, 4, aim_variant::dttn_dagger, 1);
  std::string msg;
  try {
    tenet::unfold_block(dag);
  } catch (const tenet::error& e) {
    msg = e.what();
  }
  CHECK(dtn_test::contains(msg, "DTTN-dagger"));
  CHECK(dtn_test::contains(msg, "not a polynomial"));
  auto st = dttn_test::random_stack<double>(3, 4, 2, 3);
  st.add(dag);
  CHECK_THROWS_WITH_AS(tenet::unfold_stack(st), doctest::Contains("layer norm"), tenet::error);
  CHECK_THROWS_AS(tenet::unfold_stack(tenet::dense_aim_stack<double>{}), tenet::error);

  const auto core = tenet::unfold_block(dttn_test::random_block<double>(2, 3, aim_variant::dttn, 2));
  CHECK(core.to_dense(27).size() == 27);
  msg = dtn_test::shape_error_message([&] { core.to_dense(26); });
  CHECK(dtn_test::contains(msg, "(3, 3, 3)"));
  CHECK(dtn_test::contains(msg, "limit of 26"));
  const auto st2 = dttn_test::random_stack<double>(2, 3, 2, 4);
  CHECK_THROWS_AS(tenet::unfold_to_ttn(st2, 26), tenet::shape_error);
  // Over the limit the check still runs, on the CP tree.
  const auto r = tenet::verify_dttn({.D = 3, .H = 4, .L = 2, .seed = 2, .max_core_elements = 10});
  CHECK(!r.dense_ttn);
  CHECK(r.tree.pass);
  CHECK(r.pass());
}

TEST_CASE("unfolding: bad shapes throw shape_error naming both shapes; float trees") {
  const auto core = tenet::unfold_block(dttn_test::random_block<double>(3, 2, aim_variant::dttn, 5));
  const auto a = dtn_test::rnd({2, 4}, 1), b = dtn_test::rnd({3, 4}, 2), c = dtn_test::rnd({2, 5}, 3);
  auto msg = dtn_test::shape_error_message([&] { core.apply(a.view(), b.view()); });
  CHECK(dtn_test::contains(msg, "(2, 4)"));
  CHECK(dtn_test::contains(msg, "(3, 4)"));
  msg = dtn_test::shape_error_message([&] { core.apply(c.view(), c.view()); });
  CHECK(dtn_test::contains(msg, "(2, 5)"));
  CHECK(dtn_test::contains(msg, "D+1 = 4"));
  const auto tree = tenet::unfold_stack(dttn_test::random_stack<double>(3, 2, 2, 6));
  CHECK_THROWS_AS(tree.contract_same(c.view()), tenet::shape_error);
  const std::vector<tenet::dtensor_view<const double>> three(3, a.view());
  CHECK_THROWS_AS(tree.contract(std::span<const tenet::dtensor_view<const double>>(three)), tenet::shape_error);
  CHECK_THROWS_AS(tenet::augment_input(dtn_test::rnd({2, 2, 2}, 1)), tenet::shape_error);

  // float: the tree and the stack agree to float precision.
  const auto sf = dttn_test::random_stack<float>(3, 5, 3, 8);
  const auto xf = dtn_test::to_float(dtn_test::rnd({4, 3}, 9));
  const auto tf = tenet::unfold_to_ttn(sf);
  const auto yf = tenet::augment_input(sf.forward(xf));
  CHECK(tenet::rel_error(tf.contract_same(tenet::augment_input(xf).view()), yf) < 1e-5);
  CHECK(tenet::rel_error(tf.contract_same(tenet::augment_input(xf).view()), with_one(dttn_test::ref_stack(sf, dtn_test::to_double(xf)))) < 1e-5);
}
