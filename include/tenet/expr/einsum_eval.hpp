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
#include "tenet/expr/einsum_spec.hpp"

namespace tenet::detail {

inline std::string einsum_context(const einsum_spec& s) {
  // Appends only: GCC 12's -Wrestrict misfires on `"," + std::string(...)` at -O3.
  std::string r = "tenet::einsum(\"";
  for (int i = 0; i < s.n_ops; ++i) {
    if (i) r += ',';
    r += s.operand(i);
  }
  r += "->";
  r += s.output();
  r += "\")";
  return r;
}

/// Checks operand ranks and label extents; returns the output extents.
template <class T>
std::vector<index> einsum_output_extents(const einsum_spec& s, std::span<const dtensor_view<const T>> ops) {
  if (static_cast<int>(ops.size()) != s.n_ops) {
    std::string given;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      if (i) given += ", ";
      given += shape_string(ops[i].extents());
    }
    throw shape_error(einsum_context(s) + ": the subscripts name " + std::to_string(s.n_ops) +
                      " operands but " + std::to_string(ops.size()) + " were given, of shapes " + given);
  }
  index ext[128];
  int where[128];
  std::fill(std::begin(ext), std::end(ext), -1);
  for (int i = 0; i < s.n_ops; ++i) {
    const auto lab = s.operand(i);
    if (lab.size() != ops[i].rank())
      throw shape_error(einsum_context(s) + ": operand " + std::to_string(i) + " has shape " +
                        shape_string(ops[i].extents()) + " but " + std::to_string(lab.size()) +
                        " labels '" + std::string(lab) + "'");
    for (std::size_t r = 0; r < lab.size(); ++r) {
      const int l = static_cast<unsigned char>(lab[r]);
      if (ext[l] < 0) {
        ext[l] = ops[i].extent(r);
        where[l] = i;
      } else if (ext[l] != ops[i].extent(r)) {
        throw shape_error(einsum_context(s) + ": label '" + lab[r] + "' has extent " + std::to_string(ext[l]) +
                          " in operand " + std::to_string(where[l]) + " of shape " +
                          shape_string(ops[where[l]].extents()) + " but " + std::to_string(ops[i].extent(r)) +
                          " in operand " + std::to_string(i) + " of shape " + shape_string(ops[i].extents()));
      }
    }
  }
  std::vector<index> out;
  for (char c : s.output()) out.push_back(ext[static_cast<unsigned char>(c)]);
  return out;
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
