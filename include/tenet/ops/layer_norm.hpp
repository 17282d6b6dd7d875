#pragma once
// LayerNorm over the channels of NCHW batches, per pixel (PyTorch's LayerNorm(C) applied to
// the channel vector X[n, :, h, w]; ConvNeXt's "channels_first" LayerNorm), the DTTN-dagger
// block's n:
//   mu = mean_c X[n, c, h, w],  var = mean_c (X[n, c, h, w] - mu)^2   (biased, as PyTorch)
//   Y[n, c, h, w] = (X[n, c, h, w] - mu) / sqrt(var + eps) * weight[c] + bias[c]
// Two passes for the moments (the one-pass E[x^2] - mu^2 cancels catastrophically in float),
// each vectorized across a row of pixels; threads split the (n, h) rows.
#include <cmath>
#include <cstddef>
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

template <class X, class G, class B>
constexpr bool static_layer_norm_ok() {
  using T = value_type_of_t<X>;
  static_assert(std::is_same_v<T, value_type_of_t<G>> && std::is_same_v<T, value_type_of_t<B>>,
                "tenet::layer_norm_channels: X, weight and bias must share one element type");
  static_assert(std::is_floating_point_v<T>, "tenet::layer_norm_channels: the element type must be float or double");
  if constexpr (!image_rank_ok<X>()) {
    return false;
  } else {
    constexpr bool g = channel_vector_ok<G>(static_extent_of<X>(1)), b = channel_vector_ok<B>(static_extent_of<X>(1));
    static_assert(g && b, "tenet::layer_norm_channels: the length of weight or bias differs from X's channels (mode 1)");
    return g && b && std::is_same_v<T, value_type_of_t<G>> && std::is_same_v<T, value_type_of_t<B>>;
  }
}

template <class P, class T>
void layer_norm_channels_run(P policy, const dtensor_view<const T>& x_in, const std::vector<T>& g,
                             const std::vector<T>& b, T eps, const dtensor_view<T>& y_out) {
  const index N = x_in.extent(0), C = x_in.extent(1), H = x_in.extent(2), W = x_in.extent(3);
  if (y_out.size() == 0) return;
  const unit_w_input<T> xin(policy, x_in);
  const unit_w_output<T> yout(y_out);
  const dtensor_view<const T>& x = xin.view();
  const dtensor_view<T>& y = yout.view();
  const T inv_c = T(1) / static_cast<T>(C);
  auto body = [&](index lo, index hi) {
    std::vector<T> mean_buf(static_cast<std::size_t>(W)), rstd_buf(static_cast<std::size_t>(W));
    T* __restrict mean = mean_buf.data();
    T* __restrict rstd = rstd_buf.data();
    for (index p = lo; p < hi; ++p) {
      const index n = p / H, h = p % H;
      const T* xr = x.data() + n * x.stride(0) + h * x.stride(2);
      T* yr = y.data() + n * y.stride(0) + h * y.stride(2);
      for (index j = 0; j < W; ++j) mean[j] = T(0), rstd[j] = T(0);
      for (index c = 0; c < C; ++c) {
        const T* __restrict xc = xr + c * x.stride(1);
        for (index j = 0; j < W; ++j) mean[j] += xc[j];
      }
      for (index j = 0; j < W; ++j) mean[j] *= inv_c;
      for (index c = 0; c < C; ++c) {
        const T* __restrict xc = xr + c * x.stride(1);
        for (index j = 0; j < W; ++j) {
          const T d = xc[j] - mean[j];
          rstd[j] += d * d;
        }
      }
      for (index j = 0; j < W; ++j) rstd[j] = T(1) / std::sqrt(rstd[j] * inv_c + eps);
      for (index c = 0; c < C; ++c) {
        const T* xc = xr + c * x.stride(1);  // no restrict: y may be x (in place)
        T* yc = yr + c * y.stride(1);
        const T gc = g[static_cast<std::size_t>(c)], bc = b[static_cast<std::size_t>(c)];
        for (index j = 0; j < W; ++j) yc[j] = (xc[j] - mean[j]) * rstd[j] * gc + bc;
      }
    }
  };
  for_planes(exec::thread_count(policy), N * H, x.size(), body);
  yout.finish(policy);
}

template <class T>
struct layer_norm_params {
  std::vector<T> g, b;
  std::string what;  // the context of every error message
};

/// Checks X (N, C, H, W), weight and bias (C,); returns them as contiguous vectors.
template <class T>
layer_norm_params<T> layer_norm_check(const char* name, const dtensor_view<const T>& x, const dtensor_view<const T>& g,
                                      const dtensor_view<const T>& b) {
  layer_norm_params<T> p;
  p.what = std::string(name) + ": X of shape " + shape_string(x.extents()) + ", weight of shape " +
           shape_string(g.extents()) + ", bias of shape " + shape_string(b.extents());
  const nchw_dims d = image_dims(x, p.what);
  p.g = channel_values(g, d.c, p.what, "weight");
  p.b = channel_values(b, d.c, p.what, "bias");
  return p;
}

}  // namespace detail

/// LayerNorm over the channels of every pixel, with a per-channel weight and bias of shape (C,)
/// and `eps` added to the variance (DTTN-dagger uses 1e-6). X: (N, C, H, W); the result has
/// X's shape (and X's static extents).
template <class P, tensor_like X, tensor_like G, tensor_like B>
  requires execution_policy<P>
auto layer_norm_channels(P policy, const X& x, const G& weight, const B& bias, double eps) {
  using T = value_type_of_t<X>;
  using R = std::conditional_t<detail::has_static_rank<X>, basic_tensor<T, detail::extents_of_t<X>>, dtensor<T>>;
  if constexpr (detail::static_layer_norm_ok<X, G, B>()) {
    const auto xv = detail::dview(x);
    const auto p = detail::layer_norm_check("tenet::layer_norm_channels", xv, detail::dview(weight), detail::dview(bias));
    R out = detail::make_result<R>(xv.extents().as_span(), for_overwrite);
    detail::layer_norm_channels_run(policy, xv, p.g, p.b, static_cast<T>(eps), dtensor_view<T>(out.view()));
    return out;
  } else {
    return R{};
  }
}
template <tensor_like X, tensor_like G, tensor_like B>
auto layer_norm_channels(const X& x, const G& weight, const B& bias, double eps) {
  return layer_norm_channels(exec::seq, x, weight, bias, eps);
}

/// The same into an existing tensor or view Y of X's shape; Y may be X itself (each pixel's
/// channels are read before they are written), but must not overlap X otherwise.
template <class P, tensor_like X, tensor_like G, tensor_like B, tensor_like Y>
  requires execution_policy<P>
void layer_norm_channels_into(P policy, const X& x, const G& weight, const B& bias, double eps, Y&& y) {
  using T = value_type_of_t<X>;
  static_assert(std::is_same_v<T, value_type_of_t<Y>>, "tenet::layer_norm_channels_into: X and Y must share one element type");
  if constexpr (detail::static_layer_norm_ok<X, G, B>() && std::is_same_v<T, value_type_of_t<Y>>) {
    const auto xv = detail::dview(x);
    const auto p =
        detail::layer_norm_check("tenet::layer_norm_channels_into", xv, detail::dview(weight), detail::dview(bias));
    const dtensor_view<T> yv(as_view(y));
    detail::check_into_shape(yv, xv.extents().as_span(), p.what);
    detail::layer_norm_channels_run(policy, xv, p.g, p.b, static_cast<T>(eps), yv);
  }
}

}  // namespace tenet
