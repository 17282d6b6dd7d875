#pragma once
// The 3x3 grouped convolution with padding 1 and stride 1 (PyTorch's Conv2d(C_in, C_out, 3,
// padding=1, groups=g)), on NCHW batches:
//   Y[n, o, h, w] = b[o] + sum_{i < C_in/g} sum_{kh, kw < 3} W[o, i, kh, kw] X[n, G(o) + i, h + kh - 1, w + kw - 1]
// with G(o) = (o / (C_out/g)) * (C_in/g) the first input channel of o's group and X zero
// outside the image. groups = C_in gives the DTTN block's L1 (output channel o reads input
// channel floor(o C_in / C_out)); groups = C_in = C_out is the depthwise R2.
//
// A direct kernel (im2col would copy X nine times over for what is, in the DTTN blocks, one
// input channel per output channel): nine taps per pixel, over the three input rows around it.
// The first and last rows read a row of zeros in place of the missing one; the rows between
// run as one flat loop over the plane (W-contiguous rows one after another), whose first and
// last columns are recomputed after it. No bounds checks in the loop: it vectorizes, and
// runs the whole plane rather than W pixels at a time. Threads split the (n, o) planes.
#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/ops/common.hpp"
#include "tenet/ops/nchw.hpp"

namespace tenet {

namespace detail {

/// One output row of one input channel: o = (Init ? b : o) + the nine taps k over the input
/// rows r0, r1, r2 (above, at, below; a zero row outside the image). W >= 1.
template <bool Init, class T>
void conv3x3_row(T* __restrict o, const T* __restrict r0, const T* __restrict r1, const T* __restrict r2,
                 const T* k, T b, index W) {
  const T k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5], k6 = k[6], k7 = k[7], k8 = k[8];
  if (W == 1) {
    o[0] = (Init ? b : o[0]) + k1 * r0[0] + k4 * r1[0] + k7 * r2[0];
    return;
  }
  o[0] = (Init ? b : o[0]) + k1 * r0[0] + k2 * r0[1] + k4 * r1[0] + k5 * r1[1] + k7 * r2[0] + k8 * r2[1];
  for (index j = 1; j < W - 1; ++j)
    o[j] = (Init ? b : o[j]) + k0 * r0[j - 1] + k1 * r0[j] + k2 * r0[j + 1] + k3 * r1[j - 1] + k4 * r1[j] +
           k5 * r1[j + 1] + k6 * r2[j - 1] + k7 * r2[j] + k8 * r2[j + 1];
  const index e = W - 1;
  o[e] = (Init ? b : o[e]) + k0 * r0[e - 1] + k1 * r0[e] + k3 * r1[e - 1] + k4 * r1[e] + k6 * r2[e - 1] + k7 * r2[e];
}

/// Rows [h0, h1) of one output plane of one input channel, 1 <= h0 <= h1 <= H - 1 (both
/// neighbour rows inside the image), when X's and Y's planes have contiguous rows of W >= 2:
/// one flat loop over the pixels as if the rows were one long row (the first and last column
/// then read their neighbours across the row ends), after which those two columns are
/// recomputed. `edge` holds 2 (h1 - h0) values. The sums are grouped by input row, which
/// shortens the dependency chain.
template <bool Init, class T>
void conv3x3_flat(T* __restrict o, const T* __restrict x, index W, index h0, index h1, const T* k, T b,
                  T* __restrict edge) {
  const T k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5], k6 = k[6], k7 = k[7], k8 = k[8];
  if constexpr (!Init)
    for (index h = h0; h < h1; ++h) edge[2 * (h - h0)] = o[h * W], edge[2 * (h - h0) + 1] = o[h * W + W - 1];
  const T* __restrict u = x - W;  // the row above
  const T* __restrict d = x + W;  // the row below
  for (index q = h0 * W + 1; q < h1 * W - 1; ++q)
    o[q] = (Init ? b : o[q]) + ((k0 * u[q - 1] + k1 * u[q] + k2 * u[q + 1]) + (k3 * x[q - 1] + k4 * x[q] + k5 * x[q + 1]) +
                                (k6 * d[q - 1] + k7 * d[q] + k8 * d[q + 1]));
  for (index h = h0; h < h1; ++h) {
    const index l = h * W, r = l + W - 1;
    o[l] = (Init ? b : edge[2 * (h - h0)]) + k1 * u[l] + k2 * u[l + 1] + k4 * x[l] + k5 * x[l + 1] + k7 * d[l] + k8 * d[l + 1];
    o[r] = (Init ? b : edge[2 * (h - h0) + 1]) + k0 * u[r - 1] + k1 * u[r] + k3 * x[r - 1] + k4 * x[r] + k6 * d[r - 1] +
           k7 * d[r];
  }
}

/// Checks a 3x3 grouped convolution and returns the output shape.
template <class T>
std::array<index, 4> conv3x3_shape(const dtensor_view<const T>& x, const dtensor_view<const T>& w,
                                   const dtensor_view<const T>* b, index groups, std::string& what) {
  what = "tenet::conv3x3: X of shape " + shape_string(x.extents()) + ", weight of shape " +
         shape_string(w.extents()) + ", bias of shape " + optional_shape(b) + ", groups " + std::to_string(groups);
  const nchw_dims d = image_dims(x, what);
  if (w.rank() != 4 || w.extent(2) != 3 || w.extent(3) != 3)
    throw shape_error(what + ": the weight must be of shape (C_out, C_in / groups, 3, 3)");
  if (groups < 1 || d.c % groups != 0 || w.extent(0) % groups != 0)
    throw shape_error(what + ": groups must be >= 1 and divide both C_in = " + std::to_string(d.c) +
                      " and C_out = " + std::to_string(w.extent(0)));
  if (w.extent(1) * groups != d.c)
    throw shape_error(what + ": the weight's mode 1 must be C_in / groups = " + std::to_string(d.c / groups));
  return {d.n, w.extent(0), d.h, d.w};
}

/// Y = conv3x3(X, W) (+ b) into Y of the checked shape.
template <class P, class T>
void conv3x3_run(P policy, const dtensor_view<const T>& x_in, const dtensor_view<const T>& w,
                 const std::vector<T>* bias, index groups, const dtensor_view<T>& y_out) {
  const index N = x_in.extent(0), C = x_in.extent(1), H = x_in.extent(2), W = x_in.extent(3);
  const index Co = w.extent(0), cin_g = C / groups, cout_g = Co / groups;
  if (y_out.size() == 0) return;
  const unit_w_input<T> xin(policy, x_in);
  const unit_w_output<T> yout(y_out);
  const dtensor_view<const T>& x = xin.view();
  const dtensor_view<T>& y = yout.view();
  // The taps, contiguous: k[((o * cin_g) + i) * 9 + kh * 3 + kw].
  std::vector<T> k(static_cast<std::size_t>(Co * cin_g * 9));
  for (index o = 0, q = 0; o < Co; ++o)
    for (index i = 0; i < cin_g; ++i)
      for (index kh = 0; kh < 3; ++kh)
        for (index kw = 0; kw < 3; ++kw, ++q)
          k[static_cast<std::size_t>(q)] = w.data()[o * w.stride(0) + i * w.stride(1) + kh * w.stride(2) + kw * w.stride(3)];
  const index xs0 = x.stride(0), xs1 = x.stride(1), xs2 = x.stride(2);
  const index ys0 = y.stride(0), ys1 = y.stride(1), ys2 = y.stride(2);
  // Planes with contiguous rows (the usual case) run the interior rows as one flat loop.
  const bool flat = H >= 3 && W >= 2 && xs2 == W && ys2 == W;
  auto body = [&](index lo, index hi) {
    const std::vector<T> zeros(static_cast<std::size_t>(W), T(0));
    std::vector<T> edge(static_cast<std::size_t>(2 * H));
    for (index p = lo; p < hi; ++p) {
      const index n = p / Co, o = p % Co;
      const T b = bias ? (*bias)[static_cast<std::size_t>(o)] : T(0);
      const T* x0 = x.data() + n * xs0 + (o / cout_g) * cin_g * xs1;  // first input channel of o's group
      T* y0 = y.data() + n * ys0 + o * ys1;
      const T* ko = k.data() + o * cin_g * 9;
      if (C == 0 || cin_g == 0) {  // an empty sum: the bias alone
        for (index h = 0; h < H; ++h)
          for (index j = 0; j < W; ++j) y0[h * ys2 + j] = b;
        continue;
      }
      // Input row r of channel xc, or the zero row outside the image.
      auto row = [&](const T* xc, index r) { return r >= 0 && r < H ? xc + r * xs2 : zeros.data(); };
      auto one_row = [&](index h) {
        T* yr = y0 + h * ys2;
        for (index i = 0; i < cin_g; ++i) {
          const T* xc = x0 + i * xs1;
          if (i == 0)
            conv3x3_row<true>(yr, row(xc, h - 1), row(xc, h), row(xc, h + 1), ko, b, W);
          else
            conv3x3_row<false>(yr, row(xc, h - 1), row(xc, h), row(xc, h + 1), ko + i * 9, b, W);
        }
      };
      if (flat) {  // the top and bottom rows by rows, the rest as one flat loop per channel
        one_row(0);
        for (index i = 0; i < cin_g; ++i) {
          const T* xc = x0 + i * xs1;
          if (i == 0)
            conv3x3_flat<true>(y0, xc, W, 1, H - 1, ko, b, edge.data());
          else
            conv3x3_flat<false>(y0, xc, W, 1, H - 1, ko + i * 9, b, edge.data());
        }
        one_row(H - 1);
      } else {
        for (index h = 0; h < H; ++h) one_row(h);
      }
    }
  };
  for_planes(exec::thread_count(policy), N * Co, N * Co * H * W * (cin_g + 1), body);
  yout.finish(policy);
}

template <class P, class T, class X, class Wt, class B>
auto conv3x3_impl(P policy, const X& x, const Wt& w, const B* b, index groups) {
  using S = static_conv<3, X, Wt, std::conditional_t<std::is_void_v<B>, no_operand, B>>;
  using R = typename S::result;
  if constexpr (S::ok) {
    const auto xv = dview(x);
    const auto wv = dview(w);
    std::optional<dtensor_view<const T>> bv;
    if constexpr (!std::is_void_v<B>) bv.emplace(dview(*b));
    std::string what;
    const auto ext = conv3x3_shape(xv, wv, bv ? &*bv : nullptr, groups, what);
    std::vector<T> bias;
    if (bv) bias = channel_values(*bv, ext[1], what, "bias");
    R out = make_result<R>(std::span<const index>(ext), for_overwrite);  // the kernels write every element
    conv3x3_run(policy, xv, wv, bv ? &bias : nullptr, groups, dtensor_view<T>(out.view()));
    return out;
  } else {
    return R{};
  }
}

}  // namespace detail

/// 3x3 convolution, padding 1, stride 1, `groups` groups (dividing C_in and C_out), with a
/// bias of shape (C_out,). X: (N, C_in, H, W); weight: (C_out, C_in / groups, 3, 3) as PyTorch
/// stores it. Returns Y: (N, C_out, H, W).
template <class P, tensor_like X, tensor_like Wt, tensor_like B>
  requires execution_policy<P>
auto conv3x3(P policy, const X& x, const Wt& w, const B& bias, index groups = 1) {
  return detail::conv3x3_impl<P, value_type_of_t<X>>(policy, x, w, &bias, groups);
}
/// The same without a bias.
template <class P, tensor_like X, tensor_like Wt>
  requires execution_policy<P>
auto conv3x3(P policy, const X& x, const Wt& w, index groups = 1) {
  return detail::conv3x3_impl<P, value_type_of_t<X>, X, Wt, void>(policy, x, w, nullptr, groups);
}
template <tensor_like X, tensor_like Wt, tensor_like B>
auto conv3x3(const X& x, const Wt& w, const B& bias, index groups = 1) {
  return conv3x3(exec::seq, x, w, bias, groups);
}
template <tensor_like X, tensor_like Wt>
auto conv3x3(const X& x, const Wt& w, index groups = 1) {
  return conv3x3(exec::seq, x, w, groups);
}

/// The same with a bias, into an existing tensor or view Y of shape (N, C_out, H, W): no
/// allocation (a strided Y whose W stride is not 1 goes through a temporary). Y must not
/// overlap X.
template <class P, tensor_like X, tensor_like Wt, tensor_like B, tensor_like Y>
  requires execution_policy<P>
void conv3x3_into(P policy, const X& x, const Wt& w, const B& bias, index groups, Y&& y) {
  using T = value_type_of_t<X>;
  using S = detail::static_conv<3, X, Wt, B>;
  static_assert(std::is_same_v<T, value_type_of_t<Y>>, "tenet::conv3x3_into: X and Y must share one element type");
  if constexpr (S::ok && std::is_same_v<T, value_type_of_t<Y>>) {
    const auto xv = detail::dview(x);
    const auto wv = detail::dview(w);
    const auto bv = detail::dview(bias);
    std::string what;
    const auto ext = detail::conv3x3_shape(xv, wv, &bv, groups, what);
    const std::vector<T> b = detail::channel_values(bv, ext[1], what, "bias");
    const dtensor_view<T> yv(as_view(y));
    detail::check_into_shape(yv, std::span<const index>(ext), what);
    detail::conv3x3_run(policy, xv, wv, &b, groups, yv);
  }
}

}  // namespace tenet
