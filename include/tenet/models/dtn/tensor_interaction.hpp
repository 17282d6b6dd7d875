#pragma once
// Tensor interaction, channel mixing (MATH.md 2.2), for Q, K, V of shape (..., n, d) (dv = d):
//   tensor_interaction(policy?, Q, K, V, {.causal = false}):
//     Y = V T / tau,  T = (Q^T K)(Q^T K)^T (d x d),  tau = ||Q^T K||_F^2;  O(n d^2 + d^3)
//   causal (also interaction_stream<T>, one token at a time, O(d^2) state per head):
//     B_t = sum_{i<=t} q_i k_i^T,  y_t = (v_t^T B_t) B_t^T / ||B_t||_F^2,  O(d^2) per token,
//     with ||B_t||^2 = ||B_{t-1}||^2 + 2 q_t^T B_{t-1} k_t + |q_t|^2 |k_t|^2 (B B^T is never formed).
// Every divisor gets + eps, so zero inputs give 0.
#include <algorithm>
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/core/traits.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/models/dtn/attention_options.hpp"

namespace tenet {

struct interaction_options {
  bool causal = false;
  double eps = 1e-12;
};

/// The causal state of tensor interaction for one head: B (d x d) and ||B||_F^2.
template <class T>
class interaction_state {
 public:
  interaction_state() = default;
  explicit interaction_state(index d) : d_(d), B_(sz(d * d)), w_(sz(d)) {}

  index d() const noexcept { return d_; }
  const std::vector<T>& B() const noexcept { return B_; }
  T norm2() const noexcept { return norm2_; }
  std::size_t bytes() const noexcept { return (B_.size() + 1) * sizeof(T); }
  void reset() {
    std::fill(B_.begin(), B_.end(), T(0));
    norm2_ = 0;
  }

  /// Adds q k^T, then y (d) = (v^T B) B^T / (||B||^2 + eps).
  void step(const T* q, const T* k, const T* v, T* y, T eps) {
    T qBk = 0, qq = 0, kk = 0;
    for (index a = 0; a < d_; ++a) {
      T Bk = 0;
      for (index b = 0; b < d_; ++b) Bk += B_[sz(a * d_ + b)] * k[b];
      qBk += q[a] * Bk;
      qq += q[a] * q[a];
      kk += k[a] * k[a];
    }
    norm2_ += 2 * qBk + qq * kk;
    for (index a = 0; a < d_; ++a)
      for (index b = 0; b < d_; ++b) B_[sz(a * d_ + b)] += q[a] * k[b];
    std::fill(w_.begin(), w_.end(), T(0));
    for (index a = 0; a < d_; ++a)  // w = B^T v
      for (index b = 0; b < d_; ++b) w_[sz(b)] += v[a] * B_[sz(a * d_ + b)];
    const T den = norm2_ + eps;
    for (index c = 0; c < d_; ++c) {  // y = B w
      T s = 0;
      for (index b = 0; b < d_; ++b) s += B_[sz(c * d_ + b)] * w_[sz(b)];
      y[c] = s / den;
    }
  }

 private:
  static std::size_t sz(index i) noexcept { return static_cast<std::size_t>(i); }
  index d_ = 0;
  std::vector<T> B_;
  T norm2_ = 0;
  std::vector<T> w_;  // scratch
};

namespace detail {

template <class T>
void interaction_full(const T* q, const T* k, const T* v, T* y, index n, index d, T eps) {
  std::vector<T> P(usz(d * d), T(0)), M(usz(d * d), T(0));
  for (index t = 0; t < n; ++t)  // P = Q^T K
    for (index a = 0; a < d; ++a)
      for (index b = 0; b < d; ++b) P[usz(a * d + b)] += q[t * d + a] * k[t * d + b];
  T tau = 0;
  for (T p : P) tau += p * p;
  for (index a = 0; a < d; ++a)  // M = P P^T
    for (index c = 0; c < d; ++c) {
      T s = 0;
      for (index b = 0; b < d; ++b) s += P[usz(a * d + b)] * P[usz(c * d + b)];
      M[usz(a * d + c)] = s;
    }
  const T den = tau + eps;
  for (index t = 0; t < n; ++t)
    for (index c = 0; c < d; ++c) {
      T s = 0;
      for (index a = 0; a < d; ++a) s += v[t * d + a] * M[usz(a * d + c)];
      y[t * d + c] = s / den;
    }
}

}  // namespace detail

/// Tensor interaction of Q, K, V (..., n, d); one per leading index (exec::par splits those).
template <class Pol, tensor_like Qx, tensor_like Kx, tensor_like Vx>
  requires execution_policy<Pol>
dtensor<value_type_of_t<Qx>> tensor_interaction(Pol policy, const Qx& Q, const Kx& K, const Vx& V,
                                                const interaction_options& opt = {}) {
  using T = value_type_of_t<Qx>;
  static_assert(std::is_same_v<T, value_type_of_t<Kx>> && std::is_same_v<T, value_type_of_t<Vx>>,
                "tensor_interaction: Q, K and V must have the same element type");
  static_assert(std::is_floating_point_v<T>, "tensor_interaction: the element type must be float or double");
  constexpr const char* what = "tenet::tensor_interaction";
  if (!(opt.eps >= 0)) throw error(std::string(what) + ": options.eps must be >= 0");
  auto ops = detail::check_qkv<T>(what, detail::dview(Q), detail::dview(K), detail::dview(V), true);
  dtensor<T> out{dyn_extents(ops.out_shape)};
  const index n = ops.n, d = ops.d, nd = n * d;
  const T eps = static_cast<T>(opt.eps);
  auto run = [&](index b) {
    const T *q = ops.q + b * nd, *k = ops.k + b * nd, *v = ops.v + b * nd;
    T* y = out.data() + b * nd;
    if (!opt.causal) return detail::interaction_full(q, k, v, y, n, d, eps);
    interaction_state<T> st(d);
    for (index t = 0; t < n; ++t) st.step(q + t * d, k + t * d, v + t * d, y + t * d, eps);
  };
  [[maybe_unused]] const int threads = exec::thread_count(policy);
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(dynamic) if (threads > 1 && ops.slices > 1)
#endif
  for (index b = 0; b < ops.slices; ++b) run(b);
  return out;
}
template <tensor_like Qx, tensor_like Kx, tensor_like Vx>
dtensor<value_type_of_t<Qx>> tensor_interaction(const Qx& Q, const Kx& K, const Vx& V,
                                                const interaction_options& opt = {}) {
  return tensor_interaction(exec::seq, Q, K, V, opt);
}

/// Causal tensor interaction one token at a time: step(q, k, v) with (d,) or (heads, d) each.
template <class T>
class interaction_stream {
  static_assert(std::is_floating_point_v<T>, "interaction_stream: the element type must be float or double");

 public:
  explicit interaction_stream(index d, index heads = 1, double eps = 1e-12) : heads_(heads), eps_(static_cast<T>(eps)) {
    if (d < 0 || heads < 1)
      throw shape_error("tenet::interaction_stream: d = " + std::to_string(d) + ", heads = " + std::to_string(heads) +
                        " (need d >= 0 and heads >= 1)");
    if (!(eps >= 0)) throw error("tenet::interaction_stream: eps must be >= 0");
    states_.assign(static_cast<std::size_t>(heads), interaction_state<T>(d));
  }

  index heads() const noexcept { return heads_; }
  index d() const noexcept { return states_.front().d(); }
  index position() const noexcept { return pos_; }
  /// heads * (d^2 + 1) values.
  std::size_t state_bytes() const noexcept { return states_.size() * states_.front().bytes(); }
  const interaction_state<T>& state(index head = 0) const { return states_.at(static_cast<std::size_t>(head)); }
  void reset() {
    for (auto& s : states_) s.reset();
    pos_ = 0;
  }

  template <tensor_like Qx, tensor_like Kx, tensor_like Vx>
  dtensor<T> step(const Qx& q, const Kx& k, const Vx& v) {
    static_assert(std::is_same_v<T, value_type_of_t<Qx>> && std::is_same_v<T, value_type_of_t<Kx>> &&
                      std::is_same_v<T, value_type_of_t<Vx>>,
                  "interaction_stream::step: q, k and v must have the stream's element type");
    const auto qv = detail::dview(q), kv = detail::dview(k), vv = detail::dview(v);
    const std::string msg = "tenet::interaction_stream::step: q of shape " + detail::shape_string(qv.extents()) +
                            ", k of shape " + detail::shape_string(kv.extents()) + " and v of shape " +
                            detail::shape_string(vv.extents());
    dtensor<T> qc, kc, vc;
    const T* qp = detail::check_step_vector(msg, "q", qv, heads_, d(), qc);
    const T* kp = detail::check_step_vector(msg, "k", kv, heads_, d(), kc);
    const T* vp = detail::check_step_vector(msg, "v", vv, heads_, d(), vc);
    if (qv.rank() != kv.rank() || qv.rank() != vv.rank())
      throw shape_error(msg + ": q, k and v must have the same rank");
    dtensor<T> y = qv.rank() == 1 ? dtensor<T>(d()) : dtensor<T>(heads_, d());
    const index D = d();
    for (index h = 0; h < heads_; ++h)
      states_[static_cast<std::size_t>(h)].step(qp + h * D, kp + h * D, vp + h * D, y.data() + h * D, eps_);
    ++pos_;
    return y;
  }

 private:
  index heads_ = 1, pos_ = 0;
  T eps_ = 0;
  std::vector<interaction_state<T>> states_;
};

}  // namespace tenet
