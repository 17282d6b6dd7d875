#pragma once
// The unfolding of one DTTN block (MATH.md 1.2). With x~ = [1; x] (size D+1), the block is
//   [1; aim(x)] = C~ x_{2,3}^{1,2} (x~ kron x~),   C~_ijk = sum_r B~_ir A1~_rj A2~_rk,
// a CP core of rank R = H + D + 1 that aim_cp_core<T> keeps as its three factors:
//   r < H (the product of the branches), with N1, N2 and the branch biases folded in:
//     A1~[r, 0] = s1_r c1_r + t1_r,  A1~[r, 1 + j] = s1_r W1[r, j]   (A2~ likewise)
//     B~[0, r] = 0,                  B~[1 + i, r] = alpha s3_i Wb[i, r]
//   r = H + m, m = 0..D (the degree-2 terms that hold x~_0 = 1): A1~[H + m, j] = delta_mj,
//     A2~[H + m, k] = delta_k0, B~[i, H + m] = M_im with M = I + beta e_0^T,
//     beta_{1+i} = alpha (s3_i cb_i + t3_i), beta_0 = 0;
//   so C~_000 = 1, C~_{i,i,0} = 1 (the residual) and C~_{i00} = beta_i (the output bias).
// Every term has degree 2 in x~, which is what makes the tree homogeneous (Proposition 1).
// The dense (D+1)^3 core is built only by to_dense, within a size limit.
#include <cstddef>
#include <string>
#include <type_traits>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/core/traits.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/expr/einsum.hpp"
#include "tenet/models/dttn/aim_block.hpp"
#include "tenet/ops/hadamard.hpp"
#include "tenet/ops/mode_product.hpp"

namespace tenet {

/// The default limit on a dense core's elements (2^24: 128 MiB in double).
inline constexpr index dttn_dense_core_limit = index(1) << 24;

template <class T>
struct aim_cp_core {
  static_assert(std::is_floating_point_v<T>, "tenet::aim_cp_core: the element type must be float or double");
  using value_type = T;

  dtensor<T> b;   // B~ (D+1, R)
  dtensor<T> a1;  // A1~ (R, D+1)
  dtensor<T> a2;  // A2~ (R, D+1)

  /// D + 1.
  index size() const noexcept { return b.rank() == 2 ? b.extent(0) : 0; }
  /// R, the CP rank.
  index cp_rank() const noexcept { return b.rank() == 2 ? b.extent(1) : 0; }

  /// B~((A1~ l) o (A2~ r)) = C~ x_{2,3}^{1,2} (l kron r) for l, r of shape (D+1) or
  /// (batch, D+1); throws shape_error naming both shapes.
  template <class P>
    requires execution_policy<P>
  dtensor<T> apply(P policy, dtensor_view<const T> l, dtensor_view<const T> r) const {
    check();
    const bool ok = (l.rank() == 1 || l.rank() == 2) && l.rank() == r.rank() && l.extent(l.rank() - 1) == size() &&
                    (l.rank() == 1 || l.extent(0) == r.extent(0)) && r.extent(r.rank() - 1) == size();
    if (!ok)
      throw shape_error("tenet::aim_cp_core: inputs of shapes " + detail::shape_string(l.extents()) + " and " +
                        detail::shape_string(r.extents()) + " for a core of size D+1 = " + std::to_string(size()) +
                        " (expects (D+1,) or (batch, D+1) each)");
    const std::size_t m = l.rank() - 1;  // the feature mode
    const dtensor<T> u = mode_product(policy, l, a1, m);
    const dtensor<T> w = mode_product(policy, r, a2, m);
    return mode_product(policy, hadamard(policy, u, w), b, m);
  }
  dtensor<T> apply(dtensor_view<const T> l, dtensor_view<const T> r) const { return apply(exec::seq, l, r); }

  /// The dense core C~ (D+1, D+1, D+1), C~_ijk = sum_r B~_ir A1~_rj A2~_rk; throws shape_error
  /// when it would have more than max_elements elements.
  template <class P>
    requires execution_policy<P>
  dtensor<T> to_dense(P policy, index max_elements = dttn_dense_core_limit) const {
    check();
    const double n = static_cast<double>(size());
    if (n * n * n > static_cast<double>(max_elements))
      throw shape_error("tenet::aim_cp_core::to_dense: the dense core of shape (" + std::to_string(size()) + ", " +
                        std::to_string(size()) + ", " + std::to_string(size()) + ") would have " +
                        std::to_string(static_cast<long long>(n * n * n)) + " elements, over the limit of " +
                        std::to_string(max_elements) + "; keep the CP form (apply) or raise max_elements");
    return einsum(policy, "ir,rj,rk->ijk", b, a1, a2);
  }
  dtensor<T> to_dense(index max_elements = dttn_dense_core_limit) const { return to_dense(exec::seq, max_elements); }

  void check() const {
    if (b.rank() != 2 || a1.rank() != 2 || a2.rank() != 2 || a1.extent(0) != b.extent(1) ||
        a2.extent(0) != b.extent(1) || a1.extent(1) != b.extent(0) || a2.extent(1) != b.extent(0))
      throw shape_error("tenet::aim_cp_core: factors B~ " + detail::shape_string(b.extents()) + ", A1~ " +
                        detail::shape_string(a1.extents()) + ", A2~ " + detail::shape_string(a2.extents()) +
                        " (expects (D+1, R), (R, D+1), (R, D+1))");
  }
};

/// x~ = [1; x]: (D) -> (D+1) or (batch, D) -> (batch, D+1).
template <tensor_like X>
dtensor<value_type_of_t<X>> augment_input(const X& x) {
  using T = value_type_of_t<X>;
  const dtensor_view<const T> v(as_view(x));
  if (v.rank() != 1 && v.rank() != 2)
    throw shape_error("tenet::augment_input: x of shape " + detail::shape_string(v.extents()) +
                      " (expects (D,) or (batch, D))");
  const index n = v.rank() == 2 ? v.extent(0) : 1, D = v.extent(v.rank() - 1);
  dtensor<T> out = v.rank() == 2 ? dtensor<T>(n, D + 1) : dtensor<T>(D + 1);
  const dtensor<T> xc(v);  // contiguous
  for (index s = 0; s < n; ++s) {
    out.data()[s * (D + 1)] = T(1);
    for (index j = 0; j < D; ++j) out.data()[s * (D + 1) + 1 + j] = xc.data()[s * D + j];
  }
  return out;
}

/// The CP core of a DTTN block (see the top of this header). A DTTN-dagger block throws
/// tenet::error: its LayerNorm divides by the standard deviation of the product, so the block
/// is not a polynomial in x and has no core.
template <class T>
aim_cp_core<T> unfold_block(const dense_aim<T>& blk) {
  if (blk.variant == aim_variant::dttn_dagger)
    throw error(
        "tenet::unfold_block: a DTTN-dagger block cannot be unfolded: its layer norm divides by the standard "
        "deviation of the product over the features, so the block is not a polynomial in x and has no "
        "tensor-network core; only DTTN blocks (affine norms N1, N2, no layer norm) unfold");
  blk.check_maps();
  blk.a1.check(), blk.a2.check(), blk.b.check(), blk.n1.check(), blk.n2.check(), blk.n3.check();
  const index D = blk.features(), H = blk.hidden(), R = H + D + 1;
  if (blk.n1.features() != H || blk.n2.features() != H || blk.n3.features() != D)
    throw shape_error("tenet::unfold_block: norms N1 " + detail::shape_string(blk.n1.scale.extents()) + ", N2 " +
                      detail::shape_string(blk.n2.scale.extents()) + ", N3 " + detail::shape_string(blk.n3.scale.extents()) +
                      " for D = " + std::to_string(D) + ", H = " + std::to_string(H));
  aim_cp_core<T> c{dtensor<T>(D + 1, R), dtensor<T>(R, D + 1), dtensor<T>(R, D + 1)};
  // Assembling the factors moves coefficients into place: no products of tensors here.
  auto fold_branch = [&](const dense_map<T>& a, const feature_affine<T>& n, dtensor<T>& out) {
    for (index r = 0; r < H; ++r) {
      out(r, 0) = n.scale(r) * a.bias(r) + n.shift(r);
      for (index j = 0; j < D; ++j) out(r, 1 + j) = n.scale(r) * a.weight(r, j);
    }
  };
  fold_branch(blk.a1, blk.n1, c.a1);
  fold_branch(blk.a2, blk.n2, c.a2);
  for (index m = 0; m <= D; ++m) {
    c.a1(H + m, m) = T(1);
    c.a2(H + m, 0) = T(1);
  }
  const T alpha = blk.alpha;
  for (index i = 0; i < D; ++i) {
    for (index r = 0; r < H; ++r) c.b(1 + i, r) = alpha * blk.n3.scale(i) * blk.b.weight(i, r);
    c.b(1 + i, H) = alpha * (blk.n3.scale(i) * blk.b.bias(i) + blk.n3.shift(i));  // beta
  }
  for (index m = 0; m <= D; ++m) c.b(m, H + m) += T(1);  // M = I + beta e_0^T
  return c;
}

}  // namespace tenet
