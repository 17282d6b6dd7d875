#pragma once
// Streaming causal tensor attention (MATH.md 2.1): one token at a time, for the prefix and
// masked forms, with O(d^2 + d dv) state per head whatever the number of tokens.
//   attention_stream<T> s(d, dv, {.normalization = attention_norm::row_sums,
//                                 .causal = attention_causal::prefix}, heads);
//   auto o = s.step(q, k, v);   // q, k: (d,) or (heads, d); v: (dv,) or (heads, dv)
// Normalizations: none, row_sums, diagonal. trace and residual need the whole sequence (tau
// is a sum over all tokens), so only the batch tensor_attention offers them.
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/core/traits.hpp"
#include "tenet/models/dtn/attention_options.hpp"
#include "tenet/models/dtn/attention_state.hpp"
#include "tenet/models/dtn/tensor_attention.hpp"

namespace tenet {

template <class T>
class attention_stream {
  static_assert(std::is_floating_point_v<T>, "attention_stream: the element type must be float or double");

 public:
  /// Throws tenet::error for a causal form other than prefix or masked, or a normalization
  /// other than none, row_sums or diagonal; shape_error for negative sizes.
  attention_stream(index d, index dv, const attention_options& opt, index heads = 1) : opt_(opt), heads_(heads) {
    const std::string what = "tenet::attention_stream";
    if (d < 0 || dv < 0 || heads < 1)
      throw shape_error(what + ": d = " + std::to_string(d) + ", dv = " + std::to_string(dv) + ", heads = " +
                        std::to_string(heads) + " (need d, dv >= 0 and heads >= 1)");
    detail::check_attention_options(what.c_str(), opt);
    if (opt.causal != attention_causal::prefix && opt.causal != attention_causal::masked)
      throw error(what + ": causal form " + to_string(opt.causal) + " does not stream; use prefix or masked");
    if (opt.normalization == attention_norm::trace || opt.normalization == attention_norm::residual)
      throw error(what + ": normalization " + to_string(opt.normalization) +
                  " needs the whole sequence; a stream offers none, row_sums and diagonal");
    states_.assign(static_cast<std::size_t>(heads), attention_state<T>(d, dv, opt.causal == attention_causal::masked));
  }

  index heads() const noexcept { return heads_; }
  index d() const noexcept { return states_.front().d(); }
  index dv() const noexcept { return states_.front().dv(); }
  /// Tokens seen since construction or reset().
  index position() const noexcept { return pos_; }
  /// Bytes of state over all heads: heads * (d^2 + d dv + d) values for prefix, and another
  /// d dv + d for masked.
  std::size_t state_bytes() const noexcept { return states_.size() * states_.front().bytes(); }
  const attention_state<T>& state(index head = 0) const { return states_.at(static_cast<std::size_t>(head)); }

  void reset() {
    for (auto& s : states_) s.reset();
    pos_ = 0;
  }

  /// Takes token t (q, k, v per head) and returns o_t: (dv,) for rank-1 inputs, else (heads, dv).
  template <tensor_like Qx, tensor_like Kx, tensor_like Vx>
  dtensor<T> step(const Qx& q, const Kx& k, const Vx& v) {
    static_assert(std::is_same_v<T, value_type_of_t<Qx>> && std::is_same_v<T, value_type_of_t<Kx>> &&
                      std::is_same_v<T, value_type_of_t<Vx>>,
                  "attention_stream::step: q, k and v must have the stream's element type");
    const auto qv = detail::dview(q), kv = detail::dview(k), vv = detail::dview(v);
    const std::string msg = "tenet::attention_stream::step: q of shape " + detail::shape_string(qv.extents()) +
                            ", k of shape " + detail::shape_string(kv.extents()) + " and v of shape " +
                            detail::shape_string(vv.extents());
    dtensor<T> qc, kc, vc;
    const T* qp = detail::check_step_vector(msg, "q", qv, heads_, d(), qc);
    const T* kp = detail::check_step_vector(msg, "k", kv, heads_, d(), kc);
    const T* vp = detail::check_step_vector(msg, "v", vv, heads_, dv(), vc);
    if (qv.rank() != kv.rank() || qv.rank() != vv.rank())
      throw shape_error(msg + ": q, k and v must have the same rank");
    dtensor<T> o = qv.rank() == 1 ? dtensor<T>(dv()) : dtensor<T>(heads_, dv());
    step_into(qp, kp, vp, o.data());
    return o;
  }

  /// step() on raw contiguous data: q, k of heads x d, v and o of heads x dv (no checks).
  void step_into(const T* q, const T* k, const T* v, T* o) {
    const bool tk = opt_.variant == attention_variant::tk;  // T_K: Q and K exchange roles
    const index D = d(), DV = dv();
    for (index h = 0; h < heads_; ++h) {
      const T* qh = (tk ? k : q) + h * D;
      const T* kh = (tk ? q : k) + h * D;
      attention_state<T>& st = states_[static_cast<std::size_t>(h)];
      st.push(qh, kh, v + h * DV);
      const auto r = st.read(qh, o + h * DV);
      detail::scale_row(o + h * DV, DV, opt_, r.row_sum, r.diag);
    }
    ++pos_;
  }

 private:
  attention_options opt_;
  index heads_ = 1, pos_ = 0;
  std::vector<attention_state<T>> states_;
};

}  // namespace tenet
