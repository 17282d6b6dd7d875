#pragma once
// tenet::aim_block: the Antisymmetric Interaction Module of DTTN (MATH.md 1.1, equation (1)),
// generic over its linear maps (aim_map.hpp): for x (batch, D, ...), with features on mode 1,
//   DTTN:         y = x + alpha * N3(B(N1(A1 x) o N2(A2 x)))
//   DTTN-dagger:  y = x + alpha * N3(B(LN(A1 x o A2 x)))
// A1 and A2 map D -> H features, B maps H -> D; N1, N2 (H) and N3 (D) are per-feature
// affine norms (batch norms in inference form), LN a LayerNorm over the H features (eps 1e-6).
// dense_aim<T> is the vector form (dense maps, x of shape (batch, D)); make_dense_aim builds
// one with seeded Kaiming-normal weights.
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include "tenet/core/error.hpp"
#include "tenet/core/random.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/core/traits.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/models/dttn/aim_map.hpp"
#include "tenet/models/dttn/dense_map.hpp"
#include "tenet/models/dttn/feature_affine.hpp"
#include "tenet/models/dttn/layer_norm.hpp"
#include "tenet/ops/hadamard.hpp"

namespace tenet {

/// dttn: affine norms N1, N2 on the branches, no layer norm (a polynomial, unfolds into a
/// tree tensor network). dttn_dagger: a LayerNorm on the product, no N1, N2 (does not unfold).
enum class aim_variant { dttn, dttn_dagger };

inline const char* to_string(aim_variant v) noexcept { return v == aim_variant::dttn ? "DTTN" : "DTTN-dagger"; }

/// Random initialization: Kaiming-normal weights from `seed`; biases N(0, bias_std^2) (0: zero);
/// norm scales uniform in [1 - norm_spread, 1 + norm_spread] and shifts in
/// [-norm_spread, norm_spread] (0: identity norms); the residual weight alpha.
struct aim_init {
  std::uint64_t seed = 0;
  double bias_std = 0;
  double norm_spread = 0;
  double alpha = 1;
};

template <aim_map Left, aim_map Right = Left, aim_map Out = Left>
class aim_block {
  static_assert(std::is_same_v<typename Left::value_type, typename Right::value_type> &&
                    std::is_same_v<typename Left::value_type, typename Out::value_type>,
                "tenet::aim_block: the three maps must have the same element type");

 public:
  using value_type = typename Left::value_type;
  using T = value_type;

  aim_block() = default;
  /// Identity norms and alpha = 1. Throws shape_error unless A1, A2 read the D features B
  /// writes and write the H features B reads.
  aim_block(aim_variant v, Left A1, Right A2, Out B)
      : variant(v), a1(std::move(A1)), a2(std::move(A2)), b(std::move(B)) {
    check_maps();
    const index H = hidden();
    if (variant == aim_variant::dttn) {
      n1 = feature_affine<T>(H);
      n2 = feature_affine<T>(H);
    } else {
      ln = layer_norm<T>(H);
    }
    n3 = feature_affine<T>(features());
  }

  /// D: the features of x (mode 1).
  index features() const { return a1.in_features(); }
  /// H: the features of each branch.
  index hidden() const { return a1.out_features(); }

  /// y = aim(x) for x (batch, D, ...) (any tensor or view); shape_error naming x's shape and D.
  template <class P, tensor_like X>
    requires execution_policy<P>
  dtensor<T> forward(P policy, const X& x) const {
    static_assert(std::is_same_v<value_type_of_t<X>, T>, "tenet::aim_block::forward: x must have the block's element type");
    const dtensor_view<const T> xv(as_view(x));
    check_maps();
    if (xv.rank() < 2 || xv.extent(1) != features())
      throw shape_error("tenet::aim_block: input of shape " + detail::shape_string(xv.extents()) + " for a block of D = " +
                        std::to_string(features()) + " features (expects (batch, " + std::to_string(features()) + ", ...))");
    dtensor<T> u = a1.apply(policy, xv);
    dtensor<T> w = a2.apply(policy, xv);
    if (variant == aim_variant::dttn) {
      n1.apply_in_place(policy, u);
      n2.apply_in_place(policy, w);
    }
    dtensor<T> p = hadamard(policy, u, w);
    if (variant == aim_variant::dttn_dagger) p = ln.apply(policy, p.view());
    dtensor<T> z = b.apply(policy, p.view());
    n3.apply_in_place(policy, z);
    dtensor<T> y(xv);  // contiguous copy of x: the residual
    bool same = z.rank() == y.rank();
    for (std::size_t r = 0; same && r < y.rank(); ++r) same = z.extent(r) == y.extent(r);
    if (!same)
      throw shape_error("tenet::aim_block: B's output of shape " + detail::shape_string(z.extents()) +
                        " does not match the input's shape " + detail::shape_string(y.extents()));
    for (index i = 0; i < y.size(); ++i) y.data()[i] += alpha * z.data()[i];
    return y;
  }
  template <tensor_like X>
  dtensor<T> forward(const X& x) const {
    return forward(exec::seq, x);
  }

  void check_maps() const {
    if (a2.in_features() != features() || b.out_features() != features() || a2.out_features() != hidden() ||
        b.in_features() != hidden())
      throw shape_error("tenet::aim_block: A1 maps " + std::to_string(a1.in_features()) + " -> " +
                        std::to_string(a1.out_features()) + " features, A2 " + std::to_string(a2.in_features()) + " -> " +
                        std::to_string(a2.out_features()) + ", B " + std::to_string(b.in_features()) + " -> " +
                        std::to_string(b.out_features()) + " (expects D -> H, D -> H, H -> D)");
  }

  aim_variant variant = aim_variant::dttn;
  Left a1;                 // A1: D -> H
  Right a2;                // A2: D -> H
  Out b;                   // B: H -> D
  feature_affine<T> n1;    // DTTN only: on A1 x (H)
  feature_affine<T> n2;    // DTTN only: on A2 x (H)
  layer_norm<T> ln;        // DTTN-dagger only: on the product (H)
  feature_affine<T> n3;    // on B's output (D)
  T alpha = T(1);
};

/// The vector form: dense maps, x of shape (batch, D).
template <class T>
using dense_aim = aim_block<dense_map<T>>;

/// A vector AIM block D -> H -> D with seeded Kaiming-normal weights (see aim_init).
template <class T>
dense_aim<T> make_dense_aim(index D, index H, aim_variant variant, const aim_init& init = {}) {
  if (D < 1 || H < 1)
    throw shape_error("tenet::make_dense_aim: D = " + std::to_string(D) + ", H = " + std::to_string(H) + " (need >= 1)");
  splitmix64 g(init.seed);
  dense_aim<T> blk(variant, dense_map<T>::kaiming(H, D, g.next()), dense_map<T>::kaiming(H, D, g.next()),
                   dense_map<T>::kaiming(D, H, g.next()));
  if (init.bias_std > 0)
    for (dense_map<T>* m : {&blk.a1, &blk.a2, &blk.b}) m->bias.fill_normal(g.next(), 0.0, init.bias_std);
  const double s = init.norm_spread;
  if (s > 0) {
    for (feature_affine<T>* n : {&blk.n1, &blk.n2, &blk.n3}) {
      if (n->features() == 0) continue;  // N1, N2 of a dagger block are unused
      n->scale.fill_random(g.next(), 1.0 - s, 1.0 + s);
      n->shift.fill_random(g.next(), -s, s);
    }
    if (variant == aim_variant::dttn_dagger) {
      blk.ln.weight.fill_random(g.next(), 1.0 - s, 1.0 + s);
      blk.ln.bias.fill_random(g.next(), -s, s);
    }
  }
  blk.alpha = static_cast<T>(init.alpha);
  return blk;
}

}  // namespace tenet
