#pragma once
// The running state of causal tensor attention for one head (MATH.md 2.1):
//   S = sum k_i k_i^T (d x d), C = sum q_i v_i^T (d x dv), m = sum q_i (d), and for the
//   masked form also G = sum k_i (k_i^T C_{i-1}) (d x dv), h = sum k_i (k_i^T m_{i-1}) (d).
// push() adds one token in O(d^2 + d dv); read() gives o_t = q^T S C (- q^T G) and the two
// divisors (row sum, diagonal) in O(d^2 + d dv). append() is the associative chunk combine
// "this, then b": (S+S_b, C+C_b, m+m_b, G+G_b+S_b C, h+h_b+S_b m), O(d^2 dv).
#include <algorithm>
#include <cstddef>
#include <vector>

#include "tenet/core/extents.hpp"

namespace tenet {

template <class T>
class attention_state {
 public:
  /// What read() returns besides the output row: the divisors of the row_sums and diagonal
  /// normalizations (the row's sum and (t, t) entry of the causal operator).
  struct readout {
    T row_sum, diag;
  };

  attention_state() = default;
  attention_state(index d, index dv, bool masked)
      : d_(d), dv_(dv), masked_(masked),
        S_(sz(d * d)), C_(sz(d * dv)), m_(sz(d)), G_(masked ? sz(d * dv) : 0), h_(masked ? sz(d) : 0), a_(sz(d)) {}

  index d() const noexcept { return d_; }
  index dv() const noexcept { return dv_; }
  bool masked() const noexcept { return masked_; }
  /// Row-major S (d x d), C (d x dv), m (d), G (d x dv), h (d); G and h are empty unless masked.
  const std::vector<T>& S() const noexcept { return S_; }
  const std::vector<T>& C() const noexcept { return C_; }
  const std::vector<T>& m() const noexcept { return m_; }
  const std::vector<T>& G() const noexcept { return G_; }
  const std::vector<T>& h() const noexcept { return h_; }
  /// Bytes of state (independent of the number of tokens seen).
  std::size_t bytes() const noexcept { return (S_.size() + C_.size() + m_.size() + G_.size() + h_.size()) * sizeof(T); }

  void reset() {
    for (auto* x : {&S_, &C_, &m_, &G_, &h_}) std::fill(x->begin(), x->end(), T(0));
  }

  /// Adds token (q, k, v): q, k of d entries, v of dv. One pass over each of C, G and S
  /// (the state is larger than L1 for d = 64, so passes, not flops, set the time).
  void push(const T* q, const T* k, const T* v) {
    if (masked_) {  // G and h use C and m before this token: k^T C_{t-1}, k^T m_{t-1}
      kc_.assign(sz(dv_), T(0));
      T km = 0;
      for (index b = 0; b < d_; ++b) {
        const T kb = k[b], qb = q[b];
        T* Cb = C_.data() + b * dv_;
        km += kb * m_[sz(b)];
        for (index j = 0; j < dv_; ++j) {
          kc_[sz(j)] += kb * Cb[j];
          Cb[j] += qb * v[j];  // row b of C is read before it is updated
        }
      }
      for (index a = 0; a < d_; ++a) {
        for (index j = 0; j < dv_; ++j) G_[sz(a * dv_ + j)] += k[a] * kc_[sz(j)];
        h_[sz(a)] += k[a] * km;
      }
    } else {
      for (index a = 0; a < d_; ++a)
        for (index j = 0; j < dv_; ++j) C_[sz(a * dv_ + j)] += q[a] * v[j];
    }
    for (index a = 0; a < d_; ++a) {
      for (index b = 0; b < d_; ++b) S_[sz(a * d_ + b)] += k[a] * k[b];
      m_[sz(a)] += q[a];
    }
  }

  /// o (dv entries) = q^T S C, minus q^T G when masked (one pass over C and G together).
  readout read(const T* q, T* o) const {
    for (index a = 0; a < d_; ++a) {  // a_ = S q (S is symmetric: rows are columns)
      T sum = 0;
      for (index b = 0; b < d_; ++b) sum += S_[sz(a * d_ + b)] * q[b];
      a_[sz(a)] = sum;
    }
    std::fill(o, o + dv_, T(0));
    readout r{0, 0};
    for (index a = 0; a < d_; ++a) {
      const T sa = a_[sz(a)];
      const T* Ca = C_.data() + a * dv_;
      if (masked_) {
        const T qa = q[a];
        const T* Ga = G_.data() + a * dv_;
        for (index j = 0; j < dv_; ++j) o[j] += sa * Ca[j] - qa * Ga[j];
        r.row_sum -= qa * h_[sz(a)];
      } else {
        for (index j = 0; j < dv_; ++j) o[j] += sa * Ca[j];
      }
      r.row_sum += sa * m_[sz(a)];
      r.diag += sa * q[a];
    }
    return r;
  }

  /// *this becomes "*this, then b" (b: the state of the tokens that follow, started from zero).
  void append(const attention_state& b) {
    if (masked_) {
      for (index a = 0; a < d_; ++a)
        for (index c = 0; c < d_; ++c) {
          const T s = b.S_[sz(a * d_ + c)];
          for (index j = 0; j < dv_; ++j) G_[sz(a * dv_ + j)] += s * C_[sz(c * dv_ + j)];
          h_[sz(a)] += s * m_[sz(c)];
        }
      for (std::size_t i = 0; i < G_.size(); ++i) G_[i] += b.G_[i];
      for (std::size_t i = 0; i < h_.size(); ++i) h_[i] += b.h_[i];
    }
    for (std::size_t i = 0; i < S_.size(); ++i) S_[i] += b.S_[i];
    for (std::size_t i = 0; i < C_.size(); ++i) C_[i] += b.C_[i];
    for (std::size_t i = 0; i < m_.size(); ++i) m_[i] += b.m_[i];
  }

 private:
  static std::size_t sz(index i) noexcept { return static_cast<std::size_t>(i); }

  index d_ = 0, dv_ = 0;
  bool masked_ = false;
  std::vector<T> S_, C_, m_, G_, h_;
  // Scratch (S q in read(), k^T C in push()), not state: a state is used by one thread at a time.
  mutable std::vector<T> a_;
  std::vector<T> kc_;
};

/// The state of "a, then b" (MATH.md 2.1); a and b must have equal d, dv and form.
template <class T>
attention_state<T> combine(attention_state<T> a, const attention_state<T>& b) {
  a.append(b);
  return a;
}

}  // namespace tenet
