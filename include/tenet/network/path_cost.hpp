#pragma once
// The cost model of a contraction path. A step contracting operands with label sets A and B
// costs 2 * prod(extents of A u B) flops (one multiply and one add per term; labels found
// in one operand only are summed in the same pass). Its result keeps the labels that are
// open (output or batch) or still carried by a tensor not yet contracted. Sizes count
// elements, not bytes.
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "tenet/network/error.hpp"
#include "tenet/network/graph.hpp"
#include "tenet/network/path.hpp"

namespace tenet {

/// What a path costs on a network.
struct path_cost {
  double flops = 0;                 ///< 2 * sum over steps of prod(extents of both operands' labels)
  double largest_intermediate = 0;  ///< elements of the largest tensor a step produces (the result too)
  double peak_memory = 0;           ///< most elements held by intermediates at once (inputs excluded)
};

/// One step of a path on a network: operands, the result's labels (in the order contract
/// produces them; the output order for the last step), its size and flops.
struct path_step_info {
  int a = 0, b = 0, result = 0;
  std::vector<int> labels;
  double size = 0;
  double flops = 0;
};

namespace detail {

inline constexpr double no_limit = std::numeric_limits<double>::infinity();

/// A graph as the path finders see it: distinct labels per tensor, extents as doubles.
struct search_graph {
  int n = 0;
  std::vector<std::vector<int>> labels;  // distinct labels of each tensor, sorted
  std::vector<double> extent;
  std::vector<char> open;                // output or batch label
  std::vector<int> count;                // number of tensors that carry each label

  explicit search_graph(const tensor_graph& g)
      : n(g.n_tensors()),
        labels(static_cast<std::size_t>(g.n_tensors())),
        extent(static_cast<std::size_t>(g.n_labels())),
        open(static_cast<std::size_t>(g.n_labels()), 0),
        count(static_cast<std::size_t>(g.n_labels()), 0) {
    for (int l = 0; l < g.n_labels(); ++l) extent[static_cast<std::size_t>(l)] = static_cast<double>(g.extent(l));
    for (int l : g.output()) open[static_cast<std::size_t>(l)] = 1;
    for (int t = 0; t < n; ++t) {
      auto& ls = labels[static_cast<std::size_t>(t)];
      ls = g.labels(t);
      std::sort(ls.begin(), ls.end());
      ls.erase(std::unique(ls.begin(), ls.end()), ls.end());
      for (int l : ls) ++count[static_cast<std::size_t>(l)];
    }
  }

  double size_of(const std::vector<int>& ls) const {
    double s = 1;
    for (int l : ls) s *= extent[static_cast<std::size_t>(l)];
    return s;
  }
};

/// The pairwise step on sorted label sets a and b, with `live[l]` the number of live tensors
/// carrying l (a and b included): fills `result` (sorted) and returns prod(extents of a u b).
inline double pair_step(const search_graph& g, const std::vector<int>& a, const std::vector<int>& b,
                        const std::vector<int>& live, std::vector<int>& result) {
  result.clear();
  double all = 1;
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    int l, holders;
    if (j == b.size() || (i < a.size() && a[i] < b[j])) {
      l = a[i++], holders = 1;
    } else if (i == a.size() || b[j] < a[i]) {
      l = b[j++], holders = 1;
    } else {
      l = a[i++], holders = 2, ++j;
    }
    const auto ul = static_cast<std::size_t>(l);
    all *= g.extent[ul];
    if (g.open[ul] || live[ul] > holders) result.push_back(l);
  }
  return all;
}

}  // namespace detail

/// The steps of `p` on `g`, after checking that p is a valid order for g (path_error).
inline std::vector<path_step_info> path_steps(const tensor_graph& g, const contraction_path& p) {
  p.validate();
  if (p.inputs != g.n_tensors())
    throw path_error("tenet: the contraction path \"" + p.to_string() + "\" is for " + std::to_string(p.inputs) +
                     " tensors, but the network has " + std::to_string(g.n_tensors()));
  const detail::search_graph sg(g);
  std::vector<std::vector<int>> lab = sg.labels;
  std::vector<int> live = sg.count;
  std::vector<path_step_info> out;
  std::vector<int> res;
  for (std::size_t k = 0; k < p.steps.size(); ++k) {
    const auto [a, b] = p.steps[k];
    const auto& la = lab[static_cast<std::size_t>(a)];
    const auto& lb = lab[static_cast<std::size_t>(b)];
    path_step_info info;
    info.a = a, info.b = b, info.result = p.inputs + static_cast<int>(k);
    info.flops = 2 * detail::pair_step(sg, la, lb, live, res);
    info.size = sg.size_of(res);
    for (int l : la) --live[static_cast<std::size_t>(l)];
    for (int l : lb) --live[static_cast<std::size_t>(l)];
    for (int l : res) ++live[static_cast<std::size_t>(l)];
    // Result labels in the order: a's kept labels (a's mode order), then b's new ones.
    if (k + 1 == p.steps.size()) {
      info.labels = g.output();
    } else {
      auto kept = [&](int l) { return std::binary_search(res.begin(), res.end(), l); };
      auto append = [&](const std::vector<int>& modes) {
        for (int l : modes)
          if (kept(l) && std::find(info.labels.begin(), info.labels.end(), l) == info.labels.end())
            info.labels.push_back(l);
      };
      append(a < p.inputs ? g.labels(a) : out[static_cast<std::size_t>(a - p.inputs)].labels);
      append(b < p.inputs ? g.labels(b) : out[static_cast<std::size_t>(b - p.inputs)].labels);
    }
    lab.push_back(res);
    out.push_back(std::move(info));
  }
  return out;
}

/// Flops, largest intermediate and peak memory of `p` on `g`; throws path_error when p is
/// not a valid order for g.
inline path_cost contraction_cost(const tensor_graph& g, const contraction_path& p) {
  const auto steps = path_steps(g, p);
  path_cost c;
  double alive = 0;
  for (const auto& s : steps) {
    c.flops += s.flops;
    c.largest_intermediate = std::max(c.largest_intermediate, s.size);
    alive += s.size;
    c.peak_memory = std::max(c.peak_memory, alive);
    for (int id : {s.a, s.b})
      if (id >= p.inputs) alive -= steps[static_cast<std::size_t>(id - p.inputs)].size;
  }
  return c;
}

/// A table of the steps of `p` on `g`: operands, result labels, size and flops.
inline std::string describe(const tensor_graph& g, const contraction_path& p) {
  auto num = [](double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, x < 1e15 ? "%.0f" : "%.3e", x);
    return std::string(buf);
  };
  const auto steps = path_steps(g, p);
  std::string s = "path " + p.to_string() + "\n";
  for (const auto& st : steps) {
    s += "  " + std::to_string(st.result) + " = (" + std::to_string(st.a) + ", " + std::to_string(st.b) +
         ") -> " + g.labels_string(st.labels) + "  size " + num(st.size) + "  flops " + num(st.flops) + "\n";
  }
  const path_cost c = contraction_cost(g, p);
  return s + "  total flops " + num(c.flops) + ", largest intermediate " + num(c.largest_intermediate) +
         ", peak memory " + num(c.peak_memory) + " elements\n";
}

}  // namespace tenet
