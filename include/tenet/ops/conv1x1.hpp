#pragma once
// The 1x1 convolution (PyTorch's Conv2d(C_in, C_out, 1)) on NCHW batches:
//   Y[n, o, h, w] = b[o] + sum_i W[o, i] X[n, i, h, w]
// i.e. the mode product Y = X x_1 W (modes 0-based) plus a bias per output channel. The weight
// is (C_out, C_in, 1, 1) as PyTorch stores it, or the (C_out, C_in) matrix.
//
// Lowered to one labelled contraction in the engine: for each image n one GEMM
// (C_out x C_in) * (C_in x HW) on X's slice as it lies in memory (no transposed copy). The bias
// is written into Y first and the product accumulated onto it, so Y is not read twice.
#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/exec/contract.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/ops/common.hpp"
#include "tenet/ops/nchw.hpp"

namespace tenet {

namespace detail {

/// Y[n, o, :, :] = b[o] for every n, o (any strides).
template <class T>
void fill_channels(int threads, const dtensor_view<T>& y, const std::vector<T>& b) {
  const index N = y.extent(0), C = y.extent(1), H = y.extent(2), W = y.extent(3);
  auto body = [&](index lo, index hi) {
    for (index p = lo; p < hi; ++p) {
      const index n = p / C, c = p % C;
      const T v = b[static_cast<std::size_t>(c)];
      T* yp = y.data() + n * y.stride(0) + c * y.stride(1);
      for (index h = 0; h < H; ++h) {
        T* yr = yp + h * y.stride(2);
        if (y.stride(3) == 1)
          for (index j = 0; j < W; ++j) yr[j] = v;
        else
          for (index j = 0; j < W; ++j) yr[j * y.stride(3)] = v;
      }
    }
  };
  for_planes(threads, N * C, y.size(), body);
}

/// Y = X x_1 Wm (+ b): Wm the (C_out, C_in) matrix, Y of shape (N, C_out, H, W); with `add`,
/// Y += X x_1 Wm instead (no bias).
template <class P, class T>
void conv1x1_run(P policy, const dtensor_view<const T>& x, const dtensor_view<const T>& wm,
                 const std::vector<T>* bias, const dtensor_view<T>& y, bool add = false) {
  if (y.size() == 0) return;
  if (bias) fill_channels(exec::thread_count(policy), y, *bias);
  static constexpr int lx[] = {0, 1, 2, 3}, lw[] = {4, 1}, ly[] = {0, 4, 2, 3};
  exec::contract(policy, x, std::span<const int>(lx), wm, std::span<const int>(lw), y, std::span<const int>(ly),
                 add || bias != nullptr);
}

/// Checks a 1x1 convolution; returns the output shape and sets `wm` to the weight as a
/// (C_out, C_in) matrix (a view of it, whatever its strides).
template <class T>
std::array<index, 4> conv1x1_shape(const dtensor_view<const T>& x, const dtensor_view<const T>& w,
                                   const dtensor_view<const T>* b, std::string& what, dtensor_view<const T>& wm) {
  what = "tenet::conv1x1: X of shape " + shape_string(x.extents()) + ", weight of shape " +
         shape_string(w.extents()) + ", bias of shape " + optional_shape(b);
  const nchw_dims d = image_dims(x, what);
  if (!(w.rank() == 2 || (w.rank() == 4 && w.extent(2) == 1 && w.extent(3) == 1)))
    throw shape_error(what + ": the weight must be of shape (C_out, C_in, 1, 1) or (C_out, C_in)");
  if (w.extent(1) != d.c)
    throw shape_error(what + ": the weight's input channels " + std::to_string(w.extent(1)) + " differ from X's " +
                      std::to_string(d.c));
  wm = dtensor_view<const T>(w.data(), dyn_extents{w.extent(0), w.extent(1)}, std::vector<index>{w.stride(0), w.stride(1)});
  return {d.n, w.extent(0), d.h, d.w};
}

template <class P, class T, class X, class Wt, class B>
auto conv1x1_impl(P policy, const X& x, const Wt& w, const B* b) {
  using S = static_conv<1, X, Wt, std::conditional_t<std::is_void_v<B>, no_operand, B>>;
  using R = typename S::result;
  if constexpr (S::ok) {
    const auto xv = dview(x);
    const auto wv = dview(w);
    std::optional<dtensor_view<const T>> bv;
    if constexpr (!std::is_void_v<B>) bv.emplace(dview(*b));
    std::string what;
    dtensor_view<const T> wm;
    const auto ext = conv1x1_shape(xv, wv, bv ? &*bv : nullptr, what, wm);
    std::vector<T> bias;
    if (bv) bias = channel_values(*bv, ext[1], what, "bias");
    R out = make_result<R>(std::span<const index>(ext), for_overwrite);  // the kernels write every element
    conv1x1_run(policy, xv, wm, bv ? &bias : nullptr, dtensor_view<T>(out.view()));
    return out;
  } else {
    return R{};
  }
}

}  // namespace detail

/// 1x1 convolution with a bias of shape (C_out,). X: (N, C_in, H, W); weight: (C_out, C_in, 1, 1)
/// or (C_out, C_in). Returns Y: (N, C_out, H, W).
template <class P, tensor_like X, tensor_like Wt, tensor_like B>
  requires execution_policy<P>
auto conv1x1(P policy, const X& x, const Wt& w, const B& bias) {
  return detail::conv1x1_impl<P, value_type_of_t<X>>(policy, x, w, &bias);
}
/// The same without a bias: exactly mode_product(X, W, 1).
template <class P, tensor_like X, tensor_like Wt>
  requires execution_policy<P>
auto conv1x1(P policy, const X& x, const Wt& w) {
  return detail::conv1x1_impl<P, value_type_of_t<X>, X, Wt, void>(policy, x, w, nullptr);
}
template <tensor_like X, tensor_like Wt, tensor_like B>
auto conv1x1(const X& x, const Wt& w, const B& bias) {
  return conv1x1(exec::seq, x, w, bias);
}
template <tensor_like X, tensor_like Wt>
auto conv1x1(const X& x, const Wt& w) {
  return conv1x1(exec::seq, x, w);
}

/// The same with a bias, into an existing tensor or view Y of shape (N, C_out, H, W) (no
/// allocation). Y must not overlap X.
template <class P, tensor_like X, tensor_like Wt, tensor_like B, tensor_like Y>
  requires execution_policy<P>
void conv1x1_into(P policy, const X& x, const Wt& w, const B& bias, Y&& y) {
  using T = value_type_of_t<X>;
  using S = detail::static_conv<1, X, Wt, B>;
  static_assert(std::is_same_v<T, value_type_of_t<Y>>, "tenet::conv1x1_into: X and Y must share one element type");
  if constexpr (S::ok && std::is_same_v<T, value_type_of_t<Y>>) {
    const auto xv = detail::dview(x);
    const auto wv = detail::dview(w);
    const auto bv = detail::dview(bias);
    std::string what;
    dtensor_view<const T> wm;
    const auto ext = detail::conv1x1_shape(xv, wv, &bv, what, wm);
    const std::vector<T> b = detail::channel_values(bv, ext[1], what, "bias");
    const dtensor_view<T> yv(as_view(y));
    detail::check_into_shape(yv, std::span<const index>(ext), what);
    detail::conv1x1_run(policy, xv, wm, &b, yv);
  }
}

}  // namespace tenet
