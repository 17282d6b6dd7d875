#pragma once
// Evaluation of a parsed einsum over run-time views: shape checks with readable messages,
// then pairwise contraction from left to right (the networks layer adds ordering).
#include <span>
#include <string>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/exec/contract.hpp"
#include "tenet/exec/copy.hpp"
#include "tenet/expr/einsum_spec.hpp"

namespace tenet::detail {

inline std::string einsum_context(const einsum_spec& s) {
  std::string r = "tenet::einsum(\"";
  for (int i = 0; i < s.n_ops; ++i) r += (i ? "," : "") + std::string(s.operand(i));
  return r + "->" + std::string(s.output()) + "\")";
}

/// Checks operand ranks and label extents; returns the output extents.
template <class T>
std::vector<index> einsum_output_extents(const einsum_spec& s, std::span<const dtensor_view<const T>> ops) {
  if (static_cast<int>(ops.size()) != s.n_ops)
    throw shape_error(einsum_context(s) + ": the subscripts name " + std::to_string(s.n_ops) +
                      " operands but " + std::to_string(ops.size()) + " were given");
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
                 const dtensor_view<T>& out, bool accumulate = false) {
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
  // Left to right; an intermediate keeps the labels that the output or a later operand needs.
  dtensor<T> acc;
  dtensor_view<const T> cur = ops[0];
  std::vector<int> cur_labels = to_ints(s.operand(0));
  for (int i = 1; i < s.n_ops; ++i) {
    const auto lb = to_ints(s.operand(i));
    if (i == s.n_ops - 1) {
      exec::contract(policy, cur, cur_labels, ops[i], lb, out, out_labels, accumulate);
      return;
    }
    std::vector<int> keep;
    std::vector<index> ext;
    auto needed = [&](int l) {
      if (std::find(out_labels.begin(), out_labels.end(), l) != out_labels.end()) return true;
      for (int j = i + 1; j < s.n_ops; ++j)
        if (s.operand(j).find(static_cast<char>(l)) != std::string_view::npos) return true;
      return false;
    };
    auto consider = [&](const std::vector<int>& labels, const dtensor_view<const T>& v) {
      for (std::size_t r = 0; r < labels.size(); ++r)
        if (needed(labels[r]) && std::find(keep.begin(), keep.end(), labels[r]) == keep.end()) {
          keep.push_back(labels[r]);
          ext.push_back(v.extent(r));
        }
    };
    consider(cur_labels, cur);
    consider(lb, ops[i]);
    dtensor<T> next{dyn_extents(ext)};
    exec::contract(policy, cur, cur_labels, ops[i], lb, next.view(), keep);
    acc = std::move(next);
    cur = acc.view();
    cur_labels = keep;
  }
}

}  // namespace tenet::detail
