#pragma once
// What tensor attention can be asked to compute (MATH.md 2.1), and the shape checks and
// per-(batch, head) slicing that the batch, streaming and interaction forms share.
//   attention_options{.variant, .normalization, .causal, .lambda, .eps, .chunk}
// Operands are (..., n, d): every mode before the last two is a batch mode (batch, heads),
// and one attention runs per slice of those modes.
#include <cstddef>
#include <string>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/core/traits.hpp"
#include "tenet/ops/common.hpp"

namespace tenet {

/// Which n x n operator: T_Q = Q (K^T K) Q^T or T_K = K (Q^T Q) K^T. T_K is T_Q with Q and
/// K exchanged, for every other option too.
enum class attention_variant { tq, tk };

/// How the output is scaled. `trace` divides by tau, the trace of the operator applied (for
/// causal none and global_tril: tau = sum((K^T K) o (Q^T Q))); `diagonal` divides row i by
/// the operator's (i, i) entry; `row_sums` by row i's sum; `residual` gives
/// (T + lambda tau I) V / tau; `none` leaves T V. Every divisor gets + eps.
enum class attention_norm { trace, diagonal, row_sums, residual, none };

/// Causal forms: none; global_tril = tril(T_Q) V with global K^T K; prefix = running sums
/// o_t = q_t^T S_t C_t; masked = (((L o QK^T)(L o QK^T)^T) o L) V.
enum class attention_causal { none, global_tril, prefix, masked };

struct attention_options {
  attention_variant variant = attention_variant::tq;
  attention_norm normalization = attention_norm::trace;
  attention_causal causal = attention_causal::none;
  double lambda = 0.0;  // attention_norm::residual only
  double eps = 1e-12;   // added to every divisor, so that zero inputs give 0, not NaN
  index chunk = 0;      // prefix and masked: tokens per chunk of the chunked pass (0: n, one chunk)
};

inline const char* to_string(attention_norm n) noexcept {
  switch (n) {
    case attention_norm::trace: return "trace";
    case attention_norm::diagonal: return "diagonal";
    case attention_norm::row_sums: return "row_sums";
    case attention_norm::residual: return "residual";
    case attention_norm::none: return "none";
  }
  return "?";
}
inline const char* to_string(attention_causal c) noexcept {
  switch (c) {
    case attention_causal::none: return "none";
    case attention_causal::global_tril: return "global_tril";
    case attention_causal::prefix: return "prefix";
    case attention_causal::masked: return "masked";
  }
  return "?";
}

namespace detail {

inline std::size_t usz(index i) noexcept { return static_cast<std::size_t>(i); }

/// Q, K, V of shape (..., n, d), (..., n, d), (..., n, dv), as contiguous row-major data
/// (strided operands are copied once, O(n d)), with the slice sizes the kernels need.
template <class T>
struct qkv_operands {
  dtensor<T> qc, kc, vc;  // copies, used only when an operand is not contiguous
  const T *q = nullptr, *k = nullptr, *v = nullptr;
  index slices = 1, n = 0, d = 0, dv = 0;
  std::vector<index> out_shape;  // (..., n, dv)

  static const T* contiguous(const dtensor_view<const T>& x, dtensor<T>& copy) {
    if (x.is_contiguous()) return x.data();
    copy = dtensor<T>(x);
    return copy.data();
  }
};

/// Checks the shapes (`what` names the operation) and returns the operands; with
/// `square_v`, V must have dv = d (tensor interaction).
template <class T>
qkv_operands<T> check_qkv(const char* what, const dtensor_view<const T>& q, const dtensor_view<const T>& k,
                          const dtensor_view<const T>& v, bool square_v = false) {
  const std::string msg = std::string(what) + ": Q of shape " + shape_string(q.extents()) + ", K of shape " +
                          shape_string(k.extents()) + " and V of shape " + shape_string(v.extents());
  const std::size_t R = q.rank();
  if (R < 2) throw shape_error(msg + ": Q must be (n, d) or (..., n, d), e.g. (batch, heads, n, d)");
  if (k.rank() != R || v.rank() != R) throw shape_error(msg + ": Q, K and V must have the same rank");
  for (std::size_t r = 0; r < R; ++r)
    if (k.extent(r) != q.extent(r)) throw shape_error(msg + ": K's shape differs from Q's");
  for (std::size_t r = 0; r + 1 < R; ++r)
    if (v.extent(r) != q.extent(r))
      throw shape_error(msg + ": V's extent " + std::to_string(v.extent(r)) + " in mode " + std::to_string(r) +
                        " differs from Q's " + std::to_string(q.extent(r)));
  if (square_v && v.extent(R - 1) != q.extent(R - 1))
    throw shape_error(msg + ": V's last extent (dv = " + std::to_string(v.extent(R - 1)) +
                      ") must equal d = " + std::to_string(q.extent(R - 1)));
  qkv_operands<T> o;
  for (std::size_t r = 0; r + 2 < R; ++r) o.slices *= q.extent(r);
  o.n = q.extent(R - 2), o.d = q.extent(R - 1), o.dv = v.extent(R - 1);
  for (std::size_t r = 0; r + 1 < R; ++r) o.out_shape.push_back(q.extent(r));
  o.out_shape.push_back(o.dv);
  o.q = qkv_operands<T>::contiguous(q, o.qc);
  o.k = qkv_operands<T>::contiguous(k, o.kc);
  o.v = qkv_operands<T>::contiguous(v, o.vc);
  return o;
}

/// A vector argument of a streaming step: rank 1 of extent e (one head) or (heads, e).
template <class T>
const T* check_step_vector(const std::string& msg, const char* name, const dtensor_view<const T>& x, index heads,
                           index e, dtensor<T>& copy) {
  const bool ok = (x.rank() == 1 && heads == 1 && x.extent(0) == e) ||
                  (x.rank() == 2 && x.extent(0) == heads && x.extent(1) == e);
  if (!ok)
    throw shape_error(msg + ": " + name + " must be (" + std::to_string(e) + ",) or (" + std::to_string(heads) +
                      ", " + std::to_string(e) + ")");
  return qkv_operands<T>::contiguous(x, copy);
}

}  // namespace detail
}  // namespace tenet
