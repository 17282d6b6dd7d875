#pragma once
// tenet::feature_affine<T>: y = scale o x + shift along the feature mode (mode 1) of a batch
// (batch, F, ...): a batch norm in inference form (MATH.md 1.1: N1, N2 on the branches, N3
// on the output). It holds the parameters; ops/channel_affine.hpp does the work. Being
// affine, it folds into the neighbouring linear maps when a DTTN block unfolds
// (aim_cp_core.hpp).
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/models/dttn/aim_map.hpp"
#include "tenet/ops/channel_affine.hpp"

namespace tenet {

template <class T>
class feature_affine {
  static_assert(std::is_floating_point_v<T>, "tenet::feature_affine: the element type must be float or double");

 public:
  using value_type = T;

  feature_affine() = default;
  /// The identity on F features: scale 1, shift 0.
  explicit feature_affine(index features) : scale(features), shift(features) { scale.fill(T(1)); }
  /// Given scale (F) and shift (F); throws shape_error naming both shapes otherwise.
  feature_affine(dtensor<T> s, dtensor<T> t) : scale(std::move(s)), shift(std::move(t)) { check(); }

  /// Batch norm in inference form: scale = gamma / sqrt(var + eps), shift = beta - mean * scale.
  static feature_affine from_batch_norm(const dtensor<T>& gamma, const dtensor<T>& beta, const dtensor<T>& mean,
                                        const dtensor<T>& var, double eps = 1e-5) {
    const index F = gamma.size();
    if (gamma.rank() != 1 || beta.rank() != 1 || mean.rank() != 1 || var.rank() != 1 || beta.size() != F ||
        mean.size() != F || var.size() != F)
      throw shape_error("tenet::feature_affine::from_batch_norm: gamma " + detail::shape_string(gamma.extents()) +
                        ", beta " + detail::shape_string(beta.extents()) + ", mean " +
                        detail::shape_string(mean.extents()) + ", var " + detail::shape_string(var.extents()) +
                        " must all be (F,)");
    feature_affine a(F);
    for (index f = 0; f < F; ++f) {
      a.scale(f) = static_cast<T>(static_cast<double>(gamma(f)) / std::sqrt(static_cast<double>(var(f)) + eps));
      a.shift(f) = beta(f) - mean(f) * a.scale(f);
    }
    return a;
  }

  index features() const noexcept { return scale.rank() == 1 ? scale.extent(0) : 0; }

  /// scale o x + shift along mode 1 of x (batch, F, ...); shape_error naming x's shape and F.
  template <class P>
    requires execution_policy<P>
  dtensor<T> apply(P policy, dtensor_view<const T> x) const {
    dtensor<T> y(x);
    apply_in_place(policy, y);
    return y;
  }
  template <class P>
    requires execution_policy<P>
  void apply_in_place(P policy, dtensor<T>& y) const {
    check();
    const auto l = detail::feature_layout(y, "tenet::feature_affine");
    if (l.features != features())
      throw shape_error("tenet::feature_affine: input of shape " + detail::shape_string(y.extents()) + " for scale of shape " +
                        detail::shape_string(scale.extents()) + " (expects (batch, " + std::to_string(features()) + ", ...))");
    const dtensor_view<T> v = detail::feature_image(y.data(), l);
    channel_affine_into(policy, v, scale, shift, v);
  }

  void check() const {
    if (scale.rank() != 1 || shift.rank() != 1 || scale.extent(0) != shift.extent(0))
      throw shape_error("tenet::feature_affine: scale of shape " + detail::shape_string(scale.extents()) +
                        " and shift of shape " + detail::shape_string(shift.extents()) + " (expects (F,) each)");
  }

  dtensor<T> scale;  // (F)
  dtensor<T> shift;  // (F)
};

}  // namespace tenet
