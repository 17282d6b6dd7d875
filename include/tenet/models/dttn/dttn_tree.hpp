#pragma once
// The unfolding of a stack of L DTTN blocks (MATH.md 1.2): a perfect binary tree of depth L
// whose nodes on level l all hold the CP core of block L-1-l (level 0, the root, is the last
// block; level L-1 meets the leaves and is block 0), with 2^L leaves, all x~ = [1; x] for
// the network. dttn_tree<T> contracts it in CP form (no dense core); to_ttn() makes the
// explicit tenet::ttn with dense level cores (each within a size limit).
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/models/dttn/aim_cp_core.hpp"
#include "tenet/models/dttn/aim_stack.hpp"
#include "tenet/network/ttn.hpp"

namespace tenet {

template <class T>
class dttn_tree {
 public:
  using value_type = T;

  /// levels[0] is the root's core, levels[L-1] the one next to the leaves; all of one size.
  explicit dttn_tree(std::vector<aim_cp_core<T>> levels) : levels_(std::move(levels)) {
    if (levels_.empty()) throw error("tenet::dttn_tree: no levels (a stack of zero blocks has no tree)");
    for (const auto& c : levels_) {
      c.check();
      if (c.size() != levels_[0].size())
        throw shape_error("tenet::dttn_tree: cores of size " + std::to_string(c.size()) + " and " +
                          std::to_string(levels_[0].size()) + " on one tree");
    }
  }

  std::size_t depth() const noexcept { return levels_.size(); }
  std::size_t n_leaves() const noexcept { return std::size_t(1) << levels_.size(); }
  /// D + 1, the size of every leaf and of the output.
  index leaf_size() const noexcept { return levels_[0].size(); }
  const aim_cp_core<T>& level(std::size_t l) const { return levels_.at(l); }

  /// Contracts from the leaves, leaves[j] of shape (D+1) or, all alike, (batch, D+1); returns
  /// (D+1) or (batch, D+1). 2^L - 1 CP applications; no dense core.
  template <class P>
    requires execution_policy<P>
  dtensor<T> contract(P policy, std::span<const dtensor_view<const T>> leaves) const {
    if (leaves.size() != n_leaves())
      throw shape_error("tenet::dttn_tree::contract: " + std::to_string(leaves.size()) + " leaf inputs for " +
                        std::to_string(n_leaves()) + " leaves");
    const std::size_t L = levels_.size();
    std::vector<dtensor<T>> vals;  // the values of the current level's children
    for (std::size_t q = 0; q < leaves.size() / 2; ++q)
      vals.push_back(levels_[L - 1].apply(policy, leaves[2 * q], leaves[2 * q + 1]));
    for (std::size_t l = L - 1; l-- > 0;) {
      std::vector<dtensor<T>> next;
      for (std::size_t q = 0; q < vals.size() / 2; ++q)
        next.push_back(levels_[l].apply(policy, vals[2 * q].view(), vals[2 * q + 1].view()));
      vals = std::move(next);
    }
    return std::move(vals[0]);
  }
  dtensor<T> contract(std::span<const dtensor_view<const T>> leaves) const { return contract(exec::seq, leaves); }
  /// x~ at every leaf.
  template <class P>
    requires execution_policy<P>
  dtensor<T> contract_same(P policy, dtensor_view<const T> x) const {
    const std::vector<dtensor_view<const T>> all(n_leaves(), x);
    return contract(policy, std::span<const dtensor_view<const T>>(all));
  }
  dtensor<T> contract_same(dtensor_view<const T> x) const { return contract_same(exec::seq, x); }

  /// The explicit tree tensor network: ttn<T>::perfect_binary over the dense level cores
  /// (out, left, right), one per level, shared by all its nodes. Throws shape_error when a
  /// core would exceed max_core_elements.
  ttn<T> to_ttn(index max_core_elements = dttn_dense_core_limit) const {
    std::vector<dtensor<T>> dense;
    for (const auto& c : levels_) dense.push_back(c.to_dense(max_core_elements));
    return ttn<T>::perfect_binary(std::move(dense));
  }

 private:
  std::vector<aim_cp_core<T>> levels_;
};

/// The tree of a DTTN stack in CP form; throws tenet::error for an empty stack or one with a
/// DTTN-dagger block (see unfold_block).
template <class T>
dttn_tree<T> unfold_stack(const dense_aim_stack<T>& s) {
  if (s.blocks.empty()) throw error("tenet::unfold_stack: the stack has no blocks");
  std::vector<aim_cp_core<T>> levels;
  for (std::size_t l = s.blocks.size(); l-- > 0;) levels.push_back(unfold_block(s.blocks[l]));
  return dttn_tree<T>(std::move(levels));
}

/// unfold_stack(s).to_ttn(max_core_elements): the stack as an explicit tenet::ttn.
template <class T>
ttn<T> unfold_to_ttn(const dense_aim_stack<T>& s, index max_core_elements = dttn_dense_core_limit) {
  return unfold_stack(s).to_ttn(max_core_elements);
}

}  // namespace tenet
