#pragma once
// Runs a GETT plan (contract_plan.hpp): the m, n and k label groups become offset tables for
// the native kernel (gett.hpp), and the batch labels a loop of kernel calls, split across
// threads when there are enough of them, else each call runs on all threads.
#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "tenet/core/extents.hpp"
#include "tenet/exec/contract_plan.hpp"
#include "tenet/exec/gett.hpp"

namespace tenet::exec::detail {

/// The element types the GETT micro-kernel is written for.
template <class T>
inline constexpr bool gett_supports = std::is_same_v<T, float> || std::is_same_v<T, double>;

// Offsets in operand `op` of every multi-index of `labels`, row-major over the group.
inline std::vector<index> group_offsets(const std::vector<int>& labels, const std::vector<label_dim>& d, int op) {
  std::vector<index> off{0};
  off.reserve(static_cast<std::size_t>(group_extent(labels, d)));
  for (int l : labels) {
    const label_dim& x = find_dim(d, l);
    const std::size_t n = off.size(), e = static_cast<std::size_t>(x.ext);
    off.resize(n * e);
    for (std::size_t i = n; i-- > 0;) {  // in place, from the back
      const index base = off[i];
      for (std::size_t q = e; q-- > 0;) off[i * e + q] = base + static_cast<index>(q) * x.s[op];
    }
  }
  return off;
}

// The k group in the order the packing wants. Where A and B are contiguous along different
// k labels (la in A, lb in B, extents multiples of L lanes), each is split into (hi, lo) with
// lo = L, and the order becomes (rest..., la_hi, lb_hi, lb_lo, la_lo): within a tile of L*L
// steps of k, A is contiguous over L consecutive steps and B over L steps L apart, so both
// pack by in-register transposes (pack.hpp) where one would otherwise be gathered element by
// element (`ab=acd*dbc`). The split labels' dims are appended to `d`; returns the order.
inline std::vector<int> k_pack_order(const std::vector<int>& k, std::vector<label_dim>& d, int oa, int ob, index lanes) {
  int la = -1, lb = -1;
  for (int l : k) {
    const label_dim& x = find_dim(d, l);
    if (x.s[oa] == 1) la = l;
    if (x.s[ob] == 1) lb = l;
  }
  if (la < 0 || lb < 0 || la == lb || find_dim(d, la).ext % lanes != 0 || find_dim(d, lb).ext % lanes != 0 ||
      lanes < 2)
    return k;
  std::vector<int> order;
  for (int l : k)
    if (l != la && l != lb) order.push_back(l);
  int fresh = 0;
  for (const label_dim& x : d) fresh = std::max(fresh, x.label + 1);
  auto split = [&](int l, int hi, int lo) {
    label_dim h = find_dim(d, l), q = h;
    h.label = hi;
    h.ext /= lanes;
    for (index& st : h.s) st *= lanes;
    q.label = lo;
    q.ext = lanes;
    d.push_back(h);
    d.push_back(q);
  };
  split(la, fresh, fresh + 1);
  split(lb, fresh + 2, fresh + 3);
  order.insert(order.end(), {fresh, fresh + 2, fresh + 3, fresh + 1});
  return order;
}

/// What a GETT plan derives from the label dims alone (not from the data): the offset
/// tables of its m, n and k groups, the batch labels it loops over, and the kernel's layout.
/// Built once per shape and strides (plan_cache.hpp keeps it with the plan).
template <class T>
struct gett_tables {
  std::vector<index> am, cm, ak, bk, bn, cn;
  std::vector<label_dim> loops;
  gett_layout lay;
  std::size_t elements() const { return am.size() + cm.size() + ak.size() + bk.size() + bn.size() + cn.size(); }
};

template <class T>
gett_tables<T> make_gett_tables(const std::vector<label_dim>& d, const contraction_plan& p) {
  const int oa = p.swap ? 1 : 0, ob = p.swap ? 0 : 1;
  gett_tables<T> t;
  t.am = group_offsets(p.m, d, oa);
  t.cm = group_offsets(p.m, d, 2);
  std::vector<label_dim> dk = d;
  const std::vector<int> k_order = k_pack_order(p.k, dk, oa, ob, kernel_shape<T>::lanes);
  t.ak = group_offsets(k_order, dk, oa);
  t.bk = group_offsets(k_order, dk, ob);
  t.bn = group_offsets(p.n, d, ob);
  t.cn = group_offsets(p.n, d, 2);
  for (int l : p.loop) t.loops.push_back(find_dim(d, l));
  t.lay = make_gett_layout<T>(static_cast<index>(t.bn.size()), static_cast<index>(t.ak.size()), t.ak.data(),
                              t.bk.data(), t.bn.data(), t.cn.data());
  return t;
}

/// C (+)= A B as planned by plan_gett (its tables `t`), on `threads` threads.
template <class T>
void run_gett(const gett_tables<T>& t, const contraction_plan& p, const T* a, const T* b, T* c, bool accumulate,
              int threads) {
  const int oa = p.swap ? 1 : 0, ob = p.swap ? 0 : 1;
  const T* ga = p.swap ? b : a;
  const T* gb = p.swap ? a : b;
  const index m = static_cast<index>(t.am.size()), n = static_cast<index>(t.bn.size()),
              k = static_cast<index>(t.ak.size());
  const std::vector<label_dim>& loops = t.loops;
  index n_loops = 1;
  for (const label_dim& x : loops) n_loops *= x.ext;
  struct offsets {
    index a = 0, b = 0, c = 0;
  };
  auto offsets_of = [&](index o) {
    offsets f;
    for (index rem = o, r = static_cast<index>(loops.size()); r-- > 0;) {
      const label_dim& x = loops[static_cast<std::size_t>(r)];
      const index i = rem % x.ext;
      rem /= x.ext;
      f.a += i * x.s[oa];
      f.b += i * x.s[ob];
      f.c += i * x.s[2];
    }
    return f;
  };
  auto body = [&](index lo, index hi, int gett_threads) {
    offsets f = offsets_of(lo);
    for (index o = lo; o < hi; ++o) {
      const offsets g = o + 1 < hi ? offsets_of(o + 1) : offsets{};
      gett_next<T> next;  // the next call's operands, read ahead by this one
      if (o + 1 < hi) next = {ga + g.a, gb + g.b};
      gett<T>(m, n, k, ga + f.a, t.am.data(), t.ak.data(), gb + f.b, t.bk.data(), t.bn.data(), c + f.c,
              t.cm.data(), t.cn.data(), accumulate, gett_threads, t.lay, next);
      f = g;
    }
  };
  // The batch loop goes parallel when it splits evenly, or is long enough not to care.
  const bool par_loops = threads > 1 && n_loops >= threads && (n_loops % threads == 0 || n_loops >= 4 * threads);
  if (par_loops) {
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int w = 0; w < threads; ++w) body(n_loops * w / threads, n_loops * (w + 1) / threads, 1);
    return;
#endif
  }
  body(0, n_loops, threads);
}

}  // namespace tenet::exec::detail
