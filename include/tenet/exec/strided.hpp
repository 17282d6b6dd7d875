#pragma once
// The one loop nest behind copies, permutations and reductions: dst[i] op= src[i] over a
// multi-index, with any strides on either side. Dimensions of extent 1 are dropped and
// dimensions contiguous on both sides are merged first; when the fastest dimensions of the
// two sides differ, the two are walked in cache-sized tiles (a blocked transpose).
#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <vector>

#include "tenet/core/extents.hpp"
#include "tenet/exec/threads.hpp"

namespace tenet::exec::detail {

struct loop_dim {
  index ext, sd, ss;  // extent, destination stride, source stride
};

// Drops extent-1 dims, orders by destination stride (largest first), merges contiguous runs.
inline std::vector<loop_dim> simplify_dims(std::vector<loop_dim> d) {
  std::erase_if(d, [](const loop_dim& x) { return x.ext == 1; });
  std::stable_sort(d.begin(), d.end(), [](const loop_dim& a, const loop_dim& b) {
    const index x = std::abs(a.sd), y = std::abs(b.sd);
    return x != y ? x > y : std::abs(a.ss) > std::abs(b.ss);
  });
  std::vector<loop_dim> out;
  for (const loop_dim& x : d) {
    if (!out.empty() && out.back().sd == x.sd * x.ext && out.back().ss == x.ss * x.ext) {
      out.back().ext *= x.ext;
      out.back().sd = x.sd;
      out.back().ss = x.ss;
    } else {
      out.push_back(x);
    }
  }
  return out;
}

/// dst[...] = op(dst[...], src[...]) for every multi-index of `dims`.
/// `parallel_safe` says the destination offsets of different outer indices never coincide.
template <class TD, class TS, class Op>
void strided_apply(std::vector<loop_dim> dims, TD* pd, const TS* ps, Op op, int threads,
                   bool parallel_safe = true) {
  for (const loop_dim& x : dims)
    if (x.ext == 0) return;
  dims = simplify_dims(std::move(dims));
  if (dims.empty()) {
    *pd = op(*pd, *ps);
    return;
  }
  const std::size_t R = dims.size();
  // The tile dims: the destination's fastest (last) and the source's fastest.
  std::size_t qs = R - 1;
  for (std::size_t r = 0; r < R; ++r)
    if (std::abs(dims[r].ss) < std::abs(dims[qs].ss)) qs = r;
  const loop_dim in = dims[R - 1];
  const bool tiled = qs != R - 1 && std::abs(in.ss) != 1;
  const loop_dim sq = tiled ? dims[qs] : loop_dim{1, 0, 0};
  std::vector<loop_dim> outer;
  for (std::size_t r = 0; r + 1 < R; ++r)
    if (!(tiled && r == qs)) outer.push_back(dims[r]);
  index n_outer = 1;
  for (const loop_dim& x : outer) n_outer *= x.ext;

  constexpr index tile = 32;
  auto body = [&](index lo, index hi) {
    // Offsets of the first outer index, then an odometer.
    std::vector<index> idx(outer.size(), 0);
    index od = 0, os = 0;
    for (index rem = lo, r = static_cast<index>(outer.size()); r-- > 0;) {
      idx[r] = rem % outer[r].ext;
      rem /= outer[r].ext;
      od += idx[r] * outer[r].sd;
      os += idx[r] * outer[r].ss;
    }
    for (index n = lo; n < hi; ++n) {
      TD* d = pd + od;
      const TS* s = ps + os;
      if (!tiled) {
        for (index i = 0; i < in.ext; ++i) d[i * in.sd] = op(d[i * in.sd], s[i * in.ss]);
      } else {
        for (index q0 = 0; q0 < sq.ext; q0 += tile)
          for (index i0 = 0; i0 < in.ext; i0 += tile) {
            const index q1 = std::min(q0 + tile, sq.ext), i1 = std::min(i0 + tile, in.ext);
            for (index q = q0; q < q1; ++q) {
              TD* dq = d + q * sq.sd;
              const TS* sq_ = s + q * sq.ss;
              for (index i = i0; i < i1; ++i) dq[i * in.sd] = op(dq[i * in.sd], sq_[i * in.ss]);
            }
          }
      }
      for (std::size_t r = outer.size(); r-- > 0;) {
        od += outer[r].sd;
        os += outer[r].ss;
        if (++idx[r] < outer[r].ext) break;
        od -= outer[r].sd * outer[r].ext;
        os -= outer[r].ss * outer[r].ext;
        idx[r] = 0;
      }
    }
  };
  const index work = n_outer * in.ext * sq.ext;
  split_range(n_outer, threads, parallel_safe && work >= (1 << 15), body);
}

}  // namespace tenet::exec::detail
