#pragma once
// path::optimal: the contraction order of least flops, by dynamic programming over subsets of
// tensors. Small networks (up to optimal_options::exhaustive_up_to tensors, default 10) are
// searched over every pairwise order, outer products included (3^n candidate pairs). Larger
// ones are searched over pairs of connected pieces only (DPccp, Moerkotte & Neumann 2006):
// every step contracts two connected sets of tensors that share a label, and disconnected
// components are joined last, in the best order. That search is exact among orders without
// outer products, and its work grows with the number of connected subsets, which stays
// small for chains and trees and explodes on dense graphs; past optimal_options::max_pairs
// it gives up with path_error.
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tenet/network/error.hpp"
#include "tenet/network/graph.hpp"
#include "tenet/network/path.hpp"
#include "tenet/network/path_cost.hpp"

namespace tenet {

struct optimal_options {
  /// Networks of at most this many tensors (and at most 20) are searched over all pairwise
  /// orders, outer products included; larger ones over connected pieces only.
  int exhaustive_up_to = 10;
  /// No intermediate (other than the final result) may hold more elements than this.
  double max_intermediate = detail::no_limit;
  /// The connected search gives up (path_error) after this many subsets and pairs.
  std::size_t max_pairs = std::size_t(1) << 22;
};

namespace detail {

using tensor_mask = std::uint64_t;

inline tensor_mask up_to(int i) noexcept {  // bits 0..i (none when i < 0)
  if (i < 0) return 0;
  return i >= 63 ? ~tensor_mask(0) : (tensor_mask(2) << i) - 1;
}

struct dp_entry {
  double flops = std::numeric_limits<double>::infinity();
  double size = -1;        // -1: not computed yet
  tensor_mask left = 0;    // 0: a single tensor
  std::uint64_t legs = 0;  // the result's labels, when labels fit a mask
};

/// Sizes and pair costs of subsets of tensors (as bit masks; at most 64 tensors). Labels
/// with the same tensors and openness are merged; when at most 64 remain, label sets are
/// bit masks and a product of extents is eight table lookups.
class subset_model {
 public:
  explicit subset_model(const search_graph& g)
      : g_(g), holders_(g.extent.size(), 0), stamp_(g.extent.size(), 0), adj_(static_cast<std::size_t>(g.n), 0) {
    for (int t = 0; t < g.n; ++t)
      for (int l : g.labels[static_cast<std::size_t>(t)]) holders_[static_cast<std::size_t>(l)] |= tensor_mask(1) << t;
    for (int t = 0; t < g.n; ++t)
      for (int l : g.labels[static_cast<std::size_t>(t)])
        adj_[static_cast<std::size_t>(t)] |= holders_[static_cast<std::size_t>(l)] & ~(tensor_mask(1) << t);
    all_ = up_to(g.n - 1);
    // Merge labels by (holders, open).
    std::vector<std::pair<tensor_mask, char>> keys;
    std::vector<double> ext;
    std::vector<int> merged(g.extent.size(), -1);
    for (std::size_t l = 0; l < g.extent.size(); ++l) {
      if (!holders_[l]) continue;
      const std::pair<tensor_mask, char> key{holders_[l], g.open[l]};
      auto it = std::find(keys.begin(), keys.end(), key);
      if (it == keys.end()) {
        keys.push_back(key);
        ext.push_back(1);
        it = keys.end() - 1;
      }
      const auto m = static_cast<std::size_t>(it - keys.begin());
      ext[m] *= g.extent[l];
      merged[l] = static_cast<int>(m);
    }
    fast_ = keys.size() <= 64;
    if (!fast_) return;
    for (std::size_t m = 0; m < keys.size(); ++m) {
      m_holders_.push_back(keys[m].first);
      if (keys[m].second) m_open_ |= std::uint64_t(1) << m;
    }
    for (int t = 0; t < g.n; ++t) {
      std::uint64_t legs = 0;
      for (int l : g.labels[static_cast<std::size_t>(t)]) legs |= std::uint64_t(1) << merged[static_cast<std::size_t>(l)];
      t_legs_.push_back(legs);
    }
    for (std::size_t b = 0; b < 8; ++b)
      for (std::size_t v = 0; v < 256; ++v) {
        double p = 1;
        for (std::size_t q = 0; q < 8; ++q)
          if ((v >> q & 1) && 8 * b + q < ext.size()) p *= ext[8 * b + q];
        prod_[b][v] = p;
      }
  }

  tensor_mask all() const noexcept { return all_; }
  tensor_mask neighbours(tensor_mask s) const noexcept {
    tensor_mask n = 0;
    for (tensor_mask r = s; r; r &= r - 1) n |= adj_[static_cast<std::size_t>(std::countr_zero(r))];
    return n & ~s;
  }

  /// Fills e.size (and e.legs) for the tensor that contracting all of s leaves; an input
  /// keeps all its labels (those on it alone are summed when it is first contracted).
  void init(tensor_mask s, dp_entry& e) {
    if (!fast_) {
      e.size = generic_size(s);
      return;
    }
    std::uint64_t touch = 0;
    for (tensor_mask r = s; r; r &= r - 1) touch |= t_legs_[static_cast<std::size_t>(std::countr_zero(r))];
    if (std::has_single_bit(s)) {
      e.legs = touch;
    } else {
      e.legs = 0;
      for (std::uint64_t r = touch; r; r &= r - 1) {
        const int m = std::countr_zero(r);
        if ((m_open_ >> m & 1) || (m_holders_[static_cast<std::size_t>(m)] & ~s)) e.legs |= std::uint64_t(1) << m;
      }
    }
    e.size = product(e.legs);
  }

  /// Flops of contracting the results of s1 and s2 (disjoint), as in path_steps.
  double flops(tensor_mask s1, const dp_entry& e1, tensor_mask s2, const dp_entry& e2) {
    return fast_ ? 2 * product(e1.legs | e2.legs) : generic_flops(s1, s2);
  }

 private:
  double product(std::uint64_t legs) const noexcept {
    double p = 1;
    for (std::size_t b = 0; b < 8 && legs; ++b, legs >>= 8) p *= prod_[b][legs & 255];
    return p;
  }

  double generic_size(tensor_mask s) {
    const bool single = std::has_single_bit(s);
    ++epoch_;
    double p = 1;
    for (tensor_mask r = s; r; r &= r - 1)
      for (int l : g_.labels[static_cast<std::size_t>(std::countr_zero(r))]) {
        const auto ul = static_cast<std::size_t>(l);
        if (stamp_[ul] == epoch_) continue;
        stamp_[ul] = epoch_;
        if (single || g_.open[ul] || (holders_[ul] & ~s)) p *= g_.extent[ul];
      }
    return p;
  }

  double generic_flops(tensor_mask s1, tensor_mask s2) {
    const bool single1 = std::has_single_bit(s1), single2 = std::has_single_bit(s2);
    ++epoch_;
    double p = 1;
    for (tensor_mask r = s1 | s2; r; r &= r - 1)
      for (int l : g_.labels[static_cast<std::size_t>(std::countr_zero(r))]) {
        const auto ul = static_cast<std::size_t>(l);
        if (stamp_[ul] == epoch_) continue;
        stamp_[ul] = epoch_;
        const tensor_mask h = holders_[ul];
        const bool k1 = (h & s1) && (single1 || g_.open[ul] || (h & ~s1));
        const bool k2 = (h & s2) && (single2 || g_.open[ul] || (h & ~s2));
        if (k1 || k2) p *= g_.extent[ul];
      }
    return 2 * p;
  }

  const search_graph& g_;
  std::vector<tensor_mask> holders_;
  std::vector<unsigned> stamp_;
  std::vector<tensor_mask> adj_;
  unsigned epoch_ = 0;
  tensor_mask all_ = 0;
  bool fast_ = false;
  std::vector<tensor_mask> m_holders_;
  std::uint64_t m_open_ = 0;
  std::vector<std::uint64_t> t_legs_;
  double prod_[8][256] = {};
};

/// Best splits by subset: a dense table for small networks, a hash map otherwise.
class dp_table {
 public:
  explicit dp_table(int n) : dense_(n <= 16) {
    if (dense_) v_.resize(std::size_t(1) << n);
  }
  dp_entry& operator[](tensor_mask s) { return dense_ ? v_[static_cast<std::size_t>(s)] : m_[s]; }

 private:
  bool dense_;
  std::vector<dp_entry> v_;
  std::unordered_map<tensor_mask, dp_entry> m_;
};

class optimal_search {
 public:
  optimal_search(const tensor_graph& g, const optimal_options& o) : sg_(g), model_(sg_), table_(sg_.n), opt_(o) {}

  contraction_path run() {
    const int n = sg_.n;
    contraction_path p{n, {}};
    if (n == 0) throw path_error("tenet::path::optimal: the network has no tensors");
    if (n > 64) throw path_error("tenet::path::optimal: " + std::to_string(n) + " tensors; at most 64 (use path::greedy)");
    for (int t = 0; t < n; ++t) {
      dp_entry& e = table_[tensor_mask(1) << t];
      model_.init(tensor_mask(1) << t, e);
      e.flops = 0;
    }
    if (n == 1) return p;
    if (n <= std::min(opt_.exhaustive_up_to, 20))
      exhaustive();
    else
      connected();
    const dp_entry& top = table_[model_.all()];
    if (!(top.flops < std::numeric_limits<double>::infinity()))
      throw path_error("tenet::path::optimal: no contraction order keeps every intermediate within " +
                       std::to_string(opt_.max_intermediate) + " elements");
    build(model_.all(), p);
    return p;
  }

 private:
  // Sets s's entry from the split (s1, s2) if that is cheaper.
  void relax(tensor_mask s1, tensor_mask s2) {
    const tensor_mask s = s1 | s2;
    dp_entry& e = table_[s];
    if (e.size < 0) model_.init(s, e);
    if (e.size > opt_.max_intermediate && s != model_.all()) return;
    const dp_entry& e1 = table_[s1];
    const dp_entry& e2 = table_[s2];
    const double base = e1.flops + e2.flops;
    if (!(base < e.flops)) return;
    const double f = base + model_.flops(s1, e1, s2, e2);
    if (f < e.flops) {
      e.flops = f;
      e.left = s1;
    }
  }

  void exhaustive() {
    for (tensor_mask s = 1; s <= model_.all(); ++s) {
      if (std::has_single_bit(s)) continue;
      const tensor_mask low = s & (~s + 1), rest = s ^ low;
      for (tensor_mask sub = rest & (rest - 1);; sub = (sub - 1) & rest) {  // sub != rest: s2 is not empty
        relax(low | sub, rest ^ sub);
        if (sub == 0) break;
      }
    }
  }

  // DPccp: every pair of disjoint connected sets that share a label, each pair once.
  void connected() {
    const int n = sg_.n;
    buckets_.assign(static_cast<std::size_t>(n) + 1, {});
    for (int i = n - 1; i >= 0; --i) {
      const tensor_mask v = tensor_mask(1) << i;
      emit_csg(v);
      csg_rec(v, up_to(i));
    }
    for (const auto& bucket : buckets_)  // smaller unions first: their parts are final
      for (const auto& [s1, s2] : bucket) relax(s1, s2);
    // Join the connected components, cheapest order first (outer products).
    std::vector<tensor_mask> comps;
    for (tensor_mask left = model_.all(); left;) {
      tensor_mask c = left & (~left + 1);
      for (tensor_mask grow = c; grow;) {
        const tensor_mask nb = model_.neighbours(c);
        grow = nb;
        c |= nb;
      }
      comps.push_back(c);
      left &= ~c;
    }
    const std::size_t k = comps.size();
    if (k == 1) return;
    if (k <= 16) {
      const std::size_t full = (std::size_t(1) << k) - 1;
      auto unite = [&](std::size_t bits) {
        tensor_mask m = 0;
        for (std::size_t r = bits; r; r &= r - 1) m |= comps[static_cast<std::size_t>(std::countr_zero(r))];
        return m;
      };
      for (std::size_t s = 1; s <= full; ++s) {
        if (std::has_single_bit(s)) continue;
        const std::size_t low = s & (~s + 1), rest = s ^ low;
        for (std::size_t sub = rest & (rest - 1);; sub = (sub - 1) & rest) {
          relax(unite(low | sub), unite(rest ^ sub));
          if (sub == 0) break;
        }
      }
    } else {  // many components: smallest two first
      while (comps.size() > 1) {
        std::sort(comps.begin(), comps.end(), [&](tensor_mask x, tensor_mask y) { return table_[x].size > table_[y].size; });
        const tensor_mask a = comps.back();
        comps.pop_back();
        const tensor_mask b = comps.back();
        comps.back() = a | b;
        relax(a, b);
      }
    }
  }

  void tick() {
    if (++work_ > opt_.max_pairs)
      throw path_error("tenet::path::optimal: more than " + std::to_string(opt_.max_pairs) +
                       " connected subsets and pairs to search (use path::branch_bound or path::greedy)");
  }

  void add_pair(tensor_mask s1, tensor_mask s2) {
    tick();
    buckets_[static_cast<std::size_t>(std::popcount(s1 | s2))].emplace_back(s1, s2);
  }

  template <class F>
  static void for_subsets(tensor_mask n, F&& f) {  // non-empty subsets of n, smallest first
    for (tensor_mask sub = n & (~n + 1); sub; sub = (sub - n) & n) f(sub);
  }

  void csg_rec(tensor_mask s, tensor_mask x) {
    const tensor_mask nb = model_.neighbours(s) & ~x;
    if (!nb) return;
    for_subsets(nb, [&](tensor_mask sub) { emit_csg(s | sub); });
    for_subsets(nb, [&](tensor_mask sub) { csg_rec(s | sub, x | nb); });
  }

  void emit_csg(tensor_mask s1) {
    tick();
    const tensor_mask x = s1 | up_to(std::countr_zero(s1));
    const tensor_mask nb = model_.neighbours(s1) & ~x;
    for (int i = 63 - std::countl_zero(nb | 1); i >= 0; --i) {
      const tensor_mask v = tensor_mask(1) << i;
      if (!(nb & v)) continue;
      add_pair(s1, v);
      cmp_rec(s1, v, x | (nb & up_to(i)));
    }
  }

  void cmp_rec(tensor_mask s1, tensor_mask s2, tensor_mask x) {
    const tensor_mask nb = model_.neighbours(s2) & ~x;
    if (!nb) return;
    for_subsets(nb, [&](tensor_mask sub) { add_pair(s1, s2 | sub); });
    for_subsets(nb, [&](tensor_mask sub) { cmp_rec(s1, s2 | sub, x | nb); });
  }

  int build(tensor_mask s, contraction_path& p) {
    if (std::has_single_bit(s)) return std::countr_zero(s);
    const tensor_mask l = table_[s].left;
    const int a = build(l, p);
    const int b = build(s ^ l, p);
    return p.push(a, b);
  }

  search_graph sg_;
  subset_model model_;
  dp_table table_;
  optimal_options opt_;
  std::vector<std::vector<std::pair<tensor_mask, tensor_mask>>> buckets_;
  std::size_t work_ = 0;
};

}  // namespace detail

namespace path {

/// The path of least flops (see the top of this header for the scope of the search).
/// Throws path_error beyond 64 tensors, past options.max_pairs, or when no order meets
/// options.max_intermediate.
inline contraction_path optimal(const tensor_graph& g, const optimal_options& o = {}) {
  return detail::optimal_search(g, o).run();
}

}  // namespace path
}  // namespace tenet
