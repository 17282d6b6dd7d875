#pragma once
// path::greedy: at every step, contract the pair of tensors that share a label and whose
// contraction shrinks memory the most: the least size(result) - size(a) - size(b), ties
// broken by fewer flops, then by smaller ids. Without such a pair (disconnected pieces),
// the two smallest tensors go together. O(steps x candidate pairs); any number of tensors.
#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "tenet/network/error.hpp"
#include "tenet/network/graph.hpp"
#include "tenet/network/path.hpp"
#include "tenet/network/path_cost.hpp"

namespace tenet {

struct greedy_options {
  /// No intermediate (other than the final result) may hold more elements than this;
  /// pairs that would exceed it are passed over, and path_error is thrown if all would.
  double max_intermediate = detail::no_limit;
  /// Choose by fewest flops instead of by the memory change.
  bool by_flops = false;
};

namespace detail {

/// The live tensors of a partial contraction, as the greedy and branch-and-bound searches
/// keep them: sorted label sets, sizes, and for each label the live tensors carrying it.
struct live_set {
  const search_graph* g = nullptr;
  std::vector<std::vector<int>> labels;  // by id (inputs, then results); empty once consumed
  std::vector<double> size;
  std::vector<char> alive;
  std::vector<int> count;                // live tensors carrying each label
  std::vector<std::vector<int>> holders; // live ids carrying each label
  int n_alive = 0;

  explicit live_set(const search_graph& sg) : g(&sg), count(sg.count), holders(sg.extent.size()) {
    for (int t = 0; t < sg.n; ++t) {
      labels.push_back(sg.labels[static_cast<std::size_t>(t)]);
      size.push_back(sg.size_of(labels.back()));
      alive.push_back(1);
      for (int l : labels.back()) holders[static_cast<std::size_t>(l)].push_back(t);
    }
    n_alive = sg.n;
  }

  /// Contracts live ids a and b into a new id; returns it. undo() takes it back.
  int contract(int a, int b, std::vector<int>&& res) {
    const int c = static_cast<int>(labels.size());
    for (int x : {a, b}) {
      for (int l : labels[static_cast<std::size_t>(x)]) {
        --count[static_cast<std::size_t>(l)];
        auto& h = holders[static_cast<std::size_t>(l)];
        h.erase(std::find(h.begin(), h.end(), x));
      }
      alive[static_cast<std::size_t>(x)] = 0;
    }
    for (int l : res) {
      ++count[static_cast<std::size_t>(l)];
      holders[static_cast<std::size_t>(l)].push_back(c);
    }
    size.push_back(g->size_of(res));
    labels.push_back(std::move(res));
    alive.push_back(1);
    --n_alive;
    return c;
  }

  /// Takes back the last contraction, of a and b.
  void undo(int a, int b) {
    const int c = static_cast<int>(labels.size()) - 1;
    for (int l : labels.back()) {
      --count[static_cast<std::size_t>(l)];
      auto& h = holders[static_cast<std::size_t>(l)];
      h.erase(std::find(h.begin(), h.end(), c));
    }
    labels.pop_back();
    size.pop_back();
    alive.pop_back();
    for (int x : {a, b}) {
      for (int l : labels[static_cast<std::size_t>(x)]) {
        ++count[static_cast<std::size_t>(l)];
        holders[static_cast<std::size_t>(l)].push_back(x);
      }
      alive[static_cast<std::size_t>(x)] = 1;
    }
    ++n_alive;
  }

  /// Calls f(a, b) once for every pair of live ids (a < b) that share a label.
  template <class F>
  void for_each_sharing_pair(F&& f) const {
    std::vector<int> seen;
    for (std::size_t a = 0; a < labels.size(); ++a) {
      if (!alive[a]) continue;
      seen.clear();
      for (int l : labels[a])
        for (int b : holders[static_cast<std::size_t>(l)])
          if (b > static_cast<int>(a) && std::find(seen.begin(), seen.end(), b) == seen.end()) {
            seen.push_back(b);
            f(static_cast<int>(a), b);
          }
    }
  }

  /// The two smallest live ids (for an outer product).
  std::pair<int, int> two_smallest() const {
    int a = -1, b = -1;
    for (int x = 0; x < static_cast<int>(labels.size()); ++x) {
      if (!alive[static_cast<std::size_t>(x)]) continue;
      const double s = size[static_cast<std::size_t>(x)];
      if (a < 0 || s < size[static_cast<std::size_t>(a)]) {
        b = a;
        a = x;
      } else if (b < 0 || s < size[static_cast<std::size_t>(b)]) {
        b = x;
      }
    }
    return {std::min(a, b), std::max(a, b)};
  }
};

}  // namespace detail

namespace path {

/// A fast heuristic order for any number of tensors (see the top of this header).
inline contraction_path greedy(const tensor_graph& graph, const greedy_options& o = {}) {
  const detail::search_graph sg(graph);
  if (sg.n == 0) throw path_error("tenet::path::greedy: the network has no tensors");
  detail::live_set live(sg);
  contraction_path p{sg.n, {}};
  std::vector<int> res, best_res;
  while (live.n_alive > 1) {
    const bool last = live.n_alive == 2;
    bool found = false;
    std::tuple<double, double, int, int> best{};
    auto consider = [&](int a, int b) {
      const double all = detail::pair_step(sg, live.labels[static_cast<std::size_t>(a)],
                                           live.labels[static_cast<std::size_t>(b)], live.count, res);
      const double sz = sg.size_of(res);
      if (!last && sz > o.max_intermediate) return;
      const double change = sz - live.size[static_cast<std::size_t>(a)] - live.size[static_cast<std::size_t>(b)];
      const auto key = o.by_flops ? std::tuple{all, change, a, b} : std::tuple{change, all, a, b};
      if (!found || key < best) {
        found = true;
        best = key;
        best_res = res;
      }
    };
    live.for_each_sharing_pair(consider);
    if (!found) {  // only disconnected pieces are left (or every sharing pair is too large)
      const auto [a, b] = live.two_smallest();
      consider(a, b);
    }
    if (!found)
      throw path_error("tenet::path::greedy: at step " + std::to_string(p.steps.size()) +
                       " every contraction makes an intermediate larger than " + std::to_string(o.max_intermediate) +
                       " elements");
    const int a = std::get<2>(best), b = std::get<3>(best);
    p.push(a, b);
    live.contract(a, b, std::move(best_res));
    best_res.clear();
  }
  return p;
}

}  // namespace path
}  // namespace tenet
