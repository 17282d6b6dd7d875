#pragma once
// The 2x2 convolution with stride 2 and no padding (PyTorch's Conv2d(C_in, C_out, 2, stride=2)):
// the DTTN stem and downsampling layers. On NCHW batches with H and W even:
//   Y[n, o, i, j] = b[o] + sum_c sum_{kh, kw < 2} W[o, c, kh, kw] X[n, c, 2i + kh, 2j + kw]
// Lowered to a patchify (space-to-depth: P[n, 4c + 2kh + kw, i, j] = X[n, c, 2i + kh, 2j + kw],
// one pass over X) and the 1x1 convolution of P with the weight seen as the
// (C_out, 4 C_in) matrix, which is one GEMM per image.
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
#include "tenet/ops/conv1x1.hpp"
#include "tenet/ops/nchw.hpp"

namespace tenet {

namespace detail {

/// P[n, 4c + 2kh + kw, i, j] = X[n, c, 2i + kh, 2j + kw] into a new contiguous tensor.
template <class T>
dtensor<T> space_to_depth2(int threads, const dtensor_view<const T>& x) {
  const index N = x.extent(0), C = x.extent(1), Ho = x.extent(2) / 2, Wo = x.extent(3) / 2;
  dtensor<T> p(for_overwrite, dyn_extents{N, 4 * C, Ho, Wo});
  const index xs3 = x.stride(3);
  auto body = [&](index lo, index hi) {
    for (index q = lo; q < hi; ++q) {
      const index n = q / C, c = q % C;
      const T* xc = x.data() + n * x.stride(0) + c * x.stride(1);
      T* pc = p.data() + (n * 4 * C + 4 * c) * Ho * Wo;
      for (index kh = 0; kh < 2; ++kh)
        for (index i = 0; i < Ho; ++i) {
          const T* xr = xc + (2 * i + kh) * x.stride(2);
          T* __restrict p0 = pc + (2 * kh) * Ho * Wo + i * Wo;  // kw = 0
          T* __restrict p1 = p0 + Ho * Wo;                       // kw = 1
          for (index j = 0; j < Wo; ++j) {
            p0[j] = xr[2 * j * xs3];
            p1[j] = xr[(2 * j + 1) * xs3];
          }
        }
    }
  };
  for_planes(threads, N * C, p.size(), body);
  return p;
}

/// Checks a 2x2 stride-2 convolution and returns the output shape.
template <class T>
std::array<index, 4> conv2x2_stride2_shape(const dtensor_view<const T>& x, const dtensor_view<const T>& w,
                                           const dtensor_view<const T>* b, std::string& what) {
  what = "tenet::conv2x2_stride2: X of shape " + shape_string(x.extents()) + ", weight of shape " +
         shape_string(w.extents()) + ", bias of shape " + optional_shape(b);
  const nchw_dims d = image_dims(x, what);
  if (w.rank() != 4 || w.extent(2) != 2 || w.extent(3) != 2)
    throw shape_error(what + ": the weight must be of shape (C_out, C_in, 2, 2)");
  if (w.extent(1) != d.c)
    throw shape_error(what + ": the weight's input channels " + std::to_string(w.extent(1)) + " differ from X's " +
                      std::to_string(d.c));
  if (d.h % 2 != 0 || d.w % 2 != 0) throw shape_error(what + ": X's height and width must be even");
  return {d.n, w.extent(0), d.h / 2, d.w / 2};
}

template <class P, class T>
void conv2x2_stride2_run(P policy, const dtensor_view<const T>& x, const dtensor_view<const T>& w,
                         const std::vector<T>* bias, const dtensor_view<T>& y) {
  if (y.size() == 0) return;
  const dtensor<T> p = space_to_depth2(exec::thread_count(policy), x);
  // The weight as a (C_out, 4 C_in) matrix: a view when modes 1-3 are row-major, else a copy.
  const index Co = w.extent(0), K = 4 * w.extent(1);
  std::optional<dtensor<T>> wc;
  dtensor_view<const T> wm;
  if (w.stride(2) == 2 * w.stride(3) && w.stride(1) == 2 * w.stride(2)) {
    wm = dtensor_view<const T>(w.data(), dyn_extents{Co, K}, std::vector<index>{w.stride(0), w.stride(3)});
  } else {
    wc.emplace(w);
    wm = dtensor_view<const T>(wc->data(), dyn_extents{Co, K});
  }
  conv1x1_run(policy, dtensor_view<const T>(p.view()), wm, bias, y);
}

template <class P, class T, class X, class Wt, class B>
auto conv2x2_stride2_impl(P policy, const X& x, const Wt& w, const B* b) {
  using S = static_conv<2, X, Wt, std::conditional_t<std::is_void_v<B>, no_operand, B>>;
  using R = typename S::result;
  if constexpr (S::ok) {
    const auto xv = dview(x);
    const auto wv = dview(w);
    std::optional<dtensor_view<const T>> bv;
    if constexpr (!std::is_void_v<B>) bv.emplace(dview(*b));
    std::string what;
    const auto ext = conv2x2_stride2_shape(xv, wv, bv ? &*bv : nullptr, what);
    std::vector<T> bias;
    if (bv) bias = channel_values(*bv, ext[1], what, "bias");
    R out = make_result<R>(std::span<const index>(ext), for_overwrite);  // the kernels write every element
    conv2x2_stride2_run(policy, xv, wv, bv ? &bias : nullptr, dtensor_view<T>(out.view()));
    return out;
  } else {
    return R{};
  }
}

}  // namespace detail

/// 2x2 convolution, stride 2, with a bias of shape (C_out,). X: (N, C_in, H, W), H and W even;
/// weight: (C_out, C_in, 2, 2). Returns Y: (N, C_out, H / 2, W / 2).
template <class P, tensor_like X, tensor_like Wt, tensor_like B>
  requires execution_policy<P>
auto conv2x2_stride2(P policy, const X& x, const Wt& w, const B& bias) {
  return detail::conv2x2_stride2_impl<P, value_type_of_t<X>>(policy, x, w, &bias);
}
/// The same without a bias.
template <class P, tensor_like X, tensor_like Wt>
  requires execution_policy<P>
auto conv2x2_stride2(P policy, const X& x, const Wt& w) {
  return detail::conv2x2_stride2_impl<P, value_type_of_t<X>, X, Wt, void>(policy, x, w, nullptr);
}
template <tensor_like X, tensor_like Wt, tensor_like B>
auto conv2x2_stride2(const X& x, const Wt& w, const B& bias) {
  return conv2x2_stride2(exec::seq, x, w, bias);
}
template <tensor_like X, tensor_like Wt>
auto conv2x2_stride2(const X& x, const Wt& w) {
  return conv2x2_stride2(exec::seq, x, w);
}

/// The same with a bias, into an existing tensor or view Y of shape (N, C_out, H / 2, W / 2).
/// Y must not overlap X.
template <class P, tensor_like X, tensor_like Wt, tensor_like B, tensor_like Y>
  requires execution_policy<P>
void conv2x2_stride2_into(P policy, const X& x, const Wt& w, const B& bias, Y&& y) {
  using T = value_type_of_t<X>;
  using S = detail::static_conv<2, X, Wt, B>;
  static_assert(std::is_same_v<T, value_type_of_t<Y>>, "tenet::conv2x2_stride2_into: X and Y must share one element type");
  if constexpr (S::ok && std::is_same_v<T, value_type_of_t<Y>>) {
    const auto xv = detail::dview(x);
    const auto wv = detail::dview(w);
    const auto bv = detail::dview(bias);
    std::string what;
    const auto ext = detail::conv2x2_stride2_shape(xv, wv, &bv, what);
    const std::vector<T> b = detail::channel_values(bv, ext[1], what, "bias");
    const dtensor_view<T> yv(as_view(y));
    detail::check_into_shape(yv, std::span<const index>(ext), what);
    detail::conv2x2_stride2_run(policy, xv, wv, &b, yv);
  }
}

}  // namespace tenet
