#pragma once
// path::automatic: a search chosen by the network's size, each tried within a budget.
//   up to 10 tensors   path::optimal over every pairwise order (exact)
//   up to 64 tensors   path::optimal over connected pieces if that takes at most
//                      auto_options::max_pairs subsets and pairs (chains, trees, sparse
//                      graphs); otherwise path::branch_bound with its node budget
//   more               path::greedy
#include <cstddef>

#include "tenet/network/error.hpp"
#include "tenet/network/graph.hpp"
#include "tenet/network/path.hpp"
#include "tenet/network/path_branch_bound.hpp"
#include "tenet/network/path_cost.hpp"
#include "tenet/network/path_greedy.hpp"
#include "tenet/network/path_optimal.hpp"

namespace tenet {

struct auto_options {
  /// No intermediate (other than the final result) may hold more elements than this.
  double max_intermediate = detail::no_limit;
  /// Work allowed to the connected optimal search before branch and bound takes over.
  std::size_t max_pairs = 500000;
  /// States the branch-and-bound search may expand.
  std::size_t max_nodes = 5000;
};

namespace path {

/// A good path at a bounded planning cost (see the top of this header).
inline contraction_path automatic(const tensor_graph& g, const auto_options& o = {}) {
  const int n = g.n_tensors();
  if (n <= 10) return optimal(g, {10, o.max_intermediate, o.max_pairs});
  if (n <= 64) {
    try {
      return optimal(g, {0, o.max_intermediate, o.max_pairs});
    } catch (const path_error&) {
      // too much work for the exact search (or no order within the memory limit, which
      // branch and bound reports in its turn)
    }
    return branch_bound(g, {o.max_intermediate, o.max_nodes, 4});
  }
  return greedy(g, {o.max_intermediate, false});
}

}  // namespace path
}  // namespace tenet
