#pragma once
// A per-channel affine map on NCHW batches: Y[n, c, h, w] = X[n, c, h, w] * scale[c] + shift[c].
// It is batch norm in inference form (scale = gamma / sqrt(var + eps),
// shift = beta - mean * scale), the DTTN block's N1, N2 and N3. Memory bound: one pass, the
// inner loop over contiguous pixels.
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

template <class X, class S, class B>
constexpr bool static_channel_affine_ok() {
  using T = value_type_of_t<X>;
  static_assert(std::is_same_v<T, value_type_of_t<S>> && std::is_same_v<T, value_type_of_t<B>>,
                "tenet::channel_affine: X, scale and shift must share one element type");
  if constexpr (!image_rank_ok<X>()) {
    return false;
  } else {
    constexpr bool s = channel_vector_ok<S>(static_extent_of<X>(1)), b = channel_vector_ok<B>(static_extent_of<X>(1));
    static_assert(s && b, "tenet::channel_affine: the length of scale or shift differs from X's channels (mode 1)");
    return s && b && std::is_same_v<T, value_type_of_t<S>> && std::is_same_v<T, value_type_of_t<B>>;
  }
}

/// Checks the operands; returns scale and shift as contiguous vectors.
template <class T>
std::pair<std::vector<T>, std::vector<T>> channel_affine_check(const dtensor_view<const T>& x,
                                                               const dtensor_view<const T>& s,
                                                               const dtensor_view<const T>& b) {
  const std::string what = "tenet::channel_affine: X of shape " + shape_string(x.extents()) + ", scale of shape " +
                           shape_string(s.extents()) + ", shift of shape " + shape_string(b.extents());
  const nchw_dims d = image_dims(x, what);
  return {channel_values(s, d.c, what, "scale"), channel_values(b, d.c, what, "shift")};
}

/// Y = X * scale[c] + shift[c]; Y may be X itself (elementwise, so in place is safe).
template <class T>
void channel_affine_run(int threads, const dtensor_view<const T>& x, const std::vector<T>& s, const std::vector<T>& b,
                        const dtensor_view<T>& y) {
  const index N = x.extent(0), C = x.extent(1), H = x.extent(2), W = x.extent(3);
  const bool unit = (W <= 1 || (x.stride(3) == 1 && y.stride(3) == 1));
  auto body = [&](index lo, index hi) {
    for (index p = lo; p < hi; ++p) {
      const index n = p / C, c = p % C;
      const T sc = s[static_cast<std::size_t>(c)], sh = b[static_cast<std::size_t>(c)];
      const T* xp = x.data() + n * x.stride(0) + c * x.stride(1);
      T* yp = y.data() + n * y.stride(0) + c * y.stride(1);
      for (index h = 0; h < H; ++h) {
        const T* xr = xp + h * x.stride(2);
        T* yr = yp + h * y.stride(2);
        if (unit)
          for (index j = 0; j < W; ++j) yr[j] = xr[j] * sc + sh;
        else
          for (index j = 0; j < W; ++j) yr[j * y.stride(3)] = xr[j * x.stride(3)] * sc + sh;
      }
    }
  };
  for_planes(threads, N * C, x.size(), body);
}

}  // namespace detail

/// Y[n, c, h, w] = X[n, c, h, w] * scale[c] + shift[c]; X: (N, C, H, W), scale and shift: (C,).
/// The result has X's shape (and X's static extents).
template <class P, tensor_like X, tensor_like S, tensor_like B>
  requires execution_policy<P>
auto channel_affine(P policy, const X& x, const S& scale, const B& shift) {
  using T = value_type_of_t<X>;
  using R = std::conditional_t<detail::has_static_rank<X>, basic_tensor<T, detail::extents_of_t<X>>, dtensor<T>>;
  if constexpr (detail::static_channel_affine_ok<X, S, B>()) {
    const auto xv = detail::dview(x);
    const auto [s, b] = detail::channel_affine_check(xv, detail::dview(scale), detail::dview(shift));
    R out = detail::make_result<R>(xv.extents().as_span(), for_overwrite);
    detail::channel_affine_run(exec::thread_count(policy), xv, s, b, dtensor_view<T>(out.view()));
    return out;
  } else {
    return R{};
  }
}
template <tensor_like X, tensor_like S, tensor_like B>
auto channel_affine(const X& x, const S& scale, const B& shift) {
  return channel_affine(exec::seq, x, scale, shift);
}

/// The same into an existing tensor or view Y of X's shape; Y may be X itself (in place), but
/// must not overlap X otherwise.
template <class P, tensor_like X, tensor_like S, tensor_like B, tensor_like Y>
  requires execution_policy<P>
void channel_affine_into(P policy, const X& x, const S& scale, const B& shift, Y&& y) {
  using T = value_type_of_t<X>;
  static_assert(std::is_same_v<T, value_type_of_t<Y>>, "tenet::channel_affine_into: X and Y must share one element type");
  if constexpr (detail::static_channel_affine_ok<X, S, B>() && std::is_same_v<T, value_type_of_t<Y>>) {
    const auto xv = detail::dview(x);
    const auto [s, b] = detail::channel_affine_check(xv, detail::dview(scale), detail::dview(shift));
    const dtensor_view<T> yv(as_view(y));
    detail::check_into_shape(yv, xv.extents().as_span(),
                             "tenet::channel_affine_into: X of shape " + detail::shape_string(xv.extents()));
    detail::channel_affine_run(exec::thread_count(policy), xv, s, b, yv);
  }
}

}  // namespace tenet
