#pragma once
// path::branch_bound: a depth-first search over pairwise orders, between greedy and optimal.
// It starts from the greedy path's cost as the bound, tries at every state the most
// promising pairs first (greedy's ranking), prunes a branch once its flops reach the best
// complete path's, and remembers the cheapest way each state (a partition of the tensors
// into intermediates) was reached. With no limits on nodes or branching it finds the best
// order among those that contract tensors sharing a label (outer products only when no
// such pair is left); with limits it returns the best path found, never worse than greedy.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "tenet/network/error.hpp"
#include "tenet/network/graph.hpp"
#include "tenet/network/path.hpp"
#include "tenet/network/path_cost.hpp"
#include "tenet/network/path_greedy.hpp"

namespace tenet {

struct branch_bound_options {
  /// No intermediate (other than the final result) may hold more elements than this.
  double max_intermediate = detail::no_limit;
  /// States expanded before the search stops and returns the best path so far (0: no limit).
  std::size_t max_nodes = 20000;
  /// Pairs tried per state, most promising first (0: all).
  int max_branch = 4;
};

/// What a search did: states expanded, whether it ran to the end (so its result is the best
/// in its search space), and the flops of the path it returned.
struct search_stats {
  std::size_t nodes = 0;
  bool complete = false;
  double flops = 0;
};

namespace detail {

inline std::uint64_t mix64(std::uint64_t x) noexcept {  // splitmix64's finalizer
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class branch_bound_search {
 public:
  branch_bound_search(const tensor_graph& g, const branch_bound_options& o) : g_(g), sg_(g), live_(sg_), opt_(o) {}

  contraction_path run(search_stats* stats) {
    const int n = sg_.n;
    if (n == 0) throw path_error("tenet::path::branch_bound: the network has no tensors");
    contraction_path p{n, {}};
    try {  // the greedy path is the first bound
      const contraction_path gp = path::greedy(g_, {opt_.max_intermediate, false});
      best_flops_ = contraction_cost(g_, gp).flops;
      best_ = gp.steps;
    } catch (const path_error&) {
      best_flops_ = std::numeric_limits<double>::infinity();
    }
    std::uint64_t key = 0;
    for (int t = 0; t < n; ++t) {
      hash_.push_back(mix64(static_cast<std::uint64_t>(t) + 1));
      key ^= mix64(hash_.back());
    }
    dfs(0, key);
    if (!(best_flops_ < std::numeric_limits<double>::infinity()))
      throw path_error("tenet::path::branch_bound: no contraction order keeps every intermediate within " +
                       std::to_string(opt_.max_intermediate) + " elements");
    p.steps = best_;
    if (stats) *stats = {nodes_, !aborted_, best_flops_};
    return p;
  }

 private:
  struct candidate {
    double change, flops;
    int a, b;
    std::vector<int> res;
  };

  void dfs(double flops, std::uint64_t key) {
    if (opt_.max_nodes && nodes_ >= opt_.max_nodes) {
      aborted_ = true;
      return;
    }
    ++nodes_;
    if (live_.n_alive == 1) {
      if (flops < best_flops_) {
        best_flops_ = flops;
        best_ = steps_;
      }
      return;
    }
    const bool last = live_.n_alive == 2;
    std::vector<candidate> cands;
    std::vector<int> res;
    auto consider = [&](int a, int b) {
      const double all = pair_step(sg_, live_.labels[static_cast<std::size_t>(a)],
                                   live_.labels[static_cast<std::size_t>(b)], live_.count, res);
      const double sz = sg_.size_of(res);
      if (!last && sz > opt_.max_intermediate) return;
      if (flops + 2 * all >= best_flops_) return;
      cands.push_back({sz - live_.size[static_cast<std::size_t>(a)] - live_.size[static_cast<std::size_t>(b)],
                       2 * all, a, b, res});
    };
    bool sharing = false;
    live_.for_each_sharing_pair([&](int a, int b) {
      sharing = true;
      consider(a, b);
    });
    if (!sharing) {
      const auto [a, b] = live_.two_smallest();
      consider(a, b);
    }
    std::sort(cands.begin(), cands.end(), [](const candidate& x, const candidate& y) {
      return std::tie(x.change, x.flops, x.a, x.b) < std::tie(y.change, y.flops, y.a, y.b);
    });
    if (opt_.max_branch > 0 && cands.size() > static_cast<std::size_t>(opt_.max_branch))
      cands.resize(static_cast<std::size_t>(opt_.max_branch));
    for (candidate& c : cands) {
      const double f = flops + c.flops;
      if (f >= best_flops_) continue;
      const std::uint64_t ha = node_hash(c.a), hb = node_hash(c.b);
      const std::uint64_t next = key ^ mix64(ha) ^ mix64(hb) ^ mix64(ha + hb);
      auto [it, inserted] = memo_.try_emplace(next, f);
      if (!inserted) {
        if (it->second <= f) continue;
        it->second = f;
      }
      hash_.push_back(ha + hb);
      steps_.push_back({c.a, c.b});
      live_.contract(c.a, c.b, std::move(c.res));
      dfs(f, next);
      live_.undo(c.a, c.b);
      steps_.pop_back();
      hash_.pop_back();
      if (aborted_) return;
    }
  }

  std::uint64_t node_hash(int id) const { return hash_[static_cast<std::size_t>(id)]; }

  const tensor_graph& g_;
  search_graph sg_;
  live_set live_;
  branch_bound_options opt_;
  std::vector<std::uint64_t> hash_;  // by id: sum of its inputs' hashes
  std::vector<contraction_step> steps_, best_;
  double best_flops_ = std::numeric_limits<double>::infinity();
  std::unordered_map<std::uint64_t, double> memo_;
  std::size_t nodes_ = 0;
  bool aborted_ = false;
};

}  // namespace detail

namespace path {

/// A bounded search for a cheap order (see the top of this header); `stats`, if given,
/// says how much it searched and whether it finished.
inline contraction_path branch_bound(const tensor_graph& g, const branch_bound_options& o = {},
                                     search_stats* stats = nullptr) {
  return detail::branch_bound_search(g, o).run(stats);
}

}  // namespace path
}  // namespace tenet
