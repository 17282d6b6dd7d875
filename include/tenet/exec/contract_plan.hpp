#pragma once
// Plans a pairwise contraction C(lc) = sum A(la) B(lb) as a loop of GEMMs over strided
// slices. Every label is batch (in A, B, C), m (A, C), n (B, C) or k (A, B). The planner
// picks which m/n labels to loop over and which operands to pack (copy into a GEMM-ready
// layout), by a simple cost model: packing costs memory traffic, small GEMMs cost
// efficiency, each GEMM call costs overhead. Tiny problems go to a direct loop nest.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "tenet/core/extents.hpp"

namespace tenet::exec::detail {

/// One label of a prepared pairwise contraction: its extent and strides (0 when absent).
struct label_dim {
  int label;
  index ext;
  index s[3];   // stride in A, B, C
  bool in[3];   // present in A, B, C
};

struct contraction_plan {
  bool direct = false;
  bool pack[3] = {false, false, false};
  std::vector<int> loop, m, n, k;  // labels, each group in memory order
  double cost = 0;
};

/// Cost-model constants, in nanoseconds, for one core (ratios matter, not absolutes).
struct cost_model {
  double flops_per_ns = 100;     // GEMM peak
  double pack_ns_per_elem = 0.6; // strided copy
  double call_ns = 300;          // one GEMM call
  double direct_ns_per_fma = 0.5;
};

inline const label_dim& find_dim(const std::vector<label_dim>& d, int l) {
  for (const label_dim& x : d)
    if (x.label == l) return x;
  return d.front();  // unreachable for valid plans
}

// Orders a group of labels by stride in operand `op`, largest first.
inline std::vector<int> order_by(std::vector<int> g, const std::vector<label_dim>& d, int op) {
  std::stable_sort(g.begin(), g.end(), [&](int a, int b) {
    return std::abs(find_dim(d, a).s[op]) > std::abs(find_dim(d, b).s[op]);
  });
  return g;
}

// Collapsed (extent, innermost stride) of a group in operand op; false when not collapsible.
// An empty group has stride -1 ("free": any stride fits).
inline bool collapse(const std::vector<int>& g, const std::vector<label_dim>& d, int op, index& stride) {
  stride = -1;
  for (std::size_t i = 0; i < g.size(); ++i) {
    const label_dim& x = find_dim(d, g[i]);
    if (x.s[op] < 0) return false;
    if (i + 1 < g.size()) {
      const label_dim& y = find_dim(d, g[i + 1]);
      if (x.s[op] != y.s[op] * y.ext) return false;
    }
    stride = x.s[op];
  }
  return true;
}

// A strided operand can be handed to GEMM as is: both groups collapse and one has unit stride.
inline bool gemm_ready(const std::vector<int>& rows, const std::vector<int>& cols,
                       const std::vector<label_dim>& d, int op) {
  index rs, cs;
  if (!collapse(rows, d, op, rs) || !collapse(cols, d, op, cs)) return false;
  return rs == -1 || cs == -1 || rs == 1 || cs == 1;
}

inline index group_extent(const std::vector<int>& g, const std::vector<label_dim>& d) {
  index e = 1;
  for (int l : g) e *= find_dim(d, l).ext;
  return e;
}

// Fraction of peak a GEMM of this shape reaches (packing and edge overhead of small sizes).
inline double gemm_efficiency(double m, double n, double k) {
  return (m / (m + 8)) * (n / (n + 8)) * (k / (k + 16));
}

/// The cheapest plan under the cost model; `threads` > 1 favours plans with parallel loops.
inline contraction_plan plan_contraction(const std::vector<label_dim>& d, const cost_model& cm = {}) {
  std::vector<int> batch, mn, m_all, n_all, k_all;
  double size[3] = {1, 1, 1};
  double total = 1;
  for (const label_dim& x : d) {
    for (int o = 0; o < 3; ++o)
      if (x.in[o]) size[o] *= static_cast<double>(x.ext);
    total *= static_cast<double>(x.ext);
    if (x.in[0] && x.in[1] && x.in[2])
      batch.push_back(x.label);
    else if (x.in[0] && x.in[2])
      m_all.push_back(x.label), mn.push_back(x.label);
    else if (x.in[1] && x.in[2])
      n_all.push_back(x.label), mn.push_back(x.label);
    else
      k_all.push_back(x.label);
  }

  contraction_plan best;
  best.direct = true;
  best.cost = total * cm.direct_ns_per_fma;

  const std::size_t subsets = mn.size() <= 12 ? (std::size_t{1} << mn.size()) : 1;
  for (std::size_t sub = 0; sub < subsets; ++sub) {
    std::vector<int> loop = batch, m, n;
    for (std::size_t i = 0; i < mn.size(); ++i) {
      const int l = mn[i];
      const bool is_m = std::find(m_all.begin(), m_all.end(), l) != m_all.end();
      if (sub >> i & 1)
        loop.push_back(l);
      else
        (is_m ? m : n).push_back(l);
    }
    for (int packs = 0; packs < 8; ++packs) {
      const bool pa = packs & 1, pb = packs & 2, pc = packs & 4;
      contraction_plan p;
      p.pack[0] = pa, p.pack[1] = pb, p.pack[2] = pc;
      p.m = !pc ? order_by(m, d, 2) : !pa ? order_by(m, d, 0) : m;
      p.n = !pc ? order_by(n, d, 2) : !pb ? order_by(n, d, 1) : n;
      p.k = !pa ? order_by(k_all, d, 0) : !pb ? order_by(k_all, d, 1) : k_all;
      if (!pa && !gemm_ready(p.m, p.k, d, 0)) continue;
      if (!pb && !gemm_ready(p.k, p.n, d, 1)) continue;
      if (!pc && !gemm_ready(p.m, p.n, d, 2)) continue;
      const double gm = static_cast<double>(group_extent(p.m, d));
      const double gn = static_cast<double>(group_extent(p.n, d));
      const double gk = static_cast<double>(group_extent(p.k, d));
      const double loops = total / (gm * gn * gk);
      p.cost = 2 * total / (cm.flops_per_ns * gemm_efficiency(gm, gn, gk)) + loops * cm.call_ns +
               cm.pack_ns_per_elem * ((pa ? size[0] : 0) + (pb ? size[1] : 0) + (pc ? 2 * size[2] : 0));
      if (p.cost < best.cost) {
        p.loop = order_by(loop, d, pc ? (pa ? 1 : 0) : 2);
        best = std::move(p);
      }
    }
  }
  return best;
}

}  // namespace tenet::exec::detail
