// Helpers for the network tests: random networks and an independent reference for their
// contraction (explicit loops over every label assignment, in double) and for path costs
// (a top-down search over partitions, with std::set label sets).
#pragma once
#include <tenet/core/random.hpp>
#include <tenet/core/tensor.hpp>
#include <tenet/network/graph.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <vector>

namespace nettest {

using tenet::index;

/// A random network description: labels per tensor (ints), extents per label, output.
struct random_net {
  std::vector<std::vector<int>> tensors;
  std::vector<index> extent;
  std::vector<int> output;  // explicit output
};

/// n tensors; each label joins 1-3 random tensors (so hyperedges and dangling legs occur);
/// extents 1..max_ext; every tensor gets at least one label. The product of all extents is
/// kept under `budget` so the reference loops stay cheap. `connected` adds a chain of
/// labels 0-1, 1-2, ... first.
inline random_net make_random(std::uint64_t seed, int n, bool connected, index max_ext = 3, double budget = 2e5) {
  tenet::splitmix64 g(seed);
  auto rnd = [&](int k) { return static_cast<int>(g.uniform() * k) % k; };
  random_net r;
  r.tensors.resize(static_cast<std::size_t>(n));
  double prod = 1;
  auto new_label = [&](const std::vector<int>& on) {
    index e = 1 + rnd(static_cast<int>(max_ext));
    if (prod * static_cast<double>(e) > budget) e = 1;
    prod *= static_cast<double>(e);
    const int l = static_cast<int>(r.extent.size());
    r.extent.push_back(e);
    for (int t : on) r.tensors[static_cast<std::size_t>(t)].push_back(l);
  };
  if (connected)
    for (int t = 0; t + 1 < n; ++t) new_label({t, t + 1});
  const int extra = n + rnd(n + 1);
  for (int q = 0; q < extra; ++q) {
    const int k = 1 + rnd(3);
    std::vector<int> on;
    for (int m = 0; m < k; ++m) {
      const int t = rnd(n);
      if (std::find(on.begin(), on.end(), t) == on.end()) on.push_back(t);
    }
    new_label(on);
  }
  for (int t = 0; t < n; ++t)
    if (r.tensors[static_cast<std::size_t>(t)].empty()) new_label({t});
  // Shuffle each tensor's modes.
  for (auto& ls : r.tensors)
    for (std::size_t i = ls.size(); i > 1; --i) std::swap(ls[i - 1], ls[static_cast<std::size_t>(rnd(static_cast<int>(i)))]);
  // Output: labels on one tensor, each kept with probability 2/3, plus sometimes a shared label.
  std::vector<int> count(r.extent.size(), 0);
  for (auto& ls : r.tensors)
    for (int l : ls) ++count[static_cast<std::size_t>(l)];
  for (int l = 0; l < static_cast<int>(r.extent.size()); ++l)
    if ((count[static_cast<std::size_t>(l)] == 1 && rnd(3) != 0) || (count[static_cast<std::size_t>(l)] > 1 && rnd(8) == 0))
      r.output.push_back(l);
  return r;
}

inline tenet::tensor_graph to_graph(const random_net& r) {
  tenet::tensor_graph g;
  for (const auto& ls : r.tensors) {
    std::vector<tenet::leg_label> lab(ls.begin(), ls.end());
    std::vector<index> shape;
    for (int l : ls) shape.push_back(r.extent[static_cast<std::size_t>(l)]);
    g.add_tensor(lab, shape);
  }
  std::vector<tenet::leg_label> out(r.output.begin(), r.output.end());
  g.set_output(out);
  return g;
}

/// The contraction by definition: out[o] = sum over all other labels of prod_t T_t[...].
template <class T>
std::vector<double> reference(const random_net& r, const std::vector<tenet::dtensor<T>>& data) {
  const std::size_t L = r.extent.size();
  std::vector<index> val(L, 0);
  std::size_t out_size = 1;
  for (int l : r.output) out_size *= static_cast<std::size_t>(r.extent[static_cast<std::size_t>(l)]);
  std::vector<double> out(out_size, 0.0);
  for (index e : r.extent)
    if (e == 0) return out;
  while (true) {
    double prod = 1;
    for (std::size_t t = 0; t < r.tensors.size(); ++t) {
      index off = 0;
      for (int l : r.tensors[t]) off = off * r.extent[static_cast<std::size_t>(l)] + val[static_cast<std::size_t>(l)];
      prod *= static_cast<double>(data[t].data()[off]);
    }
    std::size_t o = 0;
    for (int l : r.output) o = o * static_cast<std::size_t>(r.extent[static_cast<std::size_t>(l)]) + static_cast<std::size_t>(val[static_cast<std::size_t>(l)]);
    out[o] += prod;
    std::size_t l = L;
    while (l-- > 0) {
      if (++val[l] < r.extent[l]) break;
      val[l] = 0;
    }
    if (l == static_cast<std::size_t>(-1)) break;
  }
  return out;
}

/// The least flops over all pairwise orders (outer products included unless `sharing_only`,
/// where a pair must share a label whenever some pair does), by a memoized search over
/// partitions of the tensors. Cost model: a step costs 2 * prod(extents of the union of
/// both operands' labels); an input's labels are all its labels; an intermediate (a set S
/// of inputs) keeps the labels on S that are in the output or on a tensor outside S.
inline double brute_force_min_flops(const random_net& r, bool sharing_only) {
  const int n = static_cast<int>(r.tensors.size());
  std::vector<std::set<int>> on(r.extent.size());
  for (int t = 0; t < n; ++t)
    for (int l : r.tensors[static_cast<std::size_t>(t)]) on[static_cast<std::size_t>(l)].insert(t);
  const std::set<int> out(r.output.begin(), r.output.end());
  auto labels_of = [&](const std::set<int>& s) {
    std::set<int> res;
    for (int t : s)
      for (int l : r.tensors[static_cast<std::size_t>(t)]) {
        bool outside = false;
        for (int u : on[static_cast<std::size_t>(l)]) outside = outside || !s.count(u);
        if (s.size() == 1 || out.count(l) || outside) res.insert(l);
      }
    return res;
  };
  std::map<std::set<std::set<int>>, double> memo;
  std::function<double(const std::set<std::set<int>>&)> best = [&](const std::set<std::set<int>>& state) -> double {
    if (state.size() == 1) return 0.0;
    if (auto it = memo.find(state); it != memo.end()) return it->second;
    std::vector<std::set<int>> parts(state.begin(), state.end());
    std::vector<std::set<int>> labs;
    for (auto& p : parts) labs.push_back(labels_of(p));
    bool any_sharing = false;
    auto shares = [&](std::size_t i, std::size_t j) {
      for (int l : labs[i])
        if (labs[j].count(l)) return true;
      return false;
    };
    for (std::size_t i = 0; i < parts.size(); ++i)
      for (std::size_t j = i + 1; j < parts.size(); ++j) any_sharing = any_sharing || shares(i, j);
    double m = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < parts.size(); ++i)
      for (std::size_t j = i + 1; j < parts.size(); ++j) {
        if (sharing_only && any_sharing && !shares(i, j)) continue;
        std::set<int> u = labs[i];
        u.insert(labs[j].begin(), labs[j].end());
        double f = 2;
        for (int l : u) f *= static_cast<double>(r.extent[static_cast<std::size_t>(l)]);
        std::set<std::set<int>> next = state;
        next.erase(parts[i]);
        next.erase(parts[j]);
        std::set<int> merged = parts[i];
        merged.insert(parts[j].begin(), parts[j].end());
        next.insert(merged);
        m = std::min(m, f + best(next));
      }
    memo[state] = m;
    return m;
  };
  std::set<std::set<int>> start;
  for (int t = 0; t < n; ++t) start.insert({t});
  return best(start);
}

}  // namespace nettest
