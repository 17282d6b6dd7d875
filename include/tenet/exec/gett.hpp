#pragma once
// Native GEMM-like tensor contraction (GETT): C(i, j) (+)= sum_p A(i, p) B(p, j) where each
// operand element is reached through offset tables, A(i, p) = a[a_m[i] + a_k[p]] and so on.
// A row index i stands for a whole group of tensor modes (the m labels), so any strided
// layout is contracted without a transposed copy: blocks of A and B are packed straight
// from the tensors into micro-panels (as in BLIS / TCCG), a register-blocked micro-kernel
// multiplies them, and C is written through its own offsets (packing: pack.hpp).
#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "tenet/core/extents.hpp"
#include "tenet/exec/microkernel.hpp"
#include "tenet/exec/pack.hpp"
#include "tenet/exec/prefetch.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace tenet::exec::detail {

// A growable 64-byte aligned scratch buffer, one per thread, kept across calls (packing
// buffers are large; allocating them per call costs page faults).
template <class T>
T* scratch(std::size_t n, int slot) {
  struct buf {
    T* p = nullptr;
    std::size_t n = 0;
    ~buf() { ::operator delete(p, std::align_val_t{64}); }
  };
  thread_local buf b[3];
  if (b[slot].n < n) {
    ::operator delete(b[slot].p, std::align_val_t{64});
    b[slot].p = nullptr;
    b[slot].n = 0;
    b[slot].p = static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{64}));
    b[slot].n = n;
  }
  return b[slot].p;
}

/// What gett derives from its offset tables once, so that a loop of calls over the same
/// tables (a batch) pays for it once.
struct gett_layout {
  k_runs a_k, b_k;  // contiguous stretches of k in A, in B
  n_panels b_n;     // how B's NR-column panels lie
  panel_runs c_runs;  // per NR-column panel: its real columns as stretches contiguous in C
  index nc = 0;       // columns per block of B: whole groups of B's columns, where they fit
};

template <class T>
gett_layout make_gett_layout(index n, index k, const index* ak, const index* bk, const index* bn, const index* cn) {
  constexpr index NR = gett_blocking<T>::nr, L = kernel_shape<T>::lanes;
  constexpr index nc_max = gett_blocking<T>::nc, kc_max = gett_blocking<T>::kc;
  // A block of B holds a whole group of columns (pack.hpp b_group), in up to twice the
  // elements of the usual block.
  n_panels b_n = make_n_panels(bn, n, NR, L, 2 * nc_max * kc_max / std::clamp<index>(k, 1, kc_max));
  panel_runs c_runs = make_panel_runs(cn, b_n.valid, NR);
  // Blocks of whole groups where they fit the usual width in whole panels (`abcd=aebf*fdec`:
  // two of 768 columns), else as wide as the widest (a group cut by a block's edge is read
  // by both blocks).
  const index w = b_n.width();
  const index nc = w == 0                                   ? nc_max
                   : w <= nc_max && nc_max / w * w % NR == 0 ? nc_max / w * w
                                                             : (std::max(nc_max, w) + NR - 1) / NR * NR;
  return {make_k_runs(ak, k, L), make_k_runs(bk, k, L), std::move(b_n), std::move(c_runs), nc};
}

/// The operands of the call that follows, over the same offset tables (a batch), or null:
/// the end of this one reads the start of theirs ahead.
template <class T>
struct gett_next {
  const T* a = nullptr;
  const T* b = nullptr;
};

#ifdef _OPENMP
template <class T>
void gett_split_k(index m, index n, index k, const T* a, const index* am, const index* ak, const T* b,
                  const index* bk, const index* bn, T* c, const index* cm, const index* cn, bool accumulate,
                  int threads);
#endif

/// gett with its layout precomputed (make_gett_layout over the same tables).
template <class T>
void gett(index m, index n, index k, const T* a, const index* am, const index* ak, const T* b, const index* bk,
          const index* bn, T* c, const index* cm, const index* cn, bool accumulate, int threads,
          const gett_layout& lay, gett_next<T> next = {}) {
  using B = gett_blocking<T>;
  constexpr index MR = B::mr, NR = B::nr;
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (!accumulate)
      for (index i = 0; i < m; ++i)
        for (index j = 0; j < n; ++j) c[cm[i] + cn[j]] = T(0);
    return;
  }
#ifdef _OPENMP
  threads = std::max(1, threads);
  // Work per thread worth a parallel region: at least a few micro-tiles each.
  if (static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) < 32768.0 * threads) threads = 1;
#else
  threads = 1;
#endif
#ifdef _OPENMP
  // Few rows (a few blocks of A) and many columns: the threads take chunks of at least 512
  // columns in turn and contract each alone, packing all of A for it, with no barrier. The
  // shared scheme below waits at two barriers per step of k, which idles a core where the
  // steps are short (abc=ad*bdc: m = 150, n = 22500, k = 150).
  if (threads > 1 && m <= 4 * B::mc && n >= threads * 512) {
    const index panels = (n + NR - 1) / NR, chunks = std::clamp<index>(n / 512, threads, 4 * threads);
    // Chunk edges in whole panels, moved to the nearer edge of a group of B's columns that
    // they would cut (pack.hpp b_group): a chunk with a part of a group packs it column by
    // column (`abcd=dbea*ec`: groups of 8432 columns, chunks of about 2000).
    std::vector<index> cut{0};
    for (index t = 1; t <= chunks; ++t) {
      index x = std::min(n, panels * t / chunks * NR);
      if (const auto g = lay.b_n.group_cut_at(x); t < chunks && g != lay.b_n.groups.end()) {
        const index end = lay.b_n.end(*g);
        x = x - g->x0 <= end - x ? g->x0 : end;
      }
      if (x > cut.back()) cut.push_back(x);
    }
    const index n_chunks = static_cast<index>(cut.size()) - 1;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (index t = 0; t < n_chunks; ++t) {
      const index lo = cut[static_cast<std::size_t>(t)], hi = cut[static_cast<std::size_t>(t) + 1];
      gett<T>(m, hi - lo, k, a, am, ak, b, bk, bn + lo, c, cm, cn + lo, accumulate, 1,
              make_gett_layout<T>(hi - lo, k, ak, bk, bn + lo, cn + lo));
    }
    return;
  }
  // Few rows and few columns, long k: the threads split k, each contracting its share alone
  // into its own dense C (the first thread into C itself), then they sum. Each operand is
  // packed once in all, and the threads meet once (ab=acd*dbc: m = n = 256, k = 2304; split
  // by rows instead, each thread would pack all of B, and use each packed panel of B for
  // only its own rows: at m = 100, n = 300, k = 3000, 15% slower).
  if (threads > 1 && m <= 512 && n <= 512 && k >= threads * 4 * B::kc) {
    gett_split_k<T>(m, n, k, a, am, ak, b, bk, bn, c, cm, cn, accumulate, threads);
    return;
  }
  // Else few columns (a block of B or two): the same by rows, each thread packing all of B
  // for its share of A. Packing B twice costs less than the shared scheme's barriers.
  if (threads > 1 && n <= 512 && m >= threads * 4 * MR) {
    const index panels = (m + MR - 1) / MR;
#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (int t = 0; t < threads; ++t) {
      const index lo = panels * t / threads * MR, hi = std::min(m, panels * (t + 1) / threads * MR);
      if (hi > lo)
        gett<T>(hi - lo, n, k, a, am + lo, ak, b, bk, bn, c, cm + lo, cn, accumulate, 1, lay);
    }
    return;
  }
#endif
  // Blocks of A: balanced in size. With threads, each thread packs its own blocks of A and
  // all share the packed block of B; blocks are handed out dynamically (a thread slowed by
  // another process on its core gets fewer), so there are several per thread when the rows
  // allow. Too few rows for that: the threads split the panels of B instead.
  // The block count is a multiple of the thread count and blocks are whole micro-panels,
  // equal but for one panel: each step (below) ends at a barrier, so uneven shares idle a core.
  const bool split_m = threads > 1 && m >= threads * 8 * MR;
  const index m_panels_all = (m + MR - 1) / MR;
  const index kc_max = std::min(B::kc, k);
  // A block holds mc x kc elements: where k is short, more rows (as many bytes).
  const index mc_rows = std::max<index>(B::mc, B::mc * B::kc / kc_max / MR * MR);
  index m_blocks = (m + mc_rows - 1) / mc_rows;
  if (split_m) {
    const index per_thread = std::clamp<index>(m_panels_all / (8 * threads), 1, 4);
    m_blocks = (std::max(m_blocks, per_thread * threads) + threads - 1) / threads * threads;
  }
  const index mc_blk = (m_panels_all + m_blocks - 1) / m_blocks * MR;
  m_blocks = (m + mc_blk - 1) / mc_blk;
  const index nc_max = std::min(lay.nc, (n + NR - 1) / NR * NR);
  T* pb = scratch<T>(static_cast<std::size_t>(nc_max * kc_max), 0);

  // C (rows [i0, i0 + mc)) += the packed A block times B panels [jp_lo, jp_hi); a few lines
  // of `pf` (if any) after each micro-tile.
  auto multiply = [&](const T* pa, index i0, index mc, index j0, index kc, bool acc, index jp_lo,
                      index jp_hi, line_prefetch* pf = nullptr) {
    alignas(64) T tile[MR * NR];
    const index m_panels = (mc + MR - 1) / MR;
    for (index jp = jp_lo; jp < jp_hi; ++jp) {
      const std::size_t q = static_cast<std::size_t>((j0 + jp * NR) / NR);
      const index cols = lay.b_n.valid[q], runs = lay.c_runs.count(q);
      const index* cnj = cn + j0 + jp * NR;
      for (index ip = 0; ip < m_panels; ++ip) {
        const index ir = ip * MR, rows = std::min(MR, mc - ir);
        if (pf) pf->step();
        if (runs == 1 && rows == MR) {  // its real columns contiguous in C
          micro_kernel_c<T>(kc, pa + ip * MR * kc, pb + jp * NR * kc, c + cnj[0], cm + i0 + ir, acc, cols);
          continue;
        }
        micro_kernel<T>(kc, pa + ip * MR * kc, pb + jp * NR * kc, tile);
        for (index i = 0; i < rows; ++i) {
          T* crow = c + cm[i0 + ir + i];
          const T* t = tile + i * NR;
          for (index r = 0; r < runs; ++r) {
            const index j = lay.c_runs.begin(q, r);
            store_row<T>(crow + cnj[j], t + j, lay.c_runs.end(q, r, cols) - j, acc);
          }
          if (runs > 0) continue;
          if (acc)
            for (index j = 0; j < cols; ++j) crow[cnj[j]] += t[j];
          else
            for (index j = 0; j < cols; ++j) crow[cnj[j]] = t[j];
        }
      }
    }
  };

  // One thread of the team (nt threads, or the caller alone). Each step (a block of columns
  // and a slice of k) first packs B, then multiplies; in a team both phases are OpenMP
  // loops with dynamic scheduling, whose implicit barriers keep the steps apart.
  auto work = [&](int nt) {
    T* pa = scratch<T>(static_cast<std::size_t>(mc_blk * kc_max), 1);
    line_prefetch pf;
#ifdef _OPENMP
    std::vector<index> cuts;  // a team's chunks of B in the current block
#endif
    for (index j0 = 0; j0 < n; j0 += lay.nc) {
      const index nc = std::min(lay.nc, n - j0);
      const index n_panels = (nc + NR - 1) / NR;
      for (index p0 = 0; p0 < k; p0 += B::kc) {
        const index kc = std::min(B::kc, k - p0);
        const bool acc = accumulate || p0 > 0;
        // Chunks of B's panels: 4, or whole groups of columns (pack.hpp chunk_end).
        auto chunk_to = [&](index block, index q, index panels) { return chunk_end(lay.b_n, NR, block, q, panels); };
        if (nt == 1) {
          // The first block of A is multiplied by each chunk of B as soon as it is packed,
          // while the chunk is still in L1/L2 (a block of B is larger than L2: packed whole,
          // its first panels would come back from L3); later blocks reuse the packed block.
          // Each multiply asks, over its micro-tiles, for what the packing after it reads
          // (prefetch.hpp): the next chunk of B, else the next block of A, else the first
          // block of A and chunk of B of the next step, or of the next call (`next`). Not
          // where k is short: the multiply is too short to hide much, and planning costs.
          const bool ahead = kc >= 32;
          auto plan_after_block = [&](index ib) {
            if (ib + 1 < m_blocks) {
              const index i1 = (ib + 1) * mc_blk;
              pf.add(a, am + i1, std::min(mc_blk, m - i1), ak + p0, kc);
              return;
            }
            index j1 = j0, p1 = p0 + kc;
            const T *a1 = a, *b1 = b;
            if (p1 >= k) {
              p1 = 0;
              j1 = j0 + nc;
            }
            if (j1 >= n) {
              if (!next.a) return;
              j1 = 0;
              a1 = next.a;
              b1 = next.b;
            }
            const index k1 = std::min(B::kc, k - p1);
            pf.add(a1, am, std::min(mc_blk, m), ak + p1, k1);
            const index panels1 = (std::min(lay.nc, n - j1) + NR - 1) / NR;
            pf.add(b1, bn + j1, std::min(chunk_to(j1, 0, panels1) * NR, n - j1), bk + p1, k1);
          };
          for (index ib = 0; ib < m_blocks; ++ib) {
            const index i0 = ib * mc_blk, mc = std::min(mc_blk, m - i0), m_tiles = (mc + MR - 1) / MR;
            pack_a(a, am, ak, lay.a_k, i0, mc, p0, kc, pa, 0, m_tiles);
            if (ib > 0) {
              pf.clear();
              if (ahead) plan_after_block(ib);
              pf.spread(n_panels * m_tiles);
              multiply(pa, i0, mc, j0, kc, acc, 0, n_panels, &pf);
              continue;
            }
            for (index q = 0, hi; q < n_panels; q = hi) {
              hi = chunk_to(j0, q, n_panels);
              // With one block of A no chunk is reused: each is packed at the start of the
              // buffer (still in cache) as a block of its own.
              const index jq = m_blocks == 1 ? j0 + q * NR : j0, ql = m_blocks == 1 ? 0 : q;
              pack_b(b, bk, bn, lay.b_n, lay.b_k, p0, kc, jq, nc - (jq - j0), pb, ql, ql + hi - q);
              pf.clear();
              if (ahead && hi < n_panels)
                pf.add(b, bn + j0 + hi * NR, std::min(nc, chunk_to(j0, hi, n_panels) * NR) - hi * NR, bk + p0,
                       kc);
              else if (ahead)
                plan_after_block(ib);
              pf.spread((hi - q) * m_tiles);
              multiply(pa, i0, mc, jq, kc, acc, ql, ql + hi - q, &pf);
            }
          }
          continue;
        }
#ifdef _OPENMP
        // Tasks of one chunk each.
        if (p0 == 0) {
          cuts.assign(1, 0);
          while (cuts.back() < n_panels) cuts.push_back(chunk_to(j0, cuts.back(), n_panels));
        }
        const std::size_t b_tasks = cuts.size() - 1;
#pragma omp for schedule(dynamic, 1)
        for (std::size_t t = 0; t < b_tasks; ++t)
          pack_b(b, bk, bn, lay.b_n, lay.b_k, p0, kc, j0, nc, pb, cuts[t], cuts[t + 1]);
        if (split_m) {
#pragma omp for schedule(dynamic, 1)
          for (index ib = 0; ib < m_blocks; ++ib) {
            const index i0 = ib * mc_blk, mc = std::min(mc_blk, m - i0);
            pack_a(a, am, ak, lay.a_k, i0, mc, p0, kc, pa, 0, (mc + MR - 1) / MR);
            multiply(pa, i0, mc, j0, kc, acc, 0, n_panels);
          }
        } else {  // few rows: every thread packs each block of A; tasks of 2 panels of B
          const index c_tasks = (n_panels + 1) / 2;
          for (index ib = 0; ib < m_blocks; ++ib) {
            const index i0 = ib * mc_blk, mc = std::min(mc_blk, m - i0);
            pack_a(a, am, ak, lay.a_k, i0, mc, p0, kc, pa, 0, (mc + MR - 1) / MR);
#pragma omp for schedule(dynamic, 1)
            for (index t = 0; t < c_tasks; ++t)
              multiply(pa, i0, mc, j0, kc, acc, 2 * t, std::min(n_panels, 2 * t + 2));
          }
        }
#endif
      }
    }
  };
  if (threads == 1) {
    work(1);
    return;
  }
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
  work(omp_get_num_threads());
#endif
}

#ifdef _OPENMP
// gett's split of k among `threads` threads (see there): each takes as many whole k-slices
// (B::kc steps, so that its k tiles keep their alignment), and a share of the rows of the
// slices left over, so that all take the same work. Thread t > 0 writes a dense m x n
// partial (scratch slot 2), summed into C, by rows, after the one barrier.
template <class T>
void gett_split_k(index m, index n, index k, const T* a, const index* am, const index* ak, const T* b,
                  const index* bk, const index* bn, T* c, const index* cm, const index* cn, bool accumulate,
                  int threads) {
  constexpr index KC = gett_blocking<T>::kc, MR = gett_blocking<T>::mr;
  std::vector<index> dm(static_cast<std::size_t>(m)), dn(static_cast<std::size_t>(n));
  for (index i = 0; i < m; ++i) dm[static_cast<std::size_t>(i)] = i * n;
  for (index j = 0; j < n; ++j) dn[static_cast<std::size_t>(j)] = j;
  const bool c_unit = unit_stride(cn, n);
  std::vector<T*> part(static_cast<std::size_t>(threads), nullptr);
#pragma omp parallel num_threads(threads)
  {
    const int nt = omp_get_num_threads(), t = omp_get_thread_num();
    const index whole = k / KC / nt * KC;  // k steps of each thread's own (full) slices
    const index lo = t * whole, rest = whole * nt, panels = (m + MR - 1) / MR;
    const index r0 = std::min(m, panels * t / nt * MR), r1 = std::min(m, panels * (t + 1) / nt * MR);
    T* dst = t == 0 ? c : scratch<T>(static_cast<std::size_t>(m * n), 2);
    const index* dcm = t == 0 ? cm : dm.data();
    const index* dcn = t == 0 ? cn : dn.data();
    part[static_cast<std::size_t>(t)] = dst;
    gett<T>(m, n, whole, a, am, ak + lo, b, bk + lo, bn, dst, dcm, dcn, t == 0 && accumulate, 1,
            make_gett_layout<T>(n, whole, ak + lo, bk + lo, bn, dcn));
    if (rest < k && r1 > r0)
      gett<T>(r1 - r0, n, k - rest, a, am + r0, ak + rest, b, bk + rest, bn, dst, dcm + r0, dcn, true, 1,
              make_gett_layout<T>(n, k - rest, ak + rest, bk + rest, bn, dcn));
#pragma omp barrier
#pragma omp for schedule(static)
    for (index i = 0; i < m; ++i) {
      T* crow = c + cm[i];
      for (int u = 1; u < nt; ++u) {
        const T* prow = part[static_cast<std::size_t>(u)] + i * n;
        if (c_unit)
          for (index j = 0; j < n; ++j) crow[cn[0] + j] += prow[j];
        else
          for (index j = 0; j < n; ++j) crow[cn[j]] += prow[j];
      }
    }
  }
}
#endif

/// C(i, j) = (accumulate ? C(i, j) : 0) + sum_p A(i, p) B(p, j), through offset tables.
template <class T>
void gett(index m, index n, index k, const T* a, const index* am, const index* ak, const T* b, const index* bk,
          const index* bn, T* c, const index* cm, const index* cn, bool accumulate, int threads) {
  // With nothing to multiply the tables of A and B may be empty: derive no layout from them.
  const gett_layout lay = m > 0 && n > 0 && k > 0 ? make_gett_layout<T>(n, k, ak, bk, bn, cn) : gett_layout{};
  gett<T>(m, n, k, a, am, ak, b, bk, bn, c, cm, cn, accumulate, threads, lay);
}

}  // namespace tenet::exec::detail
