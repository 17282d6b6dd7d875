#pragma once
// tenet::layer_norm<T>: LayerNorm over the feature mode (mode 1) of a batch (batch, F, ...),
// separately at every other index: y = (x - mean) / sqrt(var + eps) o weight + bias, with the
// biased variance (1/F) and eps = 1e-6, as DTTN-dagger applies it to the product of the two
// branches (MATH.md 1.1). It holds the parameters; ops/layer_norm.hpp does the work. It
// divides by a function of x, so a block using it is not a polynomial and does not unfold.
#include <cmath>
#include <string>
#include <type_traits>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/models/dttn/aim_map.hpp"
#include "tenet/ops/layer_norm.hpp"

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
    dtensor<T> y(x);  // contiguous, so that it can be seen as an image; normalized in place
    const dtensor_view<T> v = detail::feature_image(y.data(), l);
    layer_norm_channels_into(policy, v, weight, bias, eps, v);
    return y;
  }

  dtensor<T> weight;  // (F)
  dtensor<T> bias;    // (F)
  double eps = 1e-6;
};

}  // namespace tenet
