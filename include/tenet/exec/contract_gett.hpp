#pragma once
// Runs a GETT plan (contract_plan.hpp): the m, n and k label groups become offset tables for
// the native kernel (gett.hpp), and the batch labels a loop of kernel calls, split across
// threads when there are enough of them, else each call runs on all threads.
#include <algorithm>
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

// Where n is several labels and the last (fastest) one, contiguous in B, has an extent e
// that is not a multiple of NR, a panel that straddles two of its runs is packed element by
// element. When at most 10% is added, each run is padded to a multiple of NR (offsets of its
// last column repeated; `valid` gets the real columns per panel), and the partial panels are
// packed and stored by masked vector copies: abc=ad*bdc at c = 150 on AVX-512 (NR = 32), where
// one panel in five straddled, ran 11% faster. Not where the label is contiguous only in C
// (abc=acd*db, swapped): straddling panels there are stored through a tile but packed as fast,
// and padding lost 5%.
inline void pad_n_runs(index e, index nr, std::vector<index>& bn, std::vector<index>& cn, std::vector<index>& valid) {
  const index r = (e + nr - 1) / nr * nr, runs = static_cast<index>(bn.size()) / e;
  std::vector<index> pb(static_cast<std::size_t>(runs * r)), pc(pb.size());
  for (index o = 0; o < runs; ++o)
    for (index j = 0; j < r; ++j) {
      const std::size_t from = static_cast<std::size_t>(o * e + std::min(j, e - 1)), to = static_cast<std::size_t>(o * r + j);
      pb[to] = bn[from];
      pc[to] = cn[from];
    }
  bn = std::move(pb);
  cn = std::move(pc);
  valid.clear();
  for (index o = 0; o < runs; ++o)
    for (index j = 0; j < r; j += nr) valid.push_back(std::min(nr, e - j));
}

inline bool pad_n_worth_it(const std::vector<int>& n_labels, const std::vector<label_dim>& d, int ob, index nr) {
  if (n_labels.size() < 2) return false;
  const label_dim& x = find_dim(d, n_labels.back());
  const index r = (x.ext + nr - 1) / nr * nr;
  return x.ext % nr != 0 && 10 * r <= 11 * x.ext && x.s[ob] == 1;
}

/// C (+)= A B as planned by plan_gett, on `threads` threads.
template <class T>
void run_gett(const std::vector<label_dim>& d, const contraction_plan& p, const T* a, const T* b, T* c,
              bool accumulate, int threads) {
  const int oa = p.swap ? 1 : 0, ob = p.swap ? 0 : 1;
  const T* ga = p.swap ? b : a;
  const T* gb = p.swap ? a : b;
  const std::vector<index> am = group_offsets(p.m, d, oa), cm = group_offsets(p.m, d, 2);
  std::vector<label_dim> dk = d;
  const std::vector<int> k_order = k_pack_order(p.k, dk, oa, ob, kernel_shape<T>::lanes);
  const std::vector<index> ak = group_offsets(k_order, dk, oa), bk = group_offsets(k_order, dk, ob);
  std::vector<index> bn = group_offsets(p.n, d, ob), cn = group_offsets(p.n, d, 2), valid;
  constexpr index NR = gett_blocking<T>::nr;
  if (pad_n_worth_it(p.n, d, ob, NR)) pad_n_runs(find_dim(d, p.n.back()).ext, NR, bn, cn, valid);
  const index m = static_cast<index>(am.size()), n = static_cast<index>(bn.size()), k = static_cast<index>(ak.size());
  std::vector<label_dim> loops;
  index n_loops = 1;
  for (int l : p.loop) {
    loops.push_back(find_dim(d, l));
    n_loops *= loops.back().ext;
  }
  const gett_layout lay =
      make_gett_layout<T>(n, k, ak.data(), bk.data(), bn.data(), cn.data(), valid.empty() ? nullptr : valid.data());
  auto body = [&](index lo, index hi, int gett_threads) {
    for (index o = lo; o < hi; ++o) {
      index offa = 0, offb = 0, offc = 0;
      for (index rem = o, r = static_cast<index>(loops.size()); r-- > 0;) {
        const index i = rem % loops[static_cast<std::size_t>(r)].ext;
        rem /= loops[static_cast<std::size_t>(r)].ext;
        offa += i * loops[static_cast<std::size_t>(r)].s[oa];
        offb += i * loops[static_cast<std::size_t>(r)].s[ob];
        offc += i * loops[static_cast<std::size_t>(r)].s[2];
      }
      gett<T>(m, n, k, ga + offa, am.data(), ak.data(), gb + offb, bk.data(), bn.data(), c + offc, cm.data(),
              cn.data(), accumulate, gett_threads, lay);
    }
  };
  // The batch loop goes parallel when it splits evenly, or is long enough not to care.
  const bool par_loops = threads > 1 && n_loops >= threads && (n_loops % threads == 0 || n_loops >= 4 * threads);
  if (par_loops) {
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int t = 0; t < threads; ++t) body(n_loops * t / threads, n_loops * (t + 1) / threads, 1);
    return;
#endif
  }
  body(0, n_loops, threads);
}

}  // namespace tenet::exec::detail
