// The AIM block of DTTN (MATH.md 1.1): equation (2) equals (1) through mode_contract; the block
// against explicit loops for both variants, float and double, seq and par; the norms, the
// dense map and its Kaiming init, map_chain; bad shapes.
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

TEST_CASE("AIM (2) == (1): x + C x_{2,3}^{1,2} (x kron x), C_ijk = sum_r B_ir A1_rj A2_rk, equals the block") {
  for (ix D : {1, 3, 5})
    for (ix H : {1, 4, 9}) {
      // Plain maps (zero biases, identity norms, alpha 1): the block is exactly equation (1).
      const auto blk = tenet::make_dense_aim<double>(D, H, aim_variant::dttn, {.seed = static_cast<std::uint64_t>(D * 10 + H)});
      dtensor<double> c(D, D, D);  // the core, by loops over its CP definition
      for (ix i = 0; i < D; ++i)
        for (ix j = 0; j < D; ++j)
          for (ix k = 0; k < D; ++k) {
            double s = 0;
            for (ix r = 0; r < H; ++r) s += blk.b.weight(i, r) * blk.a1.weight(r, j) * blk.a2.weight(r, k);
            c(i, j, k) = s;
          }
      const auto x = dtn_test::rnd({2, D}, 7);
      const auto y1 = blk.forward(x);
      for (ix s = 0; s < 2; ++s) {
        dtensor<double> xs(D);
        for (ix j = 0; j < D; ++j) xs(j) = x(s, j);
        const auto y2 = tenet::mode_contract(c, tenet::outer(xs, xs), {1, 2}, {0, 1});  // C x_{2,3}^{1,2} (x kron x)
        for (ix i = 0; i < D; ++i) CHECK(y1(s, i) == doctest::Approx(xs(i) + y2(i)).epsilon(1e-12));
      }
    }
}

TEST_CASE("aim_block forward equals explicit loops: DTTN and DTTN-dagger, double and float, seq and par") {
  for (aim_variant v : {aim_variant::dttn, aim_variant::dttn_dagger})
    for (ix D : {1, 4, 7})
      for (ix H : {2, 5}) {
        CAPTURE(D);
        CAPTURE(H);
        const std::string variant = tenet::to_string(v);
        CAPTURE(variant);
        const auto blk = dttn_test::random_block<double>(D, H, v, static_cast<std::uint64_t>(100 + D * 7 + H));
        const auto x = dtn_test::rnd({3, D}, static_cast<std::uint64_t>(D + H));
        const auto ref = dttn_test::ref_aim(blk, x);
        CHECK(tenet::rel_error(blk.forward(x), ref) < 1e-13);
        CHECK(tenet::rel_error(blk.forward(tenet::exec::par(2), x.view()), ref) < 1e-13);
        // A strided view (a transposed copy seen through permute) is read as the matrix it shows.
        const auto xt = dttn_test::dtensor<double>(tenet::permute<1, 0>(x));
        CHECK(tenet::rel_error(blk.forward(tenet::permute<1, 0>(xt)), ref) < 1e-13);

        const auto bf = dttn_test::random_block<float>(D, H, v, static_cast<std::uint64_t>(100 + D * 7 + H));
        const auto xf = dtn_test::to_float(x);
        const auto reff = dttn_test::ref_aim(bf, dtn_test::to_double(xf));
        CHECK(tenet::rel_error(dtn_test::to_double(bf.forward(xf)), reff) < 1e-5);
        CHECK(tenet::rel_error(dtn_test::to_double(bf.forward(tenet::exec::par, xf)), reff) < 1e-5);
      }
}

TEST_CASE("aim_block: the variants differ, and each parameter takes part") {
  const auto x = dtn_test::rnd({4, 3}, 1);
  auto blk = dttn_test::random_block<double>(3, 5, aim_variant::dttn, 9);
  const auto y = blk.forward(x);
  auto changed = [&](auto&& edit) {
    auto b = blk;
    edit(b);
    return tenet::max_abs_diff(b.forward(x), y) > 1e-6;
  };
  CHECK(changed([](auto& b) { b.n1.shift(0) += 1; }));
  CHECK(changed([](auto& b) { b.n2.scale(1) *= 2; }));
  CHECK(changed([](auto& b) { b.n3.shift(2) += 1; }));
  CHECK(changed([](auto& b) { b.a1.bias(0) += 1; }));
  CHECK(changed([](auto& b) { b.b.bias(1) += 1; }));
  CHECK(changed([](auto& b) { b.alpha *= 0.5; }));
  // The dagger block ignores N1, N2 and uses its layer norm.
  auto dag = dttn_test::random_block<double>(3, 5, aim_variant::dttn_dagger, 9);
  const auto yd = dag.forward(x);
  auto dag2 = dag;
  dag2.n1 = tenet::feature_affine<double>(5);
  dag2.n1.shift.fill(3.0);
  CHECK(tenet::max_abs_diff(dag2.forward(x), yd) == 0.0);
  dag2.ln.bias(0) += 1;
  CHECK(tenet::max_abs_diff(dag2.forward(x), yd) > 1e-6);
  // Layer norm makes the dagger block blind to the scale of the product: scaling A1 leaves y
  // unchanged (exactly with eps = 0), while it changes a DTTN block.
  auto dag0 = dag;
  dag0.ln.eps = 0;
  auto dag3 = dag0;
  for (double& w : dag3.a1.weight) w *= 4;
  for (double& w : dag3.a1.bias) w *= 4;
  CHECK(tenet::rel_error(dag3.forward(x), dag0.forward(x)) < 1e-13);
  CHECK(tenet::rel_error(dag0.forward(x), yd) > 1e-12);  // eps = 1e-6 does take part
  CHECK(changed([](auto& b) {
    for (double& w : b.a1.weight) w *= 4;
  }));
}

TEST_CASE("feature_affine and layer_norm act on mode 1 of (batch, F, ...): against loops") {
  const auto x = dtn_test::rnd({2, 3, 4}, 5);
  tenet::feature_affine<double> a(3);
  a.scale.fill_random(1);
  a.shift.fill_random(2);
  const auto ya = a.apply(tenet::exec::seq, x.view());
  tenet::layer_norm<double> ln(3);
  ln.weight.fill_random(3);
  ln.bias.fill_random(4);
  const auto yl = ln.apply(tenet::exec::par(2), x.view());
  for (ix b = 0; b < 2; ++b)
    for (ix s = 0; s < 4; ++s) {
      double mean = 0, var = 0;
      for (ix f = 0; f < 3; ++f) mean += x(b, f, s) / 3;
      for (ix f = 0; f < 3; ++f) var += (x(b, f, s) - mean) * (x(b, f, s) - mean) / 3;
      for (ix f = 0; f < 3; ++f) {
        CHECK(ya(b, f, s) == doctest::Approx(a.scale(f) * x(b, f, s) + a.shift(f)).epsilon(1e-14));
        CHECK(yl(b, f, s) == doctest::Approx((x(b, f, s) - mean) / std::sqrt(var + 1e-6) * ln.weight(f) + ln.bias(f)).epsilon(1e-12));
      }
    }
  // Batch norm in inference form.
  const auto g = dtn_test::rnd({3}, 6), be = dtn_test::rnd({3}, 7), mu = dtn_test::rnd({3}, 8), var = dtn_test::rnd({3}, 9, 0.5, 2.0);
  const auto bn = tenet::feature_affine<double>::from_batch_norm(g, be, mu, var, 1e-5);
  const auto yb = bn.apply(tenet::exec::seq, x.view());
  for (ix f = 0; f < 3; ++f)
    CHECK(yb(1, f, 2) == doctest::Approx((x(1, f, 2) - mu(f)) / std::sqrt(var(f) + 1e-5) * g(f) + be(f)).epsilon(1e-13));
  CHECK_THROWS_AS(tenet::feature_affine<double>::from_batch_norm(g, be, mu, dtn_test::rnd({4}, 1)), tenet::shape_error);
}

TEST_CASE("dense_map: W x + c, seeded Kaiming-normal init, map_chain") {
  const auto m = tenet::dense_map<double>::kaiming(64, 256, 11);
  double sum = 0, sq = 0;
  for (double w : m.weight) sum += w, sq += w * w;
  const double n = static_cast<double>(m.weight.size()), sd = std::sqrt(sq / n - (sum / n) * (sum / n));
  CHECK(std::abs(sum / n) < 0.01);
  CHECK(sd == doctest::Approx(std::sqrt(2.0 / 256)).epsilon(0.03));  // 16384 draws: ~0.6% sampling error
  CHECK(tenet::max_abs_diff(tenet::dense_map<double>::kaiming(64, 256, 11).weight, m.weight) == 0.0);
  CHECK(tenet::max_abs_diff(tenet::dense_map<double>::kaiming(64, 256, 12).weight, m.weight) > 0.0);
  for (double c : m.bias) CHECK(c == 0.0);
  // Two maps of one block draw different weights.
  const auto blk = tenet::make_dense_aim<double>(4, 4, aim_variant::dttn, {.seed = 3});
  CHECK(tenet::max_abs_diff(blk.a1.weight, blk.a2.weight) > 0.0);

  tenet::dense_map<double> f(dtn_test::rnd({3, 2}, 1), dtn_test::rnd({3}, 2)), s(dtn_test::rnd({4, 3}, 3), dtn_test::rnd({4}, 4));
  const auto x = dtn_test::rnd({5, 2}, 5);
  const auto y = f.apply(x);
  for (ix b = 0; b < 5; ++b)
    for (ix i = 0; i < 3; ++i) CHECK(y(b, i) == doctest::Approx(f.weight(i, 0) * x(b, 0) + f.weight(i, 1) * x(b, 1) + f.bias(i)));
  const tenet::map_chain<tenet::dense_map<double>, tenet::dense_map<double>> ch(f, s);
  static_assert(tenet::aim_map<decltype(ch)>);
  CHECK(ch.in_features() == 2);
  CHECK(ch.out_features() == 4);
  CHECK(tenet::max_abs_diff(ch.apply(tenet::exec::par, x.view()), s.apply(y.view())) < 1e-14);
  CHECK_THROWS_AS((tenet::map_chain<tenet::dense_map<double>, tenet::dense_map<double>>(s, f)), tenet::shape_error);
}

TEST_CASE("aim_block, dense_map, aim_stack: bad shapes throw shape_error naming both shapes") {
  using dtn_test::contains;
  using dtn_test::shape_error_message;
  const auto blk = tenet::make_dense_aim<double>(4, 6, aim_variant::dttn);
  auto msg = shape_error_message([&] { blk.forward(dtn_test::rnd({2, 5}, 1)); });
  CHECK(contains(msg, "(2, 5)"));
  CHECK(contains(msg, "(batch, 4"));
  msg = shape_error_message([&] { blk.forward(dtn_test::rnd({4}, 1)); });
  CHECK(contains(msg, "(4,)"));
  msg = shape_error_message([&] { blk.a1.apply(dtn_test::rnd({3, 5}, 1).view()); });
  CHECK(contains(msg, "(3, 5)"));
  CHECK(contains(msg, "(6, 4)"));
  msg = shape_error_message([&] { tenet::dense_map<double>(dtn_test::rnd({3, 2}, 1), dtn_test::rnd({2}, 2)); });
  CHECK(contains(msg, "(3, 2)"));
  CHECK(contains(msg, "(2,)"));
  // Maps that do not fit together: A2 reads 3 features, A1 and B use 4.
  CHECK_THROWS_AS(tenet::dense_aim<double>(aim_variant::dttn, tenet::dense_map<double>(6, 4), tenet::dense_map<double>(6, 3),
                                           tenet::dense_map<double>(4, 6)),
                  tenet::shape_error);
  msg = shape_error_message([&] {
    auto b = blk;
    b.n3 = tenet::feature_affine<double>(5);
    b.forward(dtn_test::rnd({2, 4}, 1));
  });
  CHECK(contains(msg, "(2, 4)"));
  CHECK(contains(msg, "(5,)"));
  tenet::dense_aim_stack<double> st;
  st.add(blk);
  CHECK_THROWS_AS(st.add(tenet::make_dense_aim<double>(3, 6, aim_variant::dttn)), tenet::shape_error);
  CHECK_THROWS_AS(tenet::make_dense_aim<double>(0, 6, aim_variant::dttn), tenet::shape_error);
}

TEST_CASE("aim_stack: L blocks in turn, equal to loops; seq and par agree") {
  for (std::size_t L : {0u, 1u, 3u}) {
    const auto st = dttn_test::random_stack<double>(3, 4, L, 21);
    CHECK(st.depth() == L);
    const auto x = dtn_test::rnd({5, 3}, 2);
    const auto ref = dttn_test::ref_stack(st, x);
    CHECK(tenet::rel_error(st.forward(x), ref) < 1e-13);
    CHECK(tenet::rel_error(st.forward(tenet::exec::par(2), x), ref) < 1e-13);
  }
}
