#pragma once
// Global average pooling of NCHW batches: Y[n, c] = (1 / (H W)) sum_{h, w} X[n, c, h, w], the
// (N, C, H, W) -> (N, C) step before the DTTN head. Each plane is summed in eight interleaved
// partial sums (a vectorizable reduction that also shortens float's error growth), rows are
// added in double.
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

/// The sum of a contiguous row, in eight interleaved partial sums.
template <class T>
double row_sum(const T* __restrict r, index n) {
  T acc[8] = {};
  index j = 0;
  for (; j + 8 <= n; j += 8)
    for (int l = 0; l < 8; ++l) acc[l] += r[j + l];
  double s = 0;
  for (; j < n; ++j) s += static_cast<double>(r[j]);
  for (int l = 0; l < 8; ++l) s += static_cast<double>(acc[l]);
  return s;
}

}  // namespace detail

/// The mean of every channel plane: X (N, C, H, W) -> Y (N, C). H * W must be positive.
template <class P, tensor_like X>
  requires execution_policy<P>
auto global_avg_pool(P policy, const X& x) {
  using T = value_type_of_t<X>;
  static constexpr std::array<std::size_t, 2> E = {detail::static_extent_of<X>(0), detail::static_extent_of<X>(1)};
  using R = detail::image_result_t<X, T, E>;
  if constexpr (detail::image_rank_ok<X>()) {
    const auto xv = detail::dview(x);
    const std::string what = "tenet::global_avg_pool: X of shape " + detail::shape_string(xv.extents());
    const detail::nchw_dims d = detail::image_dims(xv, what);
    if (d.h * d.w == 0 && d.n * d.c > 0) throw shape_error(what + ": an image without pixels has no average");
    R out = detail::make_result<R>(std::span<const index>(std::array<index, 2>{d.n, d.c}), for_overwrite);
    T* y = out.data();
    const double inv = d.h * d.w > 0 ? 1.0 / static_cast<double>(d.h * d.w) : 0.0;
    auto body = [&](index lo, index hi) {
      for (index p = lo; p < hi; ++p) {
        const index n = p / d.c, c = p % d.c;
        const T* xp = xv.data() + n * xv.stride(0) + c * xv.stride(1);
        double s = 0;
        for (index h = 0; h < d.h; ++h) {
          const T* xr = xp + h * xv.stride(2);
          if (xv.stride(3) == 1)
            s += detail::row_sum(xr, d.w);
          else
            for (index j = 0; j < d.w; ++j) s += static_cast<double>(xr[j * xv.stride(3)]);
        }
        y[p] = static_cast<T>(s * inv);
      }
    };
    detail::for_planes(exec::thread_count(policy), d.n * d.c, xv.size(), body);
    return out;
  } else {
    return R{};
  }
}
template <tensor_like X>
auto global_avg_pool(const X& x) {
  return global_avg_pool(exec::seq, x);
}

}  // namespace tenet
