// The image operators (conv3x3, conv1x1, conv2x2_stride2, channel_affine, layer_norm_channels,
// global_avg_pool) against plain loops over their definitions in double precision, on random
// shapes (extents of 1, odd sizes, groups 1 / C_in / in between), float and double, seq and
// par; and bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include <tenet/ops/channel_affine.hpp>
#include <tenet/ops/conv1x1.hpp>
#include <tenet/ops/conv2x2_stride2.hpp>
#include <tenet/ops/conv3x3.hpp>
#include <tenet/ops/layer_norm.hpp>
#include <tenet/ops/pool.hpp>
#include <tenet/tenet.hpp>

#include "ops_util.hpp"

using namespace ops_test;
using tenet::dtensor;
using tenet::dyn;
using tenet::tensor;
namespace exec = tenet::exec;

namespace {

// PyTorch's Conv2d by its definition: a K x K kernel, stride s, zero padding p, g groups; the
// plain 7-deep loop (n, o, h, w, i, kh, kw) with the bounds check inside. b may be empty.
dtensor<double> ref_conv(const dtensor<double>& x, const dtensor<double>& w, const dtensor<double>* b, ix stride,
                         ix pad, ix groups) {
  const ix N = x.extent(0), C = x.extent(1), H = x.extent(2), W = x.extent(3);
  const ix O = w.extent(0), cin_g = w.extent(1), K = w.extent(2), cout_g = O / groups;
  const ix Ho = (H + 2 * pad - K) / stride + 1, Wo = (W + 2 * pad - K) / stride + 1;
  REQUIRE(cin_g * groups == C);
  dtensor<double> y(N, O, Ho, Wo);
  for (ix n = 0; n < N; ++n)
    for (ix o = 0; o < O; ++o)
      for (ix h = 0; h < Ho; ++h)
        for (ix v = 0; v < Wo; ++v) {
          double s = b ? (*b)(o) : 0.0;
          for (ix i = 0; i < cin_g; ++i)
            for (ix kh = 0; kh < K; ++kh)
              for (ix kw = 0; kw < K; ++kw) {
                const ix hi = h * stride + kh - pad, wi = v * stride + kw - pad;
                if (hi >= 0 && hi < H && wi >= 0 && wi < W) s += w(o, i, kh, kw) * x(n, (o / cout_g) * cin_g + i, hi, wi);
              }
          y(n, o, h, v) = s;
        }
  return y;
}

template <class T, class X>
dtensor<T> as(const X& x) {
  return dtensor<T>(tenet::as_view(x));
}

// Tolerance for a sum of `terms` products of values in [-1, 1].
template <class T>
double tol(ix terms) {
  return (sizeof(T) == 4 ? 2e-6 : 1e-14) * static_cast<double>(terms + 1);
}

template <class T>
void check_conv3x3_random(std::mt19937& g, int trials) {
  for (int t = 0; t < trials; ++t) {
    const ix N = 1 + static_cast<ix>(g() % 2), H = 1 + static_cast<ix>(g() % 6), W = 1 + static_cast<ix>(g() % 7);
    const ix C = 1 + static_cast<ix>(g() % 6);
    // groups: 1, C_in, or a divisor in between
    std::vector<ix> divs;
    for (ix d = 1; d <= C; ++d)
      if (C % d == 0) divs.push_back(d);
    const ix groups = t % 3 == 0 ? 1 : t % 3 == 1 ? C : divs[g() % divs.size()];
    const ix O = groups * (1 + static_cast<ix>(g() % 3));
    const auto seed = static_cast<std::uint64_t>(t) * 10;
    const auto x = random_tensor({N, C, H, W}, seed + 1);
    const auto w = random_tensor({O, C / groups, 3, 3}, seed + 2);
    const auto b = random_tensor({O}, seed + 3);
    const bool with_bias = t % 2 == 0;
    const auto want = ref_conv(x, w, with_bias ? &b : nullptr, 1, 1, groups);
    const auto xt = as<T>(x), wt = as<T>(w), bt = as<T>(b);
    const dtensor<T> got = with_bias ? tenet::conv3x3(xt, wt, bt, groups) : tenet::conv3x3(xt, wt, groups);
    const dtensor<T> got_par =
        with_bias ? tenet::conv3x3(exec::par(2), xt, wt, bt, groups) : tenet::conv3x3(exec::par(2), xt, wt, groups);
    INFO("N C H W O groups = " << N << " " << C << " " << H << " " << W << " " << O << " " << groups);
    CHECK(shape_of(got) == shape_t{N, O, H, W});
    CHECK(tenet::max_abs_diff(got, want) <= tol<T>(9 * C / groups));
    CHECK(tenet::max_abs_diff(got_par, got) == 0.0);  // the same arithmetic per plane
  }
}

}  // namespace

TEST_CASE("conv3x3: matches the 7-deep loop on random shapes, groups 1 / C_in / in between, float and double") {
  std::mt19937 g(11);
  check_conv3x3_random<double>(g, 36);
  check_conv3x3_random<float>(g, 24);
}

TEST_CASE("conv3x3: work large enough for threads; seq and par agree exactly") {
  const auto x = random_tensor({2, 6, 23, 37}, 1);
  const auto w = random_tensor({12, 2, 3, 3}, 2);
  const auto b = random_tensor({12}, 3);
  const auto want = ref_conv(x, w, &b, 1, 1, 3);
  const auto got = tenet::conv3x3(x, w, b, 3);
  CHECK(tenet::max_abs_diff(got, want) <= 1e-13);
  CHECK(tenet::max_abs_diff(tenet::conv3x3(exec::par(2), x, w, b, 3), got) == 0.0);
  CHECK(tenet::max_abs_diff(tenet::conv3x3(exec::par(3), x, w, b, 3), got) == 0.0);
}

TEST_CASE("conv3x3: DTTN's L1 (groups = C -> Hc = 3C) reads input channel floor(c C / Hc); R2 is depthwise") {
  const ix C = 4, Hc = 12;
  for (ix k = 0; k < C; ++k) {
    dtensor<double> x(1, C, 3, 3);
    for (ix h = 0; h < 3; ++h)
      for (ix v = 0; v < 3; ++v) x(0, k, h, v) = 1.0;  // only input channel k is lit
    dtensor<double> w(Hc, 1, 3, 3);
    w.fill(1.0);
    const auto y = tenet::conv3x3(x, w, C);
    for (ix c = 0; c < Hc; ++c) CHECK((y(0, c, 1, 1) != 0.0) == (c * C / Hc == k));
  }
  const auto x = random_tensor({1, 5, 4, 3}, 7);
  const auto w = random_tensor({5, 1, 3, 3}, 8);
  const auto b = random_tensor({5}, 9);
  CHECK(tenet::max_abs_diff(tenet::conv3x3(x, w, b, 5), ref_conv(x, w, &b, 1, 1, 5)) <= 1e-14);
}

TEST_CASE("conv3x3: static extents, strided views in and out, conv3x3_into") {
  tensor<float, 1, 2, 4, 5> x;
  x.fill_random(1);
  tensor<float, 4, 1, 3, 3> w;
  w.fill_random(2);
  tensor<float, 4> b;
  b.fill_random(3);
  const auto y = tenet::conv3x3(x, w, b, 2);
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(y)>, tensor<float, 1, 4, 4, 5>>);
  const auto want = ref_conv(as<double>(x), as<double>(w),
                             nullptr, 1, 1, 2);
  dtensor<double> wantb(want);
  for (ix o = 0; o < 4; ++o)
    for (ix h = 0; h < 4; ++h)
      for (ix v = 0; v < 5; ++v) wantb(0, o, h, v) += b(o);
  CHECK(tenet::max_abs_diff(y, wantb) <= 1e-5);

  // X stored as (N, C, W, H) and seen through a permuted view: its W stride is not 1.
  const auto xt = random_tensor({2, 3, 5, 4}, 4);
  const auto xv = tenet::permute<0, 1, 3, 2>(xt);
  const auto xc = dtensor<double>(xv);
  const auto w2 = random_tensor({3, 3, 3, 3}, 5);
  const auto b2 = random_tensor({3}, 6);
  const auto ref = ref_conv(xc, w2, &b2, 1, 1, 1);
  CHECK(tenet::max_abs_diff(tenet::conv3x3(xv, w2, b2), ref) <= 1e-13);
  // Into a permuted view (W stride not 1) and into a plain tensor.
  dtensor<double> yt(2, 3, 5, 4);
  tenet::conv3x3_into(exec::seq, xv, w2, b2, 1, tenet::permute<0, 1, 3, 2>(yt));
  CHECK(tenet::max_abs_diff(tenet::permute<0, 1, 3, 2>(yt), ref) <= 1e-13);
  dtensor<double> y2(2, 3, 4, 5);
  tenet::conv3x3_into(exec::par(2), xc, w2, b2, 1, y2);
  CHECK(tenet::max_abs_diff(y2, ref) <= 1e-13);
}

TEST_CASE("conv1x1: is the mode product over channels plus bias; weight (O, C, 1, 1) or (O, C)") {
  std::mt19937 g(12);
  for (int t = 0; t < 16; ++t) {
    const ix N = 1 + static_cast<ix>(g() % 3), C = 1 + static_cast<ix>(g() % 5), O = 1 + static_cast<ix>(g() % 5);
    const ix H = 1 + static_cast<ix>(g() % 5), W = 1 + static_cast<ix>(g() % 6);
    const auto seed = static_cast<std::uint64_t>(t) * 10 + 1000;
    const auto x = random_tensor({N, C, H, W}, seed + 1);
    const auto w = random_tensor({O, C, 1, 1}, seed + 2);
    const auto b = random_tensor({O}, seed + 3);
    const auto want = ref_conv(x, w, &b, 1, 0, 1);
    INFO("N C H W O = " << N << " " << C << " " << H << " " << W << " " << O);
    CHECK(tenet::max_abs_diff(tenet::conv1x1(x, w, b), want) <= 1e-13);
    CHECK(tenet::max_abs_diff(tenet::conv1x1(exec::par(2), x, w, b), want) <= 1e-13);
    const auto wm = dtensor<double>(tenet::reshape(w, {O, C}));
    CHECK(tenet::max_abs_diff(tenet::conv1x1(x, wm), ref_conv(x, w, nullptr, 1, 0, 1)) <= 1e-13);
    const auto xf = as<float>(x), wf = as<float>(w), bf = as<float>(b);
    CHECK(tenet::max_abs_diff(tenet::conv1x1(exec::par(2), xf, wf, bf), want) <= tol<float>(C));
    dtensor<float> yf(N, O, H, W);
    tenet::conv1x1_into(exec::seq, xf, wf, bf, yf);
    CHECK(tenet::max_abs_diff(yf, want) <= tol<float>(C));
  }
  // A transposed weight view (no copy) and a batch big enough for threads.
  const auto x = random_tensor({3, 16, 9, 11}, 5);
  const auto wt = random_tensor({16, 24}, 6);  // stored (C, O)
  const auto b = random_tensor({24}, 7);
  const auto w = tenet::permute<1, 0>(wt);
  dtensor<double> w4(24, 16, 1, 1);
  for (ix o = 0; o < 24; ++o)
    for (ix c = 0; c < 16; ++c) w4(o, c, 0, 0) = wt(c, o);
  const auto want = ref_conv(x, w4, &b, 1, 0, 1);
  CHECK(tenet::max_abs_diff(tenet::conv1x1(x, w, b), want) <= 1e-13);
  CHECK(tenet::max_abs_diff(tenet::conv1x1(exec::par(2), x, w, b), want) <= 1e-13);
}

TEST_CASE("conv2x2_stride2: matches the loop (patchify + GEMM), even sizes, float and double") {
  std::mt19937 g(13);
  for (int t = 0; t < 16; ++t) {
    const ix N = 1 + static_cast<ix>(g() % 2), C = 1 + static_cast<ix>(g() % 4), O = 1 + static_cast<ix>(g() % 5);
    const ix H = 2 * (1 + static_cast<ix>(g() % 4)), W = 2 * (1 + static_cast<ix>(g() % 5));
    const auto seed = static_cast<std::uint64_t>(t) * 10 + 2000;
    const auto x = random_tensor({N, C, H, W}, seed + 1);
    const auto w = random_tensor({O, C, 2, 2}, seed + 2);
    const auto b = random_tensor({O}, seed + 3);
    const auto want = ref_conv(x, w, &b, 2, 0, 1);
    INFO("N C H W O = " << N << " " << C << " " << H << " " << W << " " << O);
    CHECK(shape_of(want) == shape_t{N, O, H / 2, W / 2});
    CHECK(tenet::max_abs_diff(tenet::conv2x2_stride2(x, w, b), want) <= 1e-13);
    CHECK(tenet::max_abs_diff(tenet::conv2x2_stride2(exec::par(2), x, w, b), want) <= 1e-13);
    CHECK(tenet::max_abs_diff(tenet::conv2x2_stride2(x, w), ref_conv(x, w, nullptr, 2, 0, 1)) <= 1e-13);
    const auto xf = as<float>(x), wf = as<float>(w), bf = as<float>(b);
    CHECK(tenet::max_abs_diff(tenet::conv2x2_stride2(xf, wf, bf), want) <= tol<float>(4 * C));
  }
  // Strided X (W stride 2 through a permuted view) and a non-contiguous weight (copied).
  const auto xt = random_tensor({1, 3, 6, 4}, 8);
  const auto xv = tenet::permute<0, 1, 3, 2>(xt);
  const auto wt = random_tensor({3, 5, 2, 2}, 9);  // stored (C, O, kh, kw)
  const auto wv = tenet::permute<1, 0, 2, 3>(wt);
  const auto b = random_tensor({5}, 10);
  const auto want = ref_conv(dtensor<double>(xv), dtensor<double>(wv), &b, 2, 0, 1);
  CHECK(tenet::max_abs_diff(tenet::conv2x2_stride2(xv, wv, b), want) <= 1e-13);
  dtensor<double> y(1, 5, 2, 3);
  tenet::conv2x2_stride2_into(exec::par(2), xv, wv, b, y);
  CHECK(tenet::max_abs_diff(y, want) <= 1e-13);
  tensor<double, 2, 3, 8, 6> xs;
  xs.fill_random(11);
  const auto ys = tenet::conv2x2_stride2(xs, random_tensor({4, 3, 2, 2}, 12));
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(ys)>, tensor<double, 2, dyn, 4, 3>>);
}

TEST_CASE("channel_affine, layer_norm_channels, global_avg_pool: match their definitions") {
  std::mt19937 g(14);
  for (int t = 0; t < 12; ++t) {
    const ix N = 1 + static_cast<ix>(g() % 3), C = 1 + static_cast<ix>(g() % 6);
    const ix H = 1 + static_cast<ix>(g() % 5), W = 1 + static_cast<ix>(g() % 9);
    const auto seed = static_cast<std::uint64_t>(t) * 10 + 3000;
    const auto x = random_tensor({N, C, H, W}, seed + 1);
    const auto s = random_tensor({C}, seed + 2), sh = random_tensor({C}, seed + 3);
    dtensor<double> aff(N, C, H, W), ln(N, C, H, W), pool(N, C);
    for (ix n = 0; n < N; ++n)
      for (ix h = 0; h < H; ++h)
        for (ix v = 0; v < W; ++v) {
          double mu = 0, var = 0;
          for (ix c = 0; c < C; ++c) mu += x(n, c, h, v) / static_cast<double>(C);
          for (ix c = 0; c < C; ++c) var += (x(n, c, h, v) - mu) * (x(n, c, h, v) - mu) / static_cast<double>(C);
          for (ix c = 0; c < C; ++c) {
            aff(n, c, h, v) = x(n, c, h, v) * s(c) + sh(c);
            ln(n, c, h, v) = (x(n, c, h, v) - mu) / std::sqrt(var + 1e-6) * s(c) + sh(c);
            pool(n, c) += x(n, c, h, v) / static_cast<double>(H * W);
          }
        }
    INFO("N C H W = " << N << " " << C << " " << H << " " << W);
    CHECK(tenet::max_abs_diff(tenet::channel_affine(x, s, sh), aff) <= 1e-15);
    CHECK(tenet::max_abs_diff(tenet::channel_affine(exec::par(2), x, s, sh), aff) <= 1e-15);
    // C = 1 normalizes to 0 (x - mu = 0); otherwise a relative comparison.
    CHECK(tenet::max_abs_diff(tenet::layer_norm_channels(x, s, sh, 1e-6), ln) <= 1e-11);
    CHECK(tenet::max_abs_diff(tenet::layer_norm_channels(exec::par(2), x, s, sh, 1e-6), ln) <= 1e-11);
    CHECK(tenet::max_abs_diff(tenet::global_avg_pool(x), pool) <= 1e-15);
    CHECK(tenet::max_abs_diff(tenet::global_avg_pool(exec::par(2), x), pool) <= 1e-15);
    const auto xf = as<float>(x), sf = as<float>(s), shf = as<float>(sh);
    CHECK(tenet::max_abs_diff(tenet::channel_affine(xf, sf, shf), aff) <= 1e-6);
    CHECK(tenet::max_abs_diff(tenet::layer_norm_channels(xf, sf, shf, 1e-6), ln) <= 2e-4);
    CHECK(tenet::max_abs_diff(tenet::global_avg_pool(xf), pool) <= 1e-6);
    // In place.
    auto xi = dtensor<double>(x);
    tenet::channel_affine_into(exec::seq, xi, s, sh, xi);
    CHECK(tenet::max_abs_diff(xi, aff) <= 1e-15);
    auto xl = dtensor<double>(x);
    tenet::layer_norm_channels_into(exec::par(2), xl, s, sh, 1e-6, xl);
    CHECK(tenet::max_abs_diff(xl, ln) <= 1e-11);
    dtensor<double> yl(N, C, H, W);
    tenet::layer_norm_channels_into(exec::seq, x, s, sh, 1e-6, yl);
    CHECK(tenet::max_abs_diff(yl, ln) <= 1e-11);
  }
  // A strided X (W stride not 1), and results that keep static extents.
  const auto xt = random_tensor({2, 5, 7, 3}, 1);
  const auto xv = tenet::permute<0, 1, 3, 2>(xt);
  const auto xc = dtensor<double>(xv);
  const auto s = random_tensor({5}, 2), sh = random_tensor({5}, 3);
  CHECK(tenet::max_abs_diff(tenet::layer_norm_channels(xv, s, sh, 1e-6), tenet::layer_norm_channels(xc, s, sh, 1e-6)) <= 1e-15);
  auto xt2 = dtensor<double>(xt);  // in place on a view whose W stride is not 1
  tenet::layer_norm_channels_into(exec::seq, tenet::permute<0, 1, 3, 2>(xt2), s, sh, 1e-6, tenet::permute<0, 1, 3, 2>(xt2));
  CHECK(tenet::max_abs_diff(tenet::permute<0, 1, 3, 2>(xt2), tenet::layer_norm_channels(xc, s, sh, 1e-6)) <= 1e-15);
  dtensor<double> wrong(2, 5, 3, 6);
  CHECK_THROWS_AS(tenet::layer_norm_channels_into(exec::seq, xc, s, sh, 1e-6, wrong), tenet::shape_error);
  CHECK(tenet::max_abs_diff(tenet::channel_affine(xv, s, sh), tenet::channel_affine(xc, s, sh)) <= 1e-15);
  CHECK(tenet::max_abs_diff(tenet::global_avg_pool(xv), tenet::global_avg_pool(xc)) <= 1e-15);
  tensor<double, 2, 5, 3, dyn> xs(7);
  xs.fill_random(4);
  static_assert(std::is_same_v<decltype(tenet::channel_affine(xs, s, sh)), tensor<double, 2, 5, 3, dyn>>);
  static_assert(std::is_same_v<decltype(tenet::global_avg_pool(xs)), tensor<double, 2, 5>>);
  // A large plane for the eight partial sums of the pool.
  const auto big = random_tensor({1, 2, 33, 47}, 5);
  double s0 = 0;
  for (ix h = 0; h < 33; ++h)
    for (ix v = 0; v < 47; ++v) s0 += big(0, 1, h, v);
  CHECK(std::abs(tenet::global_avg_pool(as<float>(big))(0, 1) - s0 / (33 * 47)) <= 1e-7);
}

TEST_CASE("image operators: bad input throws shape_error naming both shapes") {
  const auto x = random_tensor({1, 4, 5, 6}, 1);
  auto msg = [](auto&& f) { return shape_error_message(f); };
  // conv3x3: channels that do not fit the groups, groups not dividing, a weight of the wrong shape
  std::string m = msg([&] { (void)tenet::conv3x3(x, random_tensor({4, 3, 3, 3}, 2)); });
  CHECK(contains(m, "(1, 4, 5, 6)"));
  CHECK(contains(m, "(4, 3, 3, 3)"));
  m = msg([&] { (void)tenet::conv3x3(x, random_tensor({6, 1, 3, 3}, 2), 3); });
  CHECK(contains(m, "(1, 4, 5, 6)"));
  CHECK(contains(m, "(6, 1, 3, 3)"));
  CHECK(contains(m, "divide"));
  m = msg([&] { (void)tenet::conv3x3(x, random_tensor({6, 2, 3, 3}, 2), 4); });  // 4 divides C_in, not C_out
  CHECK(contains(m, "divide"));
  m = msg([&] { (void)tenet::conv3x3(x, random_tensor({4, 4, 2, 2}, 2)); });
  CHECK(contains(m, "(1, 4, 5, 6)"));
  CHECK(contains(m, "(4, 4, 2, 2)"));
  m = msg([&] { (void)tenet::conv3x3(x, random_tensor({4, 4, 3, 3}, 2), random_tensor({3}, 3)); });
  CHECK(contains(m, "(4, 4, 3, 3)"));
  CHECK(contains(m, "(3,)"));
  m = msg([&] { (void)tenet::conv3x3(random_tensor({4, 5, 6}, 1), random_tensor({4, 4, 3, 3}, 2)); });
  CHECK(contains(m, "(4, 5, 6)"));
  CHECK(contains(m, "rank 4"));
  m = msg([&] {
    dtensor<double> y(1, 4, 5, 5);
    tenet::conv3x3_into(exec::seq, x, random_tensor({4, 4, 3, 3}, 2), random_tensor({4}, 3), 1, y);
  });
  CHECK(contains(m, "(1, 4, 5, 6)"));
  CHECK(contains(m, "(1, 4, 5, 5)"));
  // conv1x1
  m = msg([&] { (void)tenet::conv1x1(x, random_tensor({3, 5, 1, 1}, 2)); });
  CHECK(contains(m, "(1, 4, 5, 6)"));
  CHECK(contains(m, "(3, 5, 1, 1)"));
  m = msg([&] { (void)tenet::conv1x1(x, random_tensor({3, 4, 3, 3}, 2)); });
  CHECK(contains(m, "(3, 4, 3, 3)"));
  m = msg([&] { (void)tenet::conv1x1(x, random_tensor({3, 4}, 2), random_tensor({4}, 3)); });
  CHECK(contains(m, "(3, 4)"));
  CHECK(contains(m, "(4,)"));
  // conv2x2_stride2: odd H, odd W, channel mismatch, a 3x3 weight
  m = msg([&] { (void)tenet::conv2x2_stride2(random_tensor({1, 4, 5, 6}, 1), random_tensor({8, 4, 2, 2}, 2)); });
  CHECK(contains(m, "(1, 4, 5, 6)"));
  CHECK(contains(m, "(8, 4, 2, 2)"));
  CHECK(contains(m, "even"));
  m = msg([&] { (void)tenet::conv2x2_stride2(random_tensor({1, 4, 6, 7}, 1), random_tensor({8, 4, 2, 2}, 2)); });
  CHECK(contains(m, "even"));
  m = msg([&] { (void)tenet::conv2x2_stride2(random_tensor({1, 4, 6, 6}, 1), random_tensor({8, 3, 2, 2}, 2)); });
  CHECK(contains(m, "(1, 4, 6, 6)"));
  CHECK(contains(m, "(8, 3, 2, 2)"));
  m = msg([&] { (void)tenet::conv2x2_stride2(random_tensor({1, 4, 6, 6}, 1), random_tensor({8, 4, 3, 3}, 2)); });
  CHECK(contains(m, "(8, 4, 3, 3)"));
  // per-channel operators
  m = msg([&] { (void)tenet::channel_affine(x, random_tensor({3}, 2), random_tensor({4}, 3)); });
  CHECK(contains(m, "(1, 4, 5, 6)"));
  CHECK(contains(m, "(3,)"));
  m = msg([&] { (void)tenet::layer_norm_channels(x, random_tensor({4}, 2), random_tensor({4, 1}, 3), 1e-6); });
  CHECK(contains(m, "(1, 4, 5, 6)"));
  CHECK(contains(m, "(4, 1)"));
  m = msg([&] { (void)tenet::global_avg_pool(random_tensor({2, 3}, 1)); });
  CHECK(contains(m, "(2, 3)"));
  m = msg([&] { (void)tenet::global_avg_pool(dtensor<double>(1, 2, 0, 3)); });
  CHECK(contains(m, "(1, 2, 0, 3)"));
}

TEST_CASE("image operators: extents of 0 give empty results; C_in = 0 gives the bias") {
  const auto b = random_tensor({3}, 1);
  const auto y = tenet::conv3x3(dtensor<double>(1, 0, 2, 2), dtensor<double>(3, 0, 3, 3), b);
  for (ix o = 0; o < 3; ++o) CHECK(y(0, o, 1, 1) == b(o));
  const auto y1 = tenet::conv1x1(dtensor<double>(1, 0, 2, 2), dtensor<double>(3, 0), b);
  for (ix o = 0; o < 3; ++o) CHECK(y1(0, o, 0, 1) == b(o));
  CHECK(tenet::conv3x3(dtensor<double>(0, 2, 4, 4), random_tensor({2, 2, 3, 3}, 2)).size() == 0);
  CHECK(tenet::conv2x2_stride2(dtensor<double>(2, 2, 0, 4), random_tensor({2, 2, 2, 2}, 2)).size() == 0);
  CHECK(tenet::layer_norm_channels(dtensor<double>(2, 0, 3, 3), dtensor<double>(0), dtensor<double>(0), 1e-6).size() == 0);
}
