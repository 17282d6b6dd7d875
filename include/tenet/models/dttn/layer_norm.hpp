#pragma once
// tenet::layer_norm<T>: LayerNorm over the feature mode (mode 1) of a batch (batch, F, ...),
// separately at every other index: y = (x - mean) / sqrt(var + eps) o weight + bias, with the
// biased variance (1/F) and eps = 1e-6, as DTTN-dagger applies it to the product of the two
// branches (MATH.md 1.1). It divides by a function of x, so a block using it is not a
// polynomial and does not unfold.
#include <cmath>
#include <string>
#include <type_traits>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/models/dttn/aim_map.hpp"

namespace tenet {

template <class T>
class layer_norm {
  static_assert(std::is_floating_point_v<T>, "tenet::layer_norm: the element type must be float or double");

 public:
  using value_type = T;

  layer_norm() = default;
  /// Weight 1, bias 0 on F features.
  explicit layer_norm(index features, double eps_ = 1e-6) : weight(features), bias(features), eps(eps_) {
    weight.fill(T(1));
  }

  index features() const noexcept { return weight.rank() == 1 ? weight.extent(0) : 0; }

  template <class P>
    requires execution_policy<P>
  dtensor<T> apply(P policy, dtensor_view<const T> x) const {
    if (weight.rank() != 1 || bias.rank() != 1 || weight.extent(0) != bias.extent(0))
      throw shape_error("tenet::layer_norm: weight of shape " + detail::shape_string(weight.extents()) +
                        " and bias of shape " + detail::shape_string(bias.extents()) + " (expects (F,) each)");
    const auto l = detail::feature_layout(x, "tenet::layer_norm");
    if (l.features != features())
      throw shape_error("tenet::layer_norm: input of shape " + detail::shape_string(x.extents()) + " for weight of shape " +
                        detail::shape_string(weight.extents()) + " (expects (batch, " + std::to_string(features()) + ", ...))");
    dtensor<T> y(x);
    T* p = y.data();
    const T* w = weight.data();
    const T* c = bias.data();
    const index F = l.features, S = l.inner;
    const double e = eps;
    [[maybe_unused]] const int threads = exec::thread_count(policy);
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1 && y.size() >= (index{1} << 15))
#endif
    for (index b = 0; b < l.outer; ++b)
      for (index s = 0; s < S; ++s) {
        T* q = p + b * F * S + s;  // feature f at q[f * S]
        double mean = 0, var = 0;  // in double: cancellation in var for large means
        for (index f = 0; f < F; ++f) mean += static_cast<double>(q[f * S]);
        mean /= static_cast<double>(F > 0 ? F : 1);
        for (index f = 0; f < F; ++f) var += (static_cast<double>(q[f * S]) - mean) * (static_cast<double>(q[f * S]) - mean);
        var /= static_cast<double>(F > 0 ? F : 1);
        const double inv = 1.0 / std::sqrt(var + e);
        for (index f = 0; f < F; ++f) q[f * S] = static_cast<T>((static_cast<double>(q[f * S]) - mean) * inv) * w[f] + c[f];
      }
    return y;
  }

  dtensor<T> weight;  // (F)
  dtensor<T> bias;    // (F)
  double eps = 1e-6;
};

}  // namespace tenet
