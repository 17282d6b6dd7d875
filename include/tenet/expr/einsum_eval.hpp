#pragma once
// Evaluation of a parsed einsum over run-time views: shape checks with readable messages,
// then pairwise contraction in the order of least flops (einsum_path.hpp).
#include <span>
#include <string>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/exec/contract.hpp"
#include "tenet/exec/copy.hpp"
#include "tenet/expr/einsum_path.hpp"
#include "tenet/expr/einsum_shape.hpp"
#include "tenet/expr/einsum_spec.hpp"

namespace tenet::detail {

/// Checks operand ranks and label extents; returns the output extents.
template <class T>
std::vector<index> einsum_output_extents(const einsum_spec& s, std::span<const dtensor_view<const T>> ops) {
  std::vector<std::vector<index>> shapes;
  shapes.reserve(ops.size());
  for (const auto& v : ops) shapes.emplace_back(v.extents().as_span().begin(), v.extents().as_span().end());
  return einsum_output_shape(s, shapes);
}

inline std::vector<int> to_ints(std::string_view l) { return {l.begin(), l.end()}; }

/// out = einsum(s, ops...) for views of one element type; `out` has the output extents.
template <class P, class T>
void einsum_into(P policy, const einsum_spec& s, std::span<const dtensor_view<const T>> ops,
                 const dtensor_view<T>& out, bool accumulate = false, const einsum_order* order = nullptr) {
  const auto out_labels = to_ints(s.output());
  if (s.n_ops == 1) {
    // One operand: its diagonal, summed over what the output lacks, permuted.
    const auto la = to_ints(s.operand(0));
    auto p = exec::detail::prepare<T>(ops[0], la, out_labels, {});
    std::vector<index> str(out_labels.size());
    for (std::size_t r = 0; r < out_labels.size(); ++r) {
      const std::size_t q = static_cast<std::size_t>(std::find(p.labels.begin(), p.labels.end(), out_labels[r]) -
                                                     p.labels.begin());
      str[r] = p.v.stride(q);
    }
    dtensor_view<const T> src(p.v.data(), out.extents(), str);
    if (accumulate) {
      std::vector<exec::detail::loop_dim> ld(out.rank());
      for (std::size_t r = 0; r < out.rank(); ++r) ld[r] = {out.extent(r), out.stride(r), str[r]};
      exec::detail::strided_apply(std::move(ld), out.data(), src.data(),
                                  [](const T& x, const T& y) { return x + y; }, exec::thread_count(policy));
    } else {
      exec::copy(policy, src, out);
    }
    return;
  }
  // Pairwise, in the order of least flops: planned here unless the caller planned it (a static
  // einsum does, at compile time). Intermediates keep what the output or a live operand needs.
  if (s.n_ops == 2) {
    exec::contract(policy, ops[0], to_ints(s.operand(0)), ops[1], to_ints(s.operand(1)), out, out_labels, accumulate);
    return;
  }
  const einsum_order planned = order ? einsum_order{} : plan_einsum_order<T>(s, ops);
  einsum_contract_in_order(policy, s, ops, out, accumulate, order ? *order : planned);
}

}  // namespace tenet::detail
