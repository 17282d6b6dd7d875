#pragma once
// What the AIM block (MATH.md 1.1) asks of its linear maps: a value type, the feature extent
// it reads and the one it writes (mode 1 of its input and output: features of a (batch, D)
// vector batch, channels of a (batch, C, H, W) image batch), and apply(policy, x). Dense maps
// (dense_map.hpp) give the vector form; convolutions plug into the same block for images.
// map_chain composes two maps (the image form's branches are two convolutions each).
#include <concepts>
#include <string>
#include <utility>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/exec/policy.hpp"

namespace tenet {

namespace detail {
/// A contiguous tensor (n_0, F, n_2, ...) as blocks: `outer` = n_0 leading slices, F features
/// (mode 1), `inner` = n_2 * ... elements per feature. Throws shape_error below rank 2.
struct feature_blocks {
  index outer, features, inner;
};
template <class X>
feature_blocks feature_layout(const X& x, const char* what) {
  if (x.rank() < 2)
    throw shape_error(std::string(what) + ": input of shape " + shape_string(x.extents()) +
                      "; expects (batch, features, ...)");
  index inner = 1;
  for (std::size_t r = 2; r < x.rank(); ++r) inner *= x.extent(r);
  return {x.extent(0), x.extent(1), inner};
}

/// A contiguous (batch, F, ...) tensor seen as the (batch, F, 1, inner) image that the
/// per-channel operators (ops/channel_affine.hpp, ops/layer_norm.hpp) take.
template <class T>
dtensor_view<T> feature_image(T* data, const feature_blocks& l) {
  return dtensor_view<T>(data, dyn_extents{l.outer, l.features, index(1), l.inner},
                         std::vector<index>{l.features * l.inner, l.inner, l.inner, index(1)});
}
}  // namespace detail

template <class M>
concept aim_map = requires(const M& m, dtensor_view<const typename M::value_type> x) {
  typename M::value_type;
  { m.in_features() } -> std::convertible_to<index>;
  { m.out_features() } -> std::convertible_to<index>;
  { m.apply(exec::seq, x) } -> std::same_as<dtensor<typename M::value_type>>;
  { m.apply(exec::par, x) } -> std::same_as<dtensor<typename M::value_type>>;
};

/// second(first(x)): a map made of two (first's output features must be second's input).
template <aim_map First, aim_map Second>
class map_chain {
  static_assert(std::same_as<typename First::value_type, typename Second::value_type>,
                "tenet::map_chain: both maps must have the same element type");

 public:
  using value_type = typename First::value_type;
  map_chain() = default;
  map_chain(First f, Second s) : first(std::move(f)), second(std::move(s)) {
    if (first.out_features() != second.in_features())
      throw shape_error("tenet::map_chain: the first map writes " + std::to_string(first.out_features()) +
                        " features, the second reads " + std::to_string(second.in_features()));
  }
  index in_features() const { return first.in_features(); }
  index out_features() const { return second.out_features(); }
  template <class P>
    requires execution_policy<P>
  dtensor<value_type> apply(P policy, dtensor_view<const value_type> x) const {
    const dtensor<value_type> h = first.apply(policy, x);
    return second.apply(policy, h.view());
  }

  First first;
  Second second;
};

}  // namespace tenet
