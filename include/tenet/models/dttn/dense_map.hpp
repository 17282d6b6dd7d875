#pragma once
// tenet::dense_map<T>: the affine map y = W x + c on a batch of vectors, x (batch, in) ->
// y (batch, out), W (out, in), c (out). The vector form of AIM's maps A1, A2 (D -> H) and
// B (H -> D). The product is one mode product (a GEMM), the bias a broadcast add.
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/ops/mode_product.hpp"

namespace tenet {

template <class T>
class dense_map {
  static_assert(std::is_floating_point_v<T>, "tenet::dense_map: the element type must be float or double");

 public:
  using value_type = T;

  dense_map() = default;
  /// Zero weight (out, in) and bias (out).
  dense_map(index out, index in) : weight(out, in), bias(out) {}
  /// Given weight (out, in) and bias (out); throws shape_error naming both shapes otherwise.
  dense_map(dtensor<T> w, dtensor<T> c) : weight(std::move(w)), bias(std::move(c)) { check(); }

  /// Kaiming-normal weight (std sqrt(2 / in), He et al. 2015, fan-in mode) from a seed; zero bias.
  static dense_map kaiming(index out, index in, std::uint64_t seed) {
    dense_map m(out, in);
    m.weight.fill_normal(seed, 0.0, std::sqrt(2.0 / static_cast<double>(in > 0 ? in : 1)));
    return m;
  }

  index in_features() const noexcept { return weight.rank() == 2 ? weight.extent(1) : 0; }
  index out_features() const noexcept { return weight.rank() == 2 ? weight.extent(0) : 0; }

  /// y = x W^T + c for x (batch, in); throws shape_error naming x's and W's shapes.
  template <class P>
    requires execution_policy<P>
  dtensor<T> apply(P policy, dtensor_view<const T> x) const {
    check();
    if (x.rank() != 2 || x.extent(1) != in_features())
      throw shape_error("tenet::dense_map: input of shape " + detail::shape_string(x.extents()) +
                        " for a weight of shape " + detail::shape_string(weight.extents()) + " (expects (batch, " +
                        std::to_string(in_features()) + "))");
    dtensor<T> y = mode_product(policy, x, weight, 1);  // y[b, j] = sum_k x[b, k] W[j, k]
    const index n = y.extent(0), o = y.extent(1);
    for (index b = 0; b < n; ++b)
      for (index j = 0; j < o; ++j) y.data()[b * o + j] += bias.data()[j];
    return y;
  }
  dtensor<T> apply(dtensor_view<const T> x) const { return apply(exec::seq, x); }

  /// Checks that weight is (out, in) and bias (out); throws shape_error naming both.
  void check() const {
    if (weight.rank() != 2 || bias.rank() != 1 || bias.extent(0) != weight.extent(0))
      throw shape_error("tenet::dense_map: weight of shape " + detail::shape_string(weight.extents()) +
                        " and bias of shape " + detail::shape_string(bias.extents()) + " (expects (out, in) and (out,))");
  }

  dtensor<T> weight;  // (out, in)
  dtensor<T> bias;    // (out)
};

}  // namespace tenet
