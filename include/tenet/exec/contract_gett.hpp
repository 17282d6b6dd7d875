#pragma once
// Runs a GETT plan (contract_plan.hpp): the m, n and k label groups become offset tables for
// the native kernel (gett.hpp), and the batch labels a loop of kernel calls, split across
// threads when there are enough of them, else each call runs on all threads.
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

/// C (+)= A B as planned by plan_gett, on `threads` threads.
template <class T>
void run_gett(const std::vector<label_dim>& d, const contraction_plan& p, const T* a, const T* b, T* c,
              bool accumulate, int threads) {
  const int oa = p.swap ? 1 : 0, ob = p.swap ? 0 : 1;
  const T* ga = p.swap ? b : a;
  const T* gb = p.swap ? a : b;
  const std::vector<index> am = group_offsets(p.m, d, oa), cm = group_offsets(p.m, d, 2);
  const std::vector<index> ak = group_offsets(p.k, d, oa), bk = group_offsets(p.k, d, ob);
  const std::vector<index> bn = group_offsets(p.n, d, ob), cn = group_offsets(p.n, d, 2);
  const index m = static_cast<index>(am.size()), n = static_cast<index>(bn.size()), k = static_cast<index>(ak.size());
  std::vector<label_dim> loops;
  index n_loops = 1;
  for (int l : p.loop) {
    loops.push_back(find_dim(d, l));
    n_loops *= loops.back().ext;
  }
  const gett_layout lay = make_gett_layout<T>(n, k, ak.data(), bk.data(), bn.data(), cn.data());
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
