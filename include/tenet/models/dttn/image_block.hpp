#pragma once
// tenet::image_aim_block<T>: the image form of the AIM block (MATH.md 1.1) on NCHW batches
// (N, C, H, W), with PyTorch's convolution weight layouts:
//   left  u = L2(L1 x)   L1: 3x3 grouped conv C -> Hc, groups = C;  L2: 1x1 conv Hc -> Hc
//   right w = R2(R1 x)   R1: 1x1 conv C -> Hc;                      R2: 3x3 depthwise conv on Hc
//   DTTN:         p = N1(u) o N2(w),  y = x + alpha * N3(P(p))
//   DTTN-dagger:  p = u o w,          y = x + alpha * N3(P(LN(p)))   (LN over channels, eps 1e-6)
// P: 1x1 conv Hc -> C; N1, N2, N3: per-channel affine maps (batch norm in inference form).
// Every convolution has a bias. The parameters are plain tensors, visited by name
// (for_each_param) so that initialization, loading, saving and counting share one list.
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/random.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/models/dttn/aim_block.hpp"
#include "tenet/ops/channel_affine.hpp"
#include "tenet/ops/conv1x1.hpp"
#include "tenet/ops/conv3x3.hpp"
#include "tenet/ops/hadamard.hpp"
#include "tenet/ops/layer_norm.hpp"

namespace tenet {

namespace detail {
/// Initializes one named parameter of the image network (its blocks included): weights of
/// rank >= 2 Kaiming-normal with fan_in = the product of all but the first extent (input
/// channels per group times kernel area; the head's inputs), gain sqrt(2); norm scales, the
/// LayerNorm weight and alpha 1; biases and shifts 0.
template <class T>
void init_image_param(const std::string& name, dtensor<T>& t, std::uint64_t seed) {
  if (name.ends_with(".weight") && t.rank() >= 2) {
    index fan_in = 1;
    for (std::size_t r = 1; r < t.rank(); ++r) fan_in *= t.extent(r);
    t.fill_normal(seed, 0.0, std::sqrt(2.0 / static_cast<double>(fan_in)));
  } else if (name.ends_with("scale") || name.ends_with("norm.weight") || name.ends_with("alpha")) {
    t.fill(T(1));
  } else {
    t.fill(T(0));
  }
}
}  // namespace detail

template <class T>
class image_aim_block {
  static_assert(std::is_floating_point_v<T>, "tenet::image_aim_block: the element type must be float or double");

 public:
  using value_type = T;
  static constexpr double layer_norm_eps = 1e-6;

  image_aim_block() = default;
  /// A block on C channels with Hc hidden channels (a multiple of C: L1 has groups = C); zero
  /// weights and biases, identity norms, alpha = 1 (see kaiming_init).
  image_aim_block(aim_variant v, index channels, index hidden) : variant_(v), c_(channels), hc_(hidden) {
    if (channels < 1 || hidden < 1 || hidden % channels != 0)
      throw shape_error("tenet::image_aim_block: C = " + std::to_string(channels) + ", Hc = " + std::to_string(hidden) +
                        " (need C >= 1 and Hc a positive multiple of C)");
    l1_w = dtensor<T>(hidden, index(1), index(3), index(3));
    l1_b = dtensor<T>(hidden);
    l2_w = dtensor<T>(hidden, hidden, index(1), index(1));
    l2_b = dtensor<T>(hidden);
    r1_w = dtensor<T>(hidden, channels, index(1), index(1));
    r1_b = dtensor<T>(hidden);
    r2_w = dtensor<T>(hidden, index(1), index(3), index(3));
    r2_b = dtensor<T>(hidden);
    if (v == aim_variant::dttn) {
      n1_scale = ones(hidden);
      n1_shift = dtensor<T>(hidden);
      n2_scale = ones(hidden);
      n2_shift = dtensor<T>(hidden);
    } else {
      ln_w = ones(hidden);
      ln_b = dtensor<T>(hidden);
    }
    p_w = dtensor<T>(channels, hidden, index(1), index(1));
    p_b = dtensor<T>(channels);
    n3_scale = ones(channels);
    n3_shift = dtensor<T>(channels);
    alpha = ones(1);
  }

  aim_variant variant() const noexcept { return variant_; }
  index channels() const noexcept { return c_; }
  index hidden() const noexcept { return hc_; }

  /// f(suffix, tensor&) for every parameter, in a fixed order, with its name below the block
  /// (docs/dttn.md "Image network"): left.{0,1}.{weight,bias}, right.{0,1}.{weight,bias},
  /// n1/n2.{scale,shift} (DTTN) or norm.{weight,bias} (DTTN-dagger), proj.{weight,bias},
  /// n3.{scale,shift}, alpha.
  template <class F>
  void for_each_param(F&& f) {
    visit(*this, f);
  }
  template <class F>
  void for_each_param(F&& f) const {
    visit(*this, f);
  }

  /// Seeded Kaiming-normal weights (fan_in = input channels per group * kernel area, gain
  /// sqrt(2)); biases and shifts 0, scales 1, alpha 1.
  void kaiming_init(std::uint64_t seed) {
    splitmix64 g(seed);
    for_each_param([&](const std::string& name, dtensor<T>& t) { detail::init_image_param(name, t, g.next()); });
  }

  /// y = block(x) for x (N, C, H, W) (any tensor or view of element type T).
  template <class P, tensor_like X>
    requires execution_policy<P>
  dtensor<T> forward(P policy, const X& x) const {
    static_assert(std::is_same_v<value_type_of_t<X>, T>,
                  "tenet::image_aim_block::forward: x must have the block's element type");
    const dtensor_view<const T> xv(as_view(x));
    if (xv.rank() != 4 || xv.extent(1) != c_)
      throw shape_error("tenet::image_aim_block: input of shape " + detail::shape_string(xv.extents()) +
                        " for a block of C = " + std::to_string(c_) + " channels (expects (N, " + std::to_string(c_) +
                        ", H, W))");
    const folded f = fold();
    dtensor<T> t = conv3x3(policy, xv, l1_w, l1_b, c_);  // L1 x
    dtensor<T> u = conv1x1(policy, t, f.l2_w, f.l2_b);   // N1 L2 L1 x (DTTN; L2 L1 x for the dagger)
    conv1x1_into(policy, xv, r1_w, r1_b, t);              // R1 x, into L1's buffer
    dtensor<T> w = conv3x3(policy, t, f.r2_w, f.r2_b, hc_);  // N2 R2 R1 x
    hadamard_into(policy, u, w, u);
    if (variant_ == aim_variant::dttn_dagger) layer_norm_channels_into(policy, u, ln_w, ln_b, layer_norm_eps, u);
    // y = x + alpha N3(P u): x plus the folded bias first, then the product accumulated onto it.
    dtensor<T> z(for_overwrite, xv.extents());
    channel_affine_into(policy, xv, f.ones, f.p_b, z);
    const dtensor_view<const T> pm(f.p_w.data(), dyn_extents{c_, hc_}, std::vector<index>{hc_, 1});
    detail::conv1x1_run<P, T>(policy, dtensor_view<const T>(u.view()), pm, nullptr, dtensor_view<T>(z.view()), true);
    return z;
  }
  template <tensor_like X>
  dtensor<T> forward(const X& x) const {
    return forward(exec::seq, x);
  }

  dtensor<T> l1_w, l1_b;  // L1: (Hc, 1, 3, 3), groups = C
  dtensor<T> l2_w, l2_b;  // L2: (Hc, Hc, 1, 1)
  dtensor<T> r1_w, r1_b;  // R1: (Hc, C, 1, 1)
  dtensor<T> r2_w, r2_b;  // R2: (Hc, 1, 3, 3), depthwise
  dtensor<T> n1_scale, n1_shift, n2_scale, n2_shift;  // DTTN only (Hc)
  dtensor<T> ln_w, ln_b;                              // DTTN-dagger only (Hc)
  dtensor<T> p_w, p_b;                                // P: (C, Hc, 1, 1)
  dtensor<T> n3_scale, n3_shift;                      // (C)
  dtensor<T> alpha;                                   // (1,)

 private:
  // The per-channel affine maps that follow a biased linear map fold into its rows: N1 into
  // L2, N2 into R2 (DTTN only), N3 and alpha into P (both variants). The forward pass then
  // runs five convolutions, one product and one residual pass, and no separate norm passes.
  struct folded {
    dtensor<T> l2_w, l2_b, r2_w, r2_b, p_w, p_b, ones;
  };
  // W'[o, :] = s[o] W[o, :], b'[o] = s[o] b[o] + t[o], with s = a * scale, t = a * shift.
  static void fold_rows(const dtensor<T>& w, const dtensor<T>& b, const T* scale, const T* shift, T a,
                        dtensor<T>& wf, dtensor<T>& bf) {
    wf = dtensor<T>(for_overwrite, w.extents());
    bf = dtensor<T>(for_overwrite, b.extents());
    const index rows = w.extent(0), cols = w.size() / rows;
    for (index o = 0; o < rows; ++o) {
      const T so = a * (scale ? scale[o] : T(1));
      for (index i = 0; i < cols; ++i) wf.data()[o * cols + i] = so * w.data()[o * cols + i];
      bf.data()[o] = so * b.data()[o] + a * (shift ? shift[o] : T(0));
    }
  }
  folded fold() const {
    folded f;
    const bool n12 = variant_ == aim_variant::dttn;
    fold_rows(l2_w, l2_b, n12 ? n1_scale.data() : nullptr, n12 ? n1_shift.data() : nullptr, T(1), f.l2_w, f.l2_b);
    fold_rows(r2_w, r2_b, n12 ? n2_scale.data() : nullptr, n12 ? n2_shift.data() : nullptr, T(1), f.r2_w, f.r2_b);
    fold_rows(p_w, p_b, n3_scale.data(), n3_shift.data(), alpha.data()[0], f.p_w, f.p_b);
    f.ones = ones(c_);
    return f;
  }

  static dtensor<T> ones(index n) {
    dtensor<T> t(n);
    t.fill(T(1));
    return t;
  }

  // One list for the const and non-const visits.
  template <class Self, class F>
  static void visit(Self& s, F& f) {
    f(std::string("left.0.weight"), s.l1_w);
    f(std::string("left.0.bias"), s.l1_b);
    f(std::string("left.1.weight"), s.l2_w);
    f(std::string("left.1.bias"), s.l2_b);
    f(std::string("right.0.weight"), s.r1_w);
    f(std::string("right.0.bias"), s.r1_b);
    f(std::string("right.1.weight"), s.r2_w);
    f(std::string("right.1.bias"), s.r2_b);
    if (s.variant_ == aim_variant::dttn) {
      f(std::string("n1.scale"), s.n1_scale);
      f(std::string("n1.shift"), s.n1_shift);
      f(std::string("n2.scale"), s.n2_scale);
      f(std::string("n2.shift"), s.n2_shift);
    } else {
      f(std::string("norm.weight"), s.ln_w);
      f(std::string("norm.bias"), s.ln_b);
    }
    f(std::string("proj.weight"), s.p_w);
    f(std::string("proj.bias"), s.p_b);
    f(std::string("n3.scale"), s.n3_scale);
    f(std::string("n3.shift"), s.n3_shift);
    f(std::string("alpha"), s.alpha);
  }

  aim_variant variant_ = aim_variant::dttn;
  index c_ = 0, hc_ = 0;
};

}  // namespace tenet
