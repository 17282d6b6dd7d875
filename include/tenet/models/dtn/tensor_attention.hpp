#pragma once
// Tensor attention (MATH.md 2.1), batch form:
//   tensor_attention(policy?, Q, K, V, options) for Q, K of shape (..., n, d) and V of shape
//   (..., n, dv), e.g. (n, d) or (batch, heads, n, d); returns (..., n, dv).
//   TA_Q = Q (K^T K)(Q^T V) / tau, tau = sum((K^T K) o (Q^T Q)); TA_K swaps Q and K.
// No n x n matrix is formed: cost O(n d^2 + n d dv) per (batch, head) (+ d^2 dv for
// (K^T K)(Q^T V) when not causal). The non-causal form's products are tenet GEMMs (labelled
// assignments); global_tril, prefix and masked run token by token.
// prefix and masked run on attention_state, in chunks of options.chunk tokens: each chunk's
// state is summed on its own, an exclusive scan of the chunk combine gives every chunk its
// starting state, and the chunks are then replayed (under exec::par, in parallel).
#include <algorithm>
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/label.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/core/traits.hpp"
#include "tenet/core/tensor_view.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/expr/labelled.hpp"
#include "tenet/models/dtn/attention_options.hpp"
#include "tenet/models/dtn/attention_state.hpp"

namespace tenet {

namespace detail {

namespace dtn_labels {
// Labels of the GEMMs below: t (tokens); a, c (modes of d); j (of dv).
inline constexpr label<'t'> lt{};
inline constexpr label<'a'> la{};
inline constexpr label<'c'> lc{};
inline constexpr label<'j'> lj{};
}  // namespace dtn_labels

inline void check_attention_options(const char* what, const attention_options& o) {
  if (o.chunk < 0) throw error(std::string(what) + ": options.chunk is " + std::to_string(o.chunk) + ", must be >= 0");
  if (!(o.eps >= 0)) throw error(std::string(what) + ": options.eps must be >= 0");
}

/// One (batch, head) slice: q, k rows of d, v and out rows of dv, n tokens; already swapped for T_K.
template <class T>
struct attention_slice {
  const T *q, *k, *v;
  T* out;
  index n, d, dv;
};

/// out = the scaled rows once the numerators are in out: trace and residual (tau known at the end).
template <class T>
void scale_by_trace(const attention_slice<T>& s, const attention_options& opt, T tau) {
  const T den = tau + static_cast<T>(opt.eps);
  const T lt = opt.normalization == attention_norm::residual ? static_cast<T>(opt.lambda) * tau : T(0);
  for (index t = 0; t < s.n; ++t)
    for (index j = 0; j < s.dv; ++j) {
      T& o = s.out[t * s.dv + j];
      o = (o + lt * s.v[t * s.dv + j]) / den;
    }
}

/// Divides row t by den + eps (diagonal, row_sums); none leaves it.
template <class T>
void scale_row(T* o, index dv, const attention_options& opt, T row_sum, T diag) {
  if (opt.normalization != attention_norm::diagonal && opt.normalization != attention_norm::row_sums) return;
  const T den = (opt.normalization == attention_norm::diagonal ? diag : row_sum) + static_cast<T>(opt.eps);
  for (index j = 0; j < dv; ++j) o[j] /= den;
}

/// out = X^T Y for X of n x a, Y of n x b (row-major rows), a GEMM.
template <class T>
void gram(const T* x, const T* y, index n, index a, index b, std::vector<T>& out) {
  using namespace detail::dtn_labels;
  out.assign(usz(a * b), T(0));
  const dtensor_view<const T> X(x, dyn_extents{n, a}), Y(y, dyn_extents{n, b});
  dtensor_view<T> O(out.data(), dyn_extents{a, b});
  assign(exec::seq, O(la, lc), X(lt, la) * Y(lt, lc));
}

/// causal none: Q (K^T K)(Q^T V), then the normalization.
template <class T>
void attention_full(const attention_slice<T>& s, const attention_options& opt) {
  const index n = s.n, d = s.d, dv = s.dv;
  using namespace detail::dtn_labels;
  std::vector<T> A, B, W(usz(d * dv), T(0));
  gram(s.k, s.k, n, d, d, A);   // K^T K
  gram(s.q, s.v, n, d, dv, B);  // Q^T V
  {
    const dtensor_view<const T> Av(A.data(), dyn_extents{d, d}), Bv(B.data(), dyn_extents{d, dv}),
        Qv(s.q, dyn_extents{n, d});
    dtensor_view<T> Wv(W.data(), dyn_extents{d, dv}), Ov(s.out, dyn_extents{n, dv});
    assign(exec::seq, Wv(la, lj), Av(la, lc) * Bv(lc, lj));
    assign(exec::seq, Ov(lt, lj), Qv(lt, la) * Wv(la, lj));  // the numerators Q W
  }
  std::vector<T> w(usz(d), T(0));  // row_sums: (K^T K)(Q^T 1)
  if (opt.normalization == attention_norm::row_sums) {
    std::vector<T> m(usz(d), T(0));
    for (index t = 0; t < n; ++t)
      for (index a = 0; a < d; ++a) m[usz(a)] += s.q[t * d + a];
    for (index a = 0; a < d; ++a)
      for (index c = 0; c < d; ++c) w[usz(a)] += A[usz(a * d + c)] * m[usz(c)];
  }
  for (index t = 0; t < n; ++t) {
    const T* q = s.q + t * d;
    T* o = s.out + t * dv;
    T row_sum = 0, diag = 0;
    if (opt.normalization == attention_norm::row_sums)
      for (index a = 0; a < d; ++a) row_sum += q[a] * w[usz(a)];
    if (opt.normalization == attention_norm::diagonal)
      for (index a = 0; a < d; ++a) {
        T ua = 0;
        for (index c = 0; c < d; ++c) ua += A[usz(a * d + c)] * q[c];
        diag += q[a] * ua;
      }
    scale_row(o, dv, opt, row_sum, diag);
  }
  if (opt.normalization == attention_norm::trace || opt.normalization == attention_norm::residual) {
    std::vector<T> P;
    gram(s.q, s.q, n, d, d, P);  // tau = sum((K^T K) o (Q^T Q)), Lemma 4.4
    T tau = 0;
    for (std::size_t i = 0; i < A.size(); ++i) tau += A[i] * P[i];
    scale_by_trace(s, opt, tau);
  }
}

/// global_tril: o_t = q_t^T (K^T K) C_t with C_t = sum_{s<=t} q_s v_s^T; tau = sum of the diagonal.
template <class T>
void attention_global_tril(const attention_slice<T>& s, const attention_options& opt) {
  const index n = s.n, d = s.d, dv = s.dv;
  std::vector<T> A, C(usz(d * dv), T(0)), m(usz(d), T(0)), u(usz(d));
  gram(s.k, s.k, n, d, d, A);
  T tau = 0;
  for (index t = 0; t < n; ++t) {
    const T* q = s.q + t * d;
    const T* v = s.v + t * dv;
    T* o = s.out + t * dv;
    for (index a = 0; a < d; ++a) {
      for (index j = 0; j < dv; ++j) C[usz(a * dv + j)] += q[a] * v[j];
      m[usz(a)] += q[a];
    }
    std::fill(u.begin(), u.end(), T(0));
    for (index a = 0; a < d; ++a)
      for (index c = 0; c < d; ++c) u[usz(c)] += q[a] * A[usz(a * d + c)];
    std::fill(o, o + dv, T(0));
    T row_sum = 0, diag = 0;
    for (index a = 0; a < d; ++a) {
      for (index j = 0; j < dv; ++j) o[j] += u[usz(a)] * C[usz(a * dv + j)];
      row_sum += u[usz(a)] * m[usz(a)];
      diag += u[usz(a)] * q[a];
    }
    tau += diag;
    scale_row(o, dv, opt, row_sum, diag);
  }
  if (opt.normalization == attention_norm::trace || opt.normalization == attention_norm::residual)
    scale_by_trace(s, opt, tau);
}

/// prefix and masked, chunked (see the top of this file). `threads` > 1 runs the chunks in parallel.
template <class T>
void attention_running(int threads, const attention_slice<T>& s, const attention_options& opt) {
  const index n = s.n, d = s.d, dv = s.dv;
  if (n == 0) return;
  const bool masked = opt.causal == attention_causal::masked;
  const index c = opt.chunk > 0 ? std::min(opt.chunk, n) : n;
  const index nch = (n + c - 1) / c;
  // start[j]: the state before chunk j. First start[j + 1] = chunk j alone, then the scan.
  std::vector<attention_state<T>> start(usz(nch), attention_state<T>(d, dv, masked));
  std::vector<T> tau(usz(nch), T(0));
  auto push_range = [&](attention_state<T>& st, index lo, index hi) {
    for (index t = lo; t < hi; ++t) st.push(s.q + t * d, s.k + t * d, s.v + t * dv);
  };
  [[maybe_unused]] const bool par = threads > 1 && nch > 1;
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static) if (par)
#endif
  for (index j = 0; j < nch - 1; ++j) push_range(start[usz(j + 1)], j * c, (j + 1) * c);
  for (index j = 2; j < nch; ++j) {
    attention_state<T> acc = start[usz(j - 1)];
    acc.append(start[usz(j)]);
    start[usz(j)] = std::move(acc);
  }
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static) if (par)
#endif
  for (index j = 0; j < nch; ++j) {
    attention_state<T>& st = start[usz(j)];
    for (index t = j * c; t < std::min(n, (j + 1) * c); ++t) {
      const T* q = s.q + t * d;
      st.push(q, s.k + t * d, s.v + t * dv);
      const auto r = st.read(q, s.out + t * dv);
      tau[usz(j)] += r.diag;
      scale_row(s.out + t * dv, dv, opt, r.row_sum, r.diag);
    }
  }
  if (opt.normalization == attention_norm::trace || opt.normalization == attention_norm::residual) {
    T total = 0;
    for (T x : tau) total += x;
    scale_by_trace(s, opt, total);
  }
}

template <class T>
void attention_slice_run(int threads, const attention_slice<T>& s, const attention_options& opt) {
  switch (opt.causal) {
    case attention_causal::none: attention_full(s, opt); break;
    case attention_causal::global_tril: attention_global_tril(s, opt); break;
    case attention_causal::prefix:
    case attention_causal::masked: attention_running(threads, s, opt); break;
  }
}

}  // namespace detail

/// Tensor attention of Q, K (..., n, d) and V (..., n, dv); one attention per leading index.
/// exec::par splits the (batch, head) slices across threads, or, with fewer slices than
/// threads, the chunks of prefix and masked. Throws shape_error (both shapes in the message).
template <class Pol, tensor_like Qx, tensor_like Kx, tensor_like Vx>
  requires execution_policy<Pol>
dtensor<value_type_of_t<Qx>> tensor_attention(Pol policy, const Qx& Q, const Kx& K, const Vx& V,
                                              const attention_options& opt = {}) {
  using T = value_type_of_t<Qx>;
  static_assert(std::is_same_v<T, value_type_of_t<Kx>> && std::is_same_v<T, value_type_of_t<Vx>>,
                "tensor_attention: Q, K and V must have the same element type");
  static_assert(std::is_floating_point_v<T>, "tensor_attention: the element type must be float or double");
  constexpr const char* what = "tenet::tensor_attention";
  detail::check_attention_options(what, opt);
  auto ops = detail::check_qkv<T>(what, detail::dview(Q), detail::dview(K), detail::dview(V));
  dtensor<T> out{dyn_extents(ops.out_shape)};
  const bool tk = opt.variant == attention_variant::tk;
  const index nd = ops.n * ops.d, nv = ops.n * ops.dv;
  auto slice = [&](index b) {
    const T* q = ops.q + b * nd;
    const T* k = ops.k + b * nd;
    return detail::attention_slice<T>{tk ? k : q, tk ? q : k, ops.v + b * nv, out.data() + b * nv,
                                      ops.n, ops.d, ops.dv};
  };
  const int threads = exec::thread_count(policy);
  if (threads > 1 && ops.slices >= threads) {
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(dynamic)
#endif
    for (index b = 0; b < ops.slices; ++b) detail::attention_slice_run(1, slice(b), opt);
  } else {
    for (index b = 0; b < ops.slices; ++b) detail::attention_slice_run(threads, slice(b), opt);
  }
  return out;
}
template <tensor_like Qx, tensor_like Kx, tensor_like Vx>
dtensor<value_type_of_t<Qx>> tensor_attention(const Qx& Q, const Kx& K, const Vx& V,
                                              const attention_options& opt = {}) {
  return tensor_attention(exec::seq, Q, K, V, opt);
}

}  // namespace tenet
