#pragma once
// Packing for the native contraction engine (gett.hpp): blocks of A and B copied from their
// strided layouts, through offset tables, into the micro-panels the micro-kernel reads.
//
// Packing reads through one pointer per row (A) or column (B) of a micro-panel; its inner
// loop walks the contraction index. Where k is contiguous in the operand (per chunk of one
// vector's lanes) the copy is a transpose: a vector from each row, turned in registers into
// a vector per k. Micro-panels of B whose columns are contiguous are copied row by row.
#include <algorithm>
#include <cstddef>
#include <vector>

#include "tenet/core/extents.hpp"
#include "tenet/exec/microkernel.hpp"

namespace tenet::exec::detail {

template <class T>
struct gett_blocking {
  static constexpr index mr = kernel_shape<T>::mr, nr = kernel_shape<T>::nr;
  static constexpr index kc = 256;  // a k-slice of a B micro-panel stays in L1
  static constexpr index mc = (sizeof(T) == 4 ? 240 : 120) / mr * mr;  // a block of A stays in L2
  static constexpr index nc = 2048 / nr * nr;  // a block of B stays in L3
};

inline bool unit_stride(const index* off, index n) {
  for (index i = 1; i < n; ++i)
    if (off[i] != off[0] + i) return false;
  return true;
}

// Per run of `w` consecutive entries: is it whole and contiguous (off[j] = off[0] + j)?
inline std::vector<unsigned char> unit_runs(const index* off, index n, index w) {
  std::vector<unsigned char> u(static_cast<std::size_t>((n + w - 1) / w));
  for (index q = 0; q * w + w <= n; ++q) u[static_cast<std::size_t>(q)] = unit_stride(off + q * w, w);
  return u;
}

/// Where k is contiguous in an operand, for packing by transposes (L lanes, k offsets `off`):
/// vec[c]: steps [c*L, c*L + L) are contiguous (off[c*L + t] = off[c*L] + t);
/// tile[q]: within steps [q*L*L, q*L*L + L*L), each of the L strands q*L*L + j + t*L
/// (t < L) is contiguous (the order contract_gett.hpp gives k when A and B are contiguous
/// along different k labels).
struct k_runs {
  std::vector<unsigned char> vec, tile;
};

inline k_runs make_k_runs(const index* off, index k, index lanes) {
  k_runs r{unit_runs(off, k, lanes), std::vector<unsigned char>(static_cast<std::size_t>(k / (lanes * lanes)))};
  for (std::size_t q = 0; q < r.tile.size(); ++q) {
    const index* o = off + static_cast<index>(q) * lanes * lanes;
    bool ok = true;
    for (index j = 0; ok && j < lanes; ++j)
      for (index t = 1; ok && t < lanes; ++t) ok = o[j + t * lanes] == o[j] + t;
    r.tile[q] = ok;
  }
  return r;
}

// src[off, off + n) as a vector, lanes n and past zero (0 < n <= lanes; reads nothing past).
template <class T>
[[gnu::always_inline]] inline simd_t<T> load_lanes(const T* src, index off, int n) noexcept {
  return n == kernel_shape<T>::lanes ? load<T>(src + off) : load_first<T>(src + off, n);
}

/// put(t, v) with v[j] = src[j][off + t] for j < L, t < nt (nt <= L, the lanes of one
/// vector), in the order of t: an L x L transpose of rows read at src[j] + off (their first
/// nt elements).
template <class T, class Put>
[[gnu::always_inline]] inline void transpose_each(const T* const* src, index off, int nt, Put&& put) {
  using V = simd_t<T>;
  constexpr int L = kernel_shape<T>::lanes;
#if defined(__AVX512F__)
  // Within 128-bit lanes by unpacks (and, for float, shuffles), then across lanes: after the
  // in-lane steps, vector w[g * Q + s] (Q = 4 floats or 2 doubles per lane) holds in lane l
  // the rows [Q*g, Q*g + Q) of column Q*l + s; two lane shuffles gather each column.
  if constexpr (sizeof(T) == 4) {
    __m512 r[16], w[16], out[16];
    for (int j = 0; j < 16; ++j) r[j] = reinterpret_cast<__m512>(load_lanes<T>(src[j], off, nt));
    for (int j = 0; j < 16; j += 2) {
      w[j] = _mm512_unpacklo_ps(r[j], r[j + 1]);
      w[j + 1] = _mm512_unpackhi_ps(r[j], r[j + 1]);
    }
    for (int j = 0; j < 16; j += 4) {
      r[j] = _mm512_shuffle_ps(w[j], w[j + 2], 0x44);
      r[j + 1] = _mm512_shuffle_ps(w[j], w[j + 2], 0xEE);
      r[j + 2] = _mm512_shuffle_ps(w[j + 1], w[j + 3], 0x44);
      r[j + 3] = _mm512_shuffle_ps(w[j + 1], w[j + 3], 0xEE);
    }
    for (int s = 0; s < 4; ++s) {
      const __m512 c0 = _mm512_shuffle_f32x4(r[s], r[4 + s], 0x44), c1 = _mm512_shuffle_f32x4(r[s], r[4 + s], 0xEE);
      const __m512 c2 = _mm512_shuffle_f32x4(r[8 + s], r[12 + s], 0x44);
      const __m512 c3 = _mm512_shuffle_f32x4(r[8 + s], r[12 + s], 0xEE);
      out[s] = _mm512_shuffle_f32x4(c0, c2, 0x88);
      out[4 + s] = _mm512_shuffle_f32x4(c0, c2, 0xDD);
      out[8 + s] = _mm512_shuffle_f32x4(c1, c3, 0x88);
      out[12 + s] = _mm512_shuffle_f32x4(c1, c3, 0xDD);
    }
    for (int t = 0; t < nt; ++t) put(t, reinterpret_cast<V>(out[t]));
    return;
  } else {
    __m512d r[8], w[8], out[8];
    for (int j = 0; j < 8; ++j) r[j] = reinterpret_cast<__m512d>(load_lanes<T>(src[j], off, nt));
    for (int j = 0; j < 8; j += 2) {
      w[j] = _mm512_unpacklo_pd(r[j], r[j + 1]);
      w[j + 1] = _mm512_unpackhi_pd(r[j], r[j + 1]);
    }
    for (int s = 0; s < 2; ++s) {
      const __m512d c0 = _mm512_shuffle_f64x2(w[s], w[2 + s], 0x44), c1 = _mm512_shuffle_f64x2(w[s], w[2 + s], 0xEE);
      const __m512d c2 = _mm512_shuffle_f64x2(w[4 + s], w[6 + s], 0x44);
      const __m512d c3 = _mm512_shuffle_f64x2(w[4 + s], w[6 + s], 0xEE);
      out[s] = _mm512_shuffle_f64x2(c0, c2, 0x88);
      out[2 + s] = _mm512_shuffle_f64x2(c0, c2, 0xDD);
      out[4 + s] = _mm512_shuffle_f64x2(c1, c3, 0x88);
      out[6 + s] = _mm512_shuffle_f64x2(c1, c3, 0xDD);
    }
    for (int t = 0; t < nt; ++t) put(t, reinterpret_cast<V>(out[t]));
    return;
  }
#elif defined(__AVX__)
  if constexpr (sizeof(T) == 4) {
    __m256 r[8], t[8], u[8];
    for (int j = 0; j < 8; ++j) r[j] = reinterpret_cast<__m256>(load_lanes<T>(src[j], off, nt));
    for (int j = 0; j < 8; j += 2) {
      t[j] = _mm256_unpacklo_ps(r[j], r[j + 1]);
      t[j + 1] = _mm256_unpackhi_ps(r[j], r[j + 1]);
    }
    for (int j = 0; j < 8; j += 4) {
      u[j] = _mm256_shuffle_ps(t[j], t[j + 2], 0x44);
      u[j + 1] = _mm256_shuffle_ps(t[j], t[j + 2], 0xEE);
      u[j + 2] = _mm256_shuffle_ps(t[j + 1], t[j + 3], 0x44);
      u[j + 3] = _mm256_shuffle_ps(t[j + 1], t[j + 3], 0xEE);
    }
    for (int j = 0; j < 4; ++j) {
      r[j] = _mm256_permute2f128_ps(u[j], u[j + 4], 0x20);
      r[j + 4] = _mm256_permute2f128_ps(u[j], u[j + 4], 0x31);
    }
    for (int t = 0; t < nt; ++t) put(t, reinterpret_cast<V>(r[t]));
    return;
  } else {
    __m256d r[4], t[4];
    for (int j = 0; j < 4; ++j) r[j] = reinterpret_cast<__m256d>(load_lanes<T>(src[j], off, nt));
    for (int j = 0; j < 4; j += 2) {
      t[j] = _mm256_unpacklo_pd(r[j], r[j + 1]);
      t[j + 1] = _mm256_unpackhi_pd(r[j], r[j + 1]);
    }
    for (int j = 0; j < 2; ++j) {
      r[j] = _mm256_permute2f128_pd(t[j], t[j + 2], 0x20);
      r[j + 2] = _mm256_permute2f128_pd(t[j], t[j + 2], 0x31);
    }
    for (int t = 0; t < nt; ++t) put(t, reinterpret_cast<V>(r[t]));
    return;
  }
#endif
  for (int t = 0; t < nt; ++t) {
    V v{};
    for (int j = 0; j < L; ++j) v[j] = src[j][off + t];
    put(t, v);
  }
}

/// transpose_each storing row t at dst + t * ld (pack_strand lets rows overlap).
template <class T>
[[gnu::always_inline]] inline void transpose_lanes(const T* const* src, index off, T* dst, index ld,
                                                   int nt = kernel_shape<T>::lanes) {
  transpose_each<T>(src, off, nt, [&](int t, simd_t<T> v) { store<T>(dst + t * ld, v); });
}

#if defined(__AVX512F__)
// d[t * ld + j] = src[j][off + t] for j < 8, t < nt (nt <= 16): the 8 x 16 transpose that
// packs an 8-row panel of floats, half the work of a 16 x 16 one over repeated rows. Steps:
// pairs of rows interleaved, then quads (x, y: in 128-bit lane l, column 4l + s of rows 0-3,
// 4-7), then the lanes gathered so that vector u holds columns 2u and 2u + 1 (rows 0-7 each).
[[gnu::always_inline]] inline void transpose_8x16(const float* const* src, index off, float* d, index ld, int nt) {
  __m512 r[8], w[8], x[4], y[4], out[8];
  for (int j = 0; j < 8; ++j) r[j] = reinterpret_cast<__m512>(load_lanes<float>(src[j], off, nt));
  for (int j = 0; j < 8; j += 2) {
    w[j] = _mm512_unpacklo_ps(r[j], r[j + 1]);
    w[j + 1] = _mm512_unpackhi_ps(r[j], r[j + 1]);
  }
  for (int h = 0; h < 2; ++h) {
    __m512* q = h == 0 ? x : y;
    const __m512* v = w + 4 * h;
    q[0] = _mm512_shuffle_ps(v[0], v[2], 0x44);
    q[1] = _mm512_shuffle_ps(v[0], v[2], 0xEE);
    q[2] = _mm512_shuffle_ps(v[1], v[3], 0x44);
    q[3] = _mm512_shuffle_ps(v[1], v[3], 0xEE);
  }
  for (int s = 0; s < 4; s += 2) {
    const __m512 p0 = _mm512_shuffle_f32x4(x[s], y[s], 0x44), p1 = _mm512_shuffle_f32x4(x[s], y[s], 0xEE);
    const __m512 q0 = _mm512_shuffle_f32x4(x[s + 1], y[s + 1], 0x44);
    const __m512 q1 = _mm512_shuffle_f32x4(x[s + 1], y[s + 1], 0xEE);
    out[s / 2] = _mm512_shuffle_f32x4(p0, q0, 0x88);      // columns 0, 1 (s = 0) or 2, 3
    out[2 + s / 2] = _mm512_shuffle_f32x4(p0, q0, 0xDD);  // columns 4 + ...
    out[4 + s / 2] = _mm512_shuffle_f32x4(p1, q1, 0x88);
    out[6 + s / 2] = _mm512_shuffle_f32x4(p1, q1, 0xDD);
  }
  for (int u = 0; 2 * u < nt; ++u) {
    if (ld == 8 && 2 * u + 1 < nt) {
      _mm512_storeu_ps(d + 16 * u, out[u]);
      continue;
    }
    _mm256_storeu_ps(d + 2 * u * ld, _mm512_castps512_ps256(out[u]));
    if (2 * u + 1 < nt)
      _mm256_storeu_ps(d + (2 * u + 1) * ld, _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(out[u]), 1)));
  }
}
#endif

// d[(p + t*step) * W + j] = r[j][o + t] for t < nt, j < W (nt <= L): one transpose per group
// of L entries. A partial last group (W = MR rows of A is not a multiple of L) goes through a
// buffer whose first lanes are kept; unless `spill` (with nt = L), which allows its surplus
// lanes to land on the first entries of the next row (step 1, and the step after the last
// one is written later): then it is stored in place first, and each row's surplus is
// overwritten by the next row, or by the full groups that follow.
template <class T, index W>
[[gnu::always_inline]] inline void pack_strand(const T* const* r, index o, T* d, index step, bool spill = false,
                                               int nt = kernel_shape<T>::lanes) {
  constexpr index L = kernel_shape<T>::lanes, G = (W + L - 1) / L, F = W / L;
#if defined(__AVX512F__)
  if constexpr (sizeof(T) == 4 && W == 8) {
    transpose_8x16(r, o, d, step * W, nt);
    return;
  }
#endif
  if constexpr (F < G) {
    if (spill && nt == L) {
      transpose_lanes<T>(r + F * L, o, d + F * L, W);
      for (index g = 0; g < F; ++g) transpose_lanes<T>(r + g * L, o, d + g * L, W);
      return;
    }
  }
  for (index g = 0; g < G; ++g) {
    if ((g + 1) * L <= W) {
      transpose_lanes<T>(r + g * L, o, d + g * L, step * W, nt);
      continue;
    }
    alignas(64) T buf[L * L];
    transpose_lanes<T>(r + g * L, o, buf, L, nt);
    for (index t = 0; t < nt; ++t)
      for (index j = g * L; j < W; ++j) d[t * step * W + j] = buf[t * L + j - g * L];
  }
}

// One micro-panel of W entries (rows of A or columns of B), zero padded past `used`:
// d[p * W + j] = src[j][off[p0 + p]] for p < kc. Where `runs` (over the same offsets; p0 is
// a multiple of L*L) finds k contiguous, the copy is by transposes. `next` (or null): the
// next panel's pointers, prefetched a line per step ahead (their first lines are the misses).
template <class T, index W>
void pack_panel(const T* const* src, index used, const T* const* next, const index* off, const k_runs& runs,
                index p0, index kc, T* d) {
  constexpr index L = kernel_shape<T>::lanes;
  constexpr index G = (W + L - 1) / L;  // groups of L entries; the last one may be partial
  const T* r[G * L];                   // the partial group repeats the last entry
  for (index j = 0; j < G * L; ++j) r[j] = src[std::min(j, W - 1)];
  for (index p = 0; p < kc;) {
    const index o = off[p0 + p];
    if ((p0 + p) % (L * L) == 0 && p + L * L <= kc && runs.tile[static_cast<std::size_t>((p0 + p) / (L * L))]) {
      if (next)  // the strands lie apart: a line of each
        for (index t = 0; t < L; ++t)
          for (index j = 0; j < W; ++j) __builtin_prefetch(next[j] + off[p0 + p + t]);
      for (index j = 0; j < L; ++j) pack_strand<T, W>(r, off[p0 + p + j], d + (p + j) * W, L);
      p += L * L;
      continue;
    }
    if (p + L <= kc && runs.vec[static_cast<std::size_t>((p0 + p) / L)]) {
      // A line per run of the next panel's entries: where the chunk does not continue the
      // previous one (k tiles), each chunk starts its own.
      constexpr index line = 64 / static_cast<index>(sizeof(T));
      if (next && (p % line == 0 || o != off[p0 + p - L] + L))
        for (index j = 0; j < W; ++j) __builtin_prefetch(next[j] + o);
      pack_strand<T, W>(r, o, d + p * W, 1, p + L < kc);
      p += L;
      continue;
    }
    if (const index left = kc - p; left < L && left >= 4 && p % L == 0 && unit_stride(off + p0 + p, left)) {
      pack_strand<T, W>(r, o, d + p * W, 1, false, static_cast<int>(left));  // the k-slice's tail
      break;
    }
    for (index j = 0; j < W; ++j) d[p * W + j] = r[j][o];
    ++p;
  }
  if (used < W)
    for (index p = 0; p < kc; ++p)
      for (index j = used; j < W; ++j) d[p * W + j] = T(0);
}

// Packs rows [i0, i0 + mc) x k [p0, p0 + kc) of A into MR-row micro-panels (zero padded):
// panel q holds, for each p, its MR values of column p contiguously. `k`: as pack_panel's.
template <class T>
void pack_a(const T* a, const index* am, const index* ak, const k_runs& k, index i0, index mc, index p0,
            index kc, T* dst, index panel_lo, index panel_hi) {
  constexpr index MR = gett_blocking<T>::mr;
  for (index q = panel_lo; q < panel_hi; ++q) {
    const index rows = std::min(MR, mc - q * MR);
    const T *r[MR], *nx[MR];
    for (index i = 0; i < MR; ++i) {
      r[i] = a + am[i0 + q * MR + std::min(i, rows - 1)];
      nx[i] = a + am[i0 + std::min(mc - 1, (q + 1) * MR + i)];
    }
    pack_panel<T, MR>(r, rows, q + 1 < panel_hi ? nx : nullptr, ak, k, p0, kc, dst + q * MR * kc);
  }
}

/// Per NR-column panel q, its first cols[q] (real) columns as stretches contiguous in memory
/// (column offsets `off`): they start at the panel's columns start[first[q]], ...,
/// start[first[q + 1] - 1]. None where there are several averaging under 4 columns (the
/// panel is then gathered or scattered element by element). A panel straddles stretches
/// where the fastest n label is not a multiple of NR long (c = 150 in `abc=ad*bdc`).
struct panel_runs {
  std::vector<index> first, start;
  index count(std::size_t q) const { return first[q + 1] - first[q]; }
  // Columns [begin, end) of the panel's r-th stretch (r < count(q)), of `cols` real ones.
  index begin(std::size_t q, index r) const { return start[static_cast<std::size_t>(first[q] + r)]; }
  index end(std::size_t q, index r, index cols) const { return r + 1 < count(q) ? begin(q, r + 1) : cols; }
};

inline panel_runs make_panel_runs(const index* off, const std::vector<index>& cols, index nr) {
  panel_runs r{std::vector<index>(cols.size() + 1), {}};
  r.start.reserve(cols.size());
  for (std::size_t q = 0; q < cols.size(); ++q) {
    const index* o = off + static_cast<index>(q) * nr;
    const index first = static_cast<index>(r.start.size());
    r.first[q] = first;
    r.start.push_back(0);
    for (index j = 1; j < cols[q]; ++j)
      if (o[j] != o[j - 1] + 1) r.start.push_back(j);
    if (const index runs = static_cast<index>(r.start.size()) - first; runs > 1 && runs * 4 > cols[q])
      r.start.resize(static_cast<std::size_t>(first));
  }
  r.first[cols.size()] = static_cast<index>(r.start.size());
  return r;
}

/// A group of B's columns packed together (pack_b_groups): `rows` rows of c1 columns
/// (n_panels::c1), column x0 + t*c1 + u (t < rows, u < c1) at B's offset bn[x0 + u] + t.
/// Another n label than the one the panels run along is contiguous in B (`abcd=aebf*fdec`:
/// the panels run along d, c is contiguous), so per k step one vector load at a column of the
/// first row reads that column and the ones below it, and a transpose sorts them into rows.
struct b_group {
  index x0, rows;
};

/// How B's NR-column panels lie in memory (over its column offsets bn, n columns):
/// unit[q]: panel q's columns are contiguous (a vector copy per row);
/// c1, groups: where column c1 (at least 4) is column 0 moved by one element, the columns in
/// groups (b_group) of 4 to L rows (L lanes), in column order, disjoint; c1 need not be a
/// multiple of anything (`abcd=dbea*ec`: c1 = 527), so a group's rows start anywhere in a panel;
/// covered[q]: every real column of panel q is in a group;
/// valid[q]: panel q's first valid[q] columns are real (all but in the last panel), the rest
/// padding past n, never stored;
/// runs: the panels' real columns as contiguous stretches.
struct n_panels {
  std::vector<unsigned char> unit;
  index c1 = 0;
  std::vector<b_group> groups;
  std::vector<unsigned char> covered;
  std::vector<index> valid;
  panel_runs runs;
  index end(const b_group& g) const { return g.x0 + g.rows * c1; }  // one past its last column
  index width() const {  // of the widest group, in columns
    index w = 0;
    for (const b_group& g : groups) w = std::max(w, g.rows * c1);
    return w;
  }
  // The first group that ends past column x.
  std::vector<b_group>::const_iterator group_after(index x) const {
    return std::partition_point(groups.begin(), groups.end(), [&](const b_group& g) { return end(g) <= x; });
  }
  // The group that an edge at column x would cut (columns on both sides of it), else end.
  std::vector<b_group>::const_iterator group_cut_at(index x) const {
    const auto g = group_after(x);
    return g != groups.end() && g->x0 < x ? g : groups.end();
  }
};

/// `max_width`: the widest group allowed, in columns (a block of B holds a whole group).
inline n_panels make_n_panels(const index* bn, index n, index nr, index lanes, index max_width) {
  const std::size_t panels = static_cast<std::size_t>((n + nr - 1) / nr);
  n_panels r{unit_runs(bn, n, nr), 0, {}, std::vector<unsigned char>(panels), std::vector<index>(panels), {}};
  for (std::size_t q = 0; q < panels; ++q) r.valid[q] = std::min(nr, n - static_cast<index>(q) * nr);
  r.runs = make_panel_runs(bn, r.valid, nr);
  index c1 = 1;
  while (c1 < n && bn[c1] != bn[0] + 1) ++c1;
  const index min_rows = std::min<index>(4, lanes);
  if (c1 >= n || c1 < 4 || lanes < 2) return r;
  for (index x0 = 0; x0 + c1 <= n;) {  // rows of c1 columns from column 0
    index t = 1;
    for (bool ok = true; t < lanes && x0 + (t + 1) * c1 <= n; ++t) {
      for (index u = 0; ok && u < c1; ++u) ok = bn[x0 + t * c1 + u] == bn[x0 + u] + t;
      if (!ok) break;
    }
    if (t >= min_rows && t * c1 <= max_width) {
      r.groups.push_back({x0, t});
      x0 += t * c1;
    } else {
      x0 += c1;
    }
  }
  if (r.groups.empty()) return r;
  r.c1 = c1;
  std::vector<unsigned char> in(static_cast<std::size_t>(n));
  for (const b_group& g : r.groups) std::fill(in.begin() + g.x0, in.begin() + r.end(g), 1);
  for (std::size_t q = 0; q < panels; ++q) {
    const auto first = in.begin() + static_cast<index>(q) * nr;
    r.covered[q] = std::all_of(first, first + r.valid[q], [](unsigned char x) { return x != 0; });
  }
  return r;
}

/// The end of the chunk of B's panels packed together (and multiplied while in cache) that
/// starts at panel q of the block at column j0: 4 panels on, or, where that is inside a
/// group, the panel where the group ends, so that each group is read about once, not once
/// per chunk it meets. At most `hi`.
inline index chunk_end(const n_panels& np, index nr, index j0, index q, index hi) {
  index end = std::min(hi, q + 4);
  if (end < hi)
    if (const auto g = np.group_cut_at(j0 + end * nr); g != np.groups.end())
      end = std::min(hi, (np.end(*g) - j0) / nr);
  return end;
}

// Packs the columns [lo, hi) of the groups [g, g_end) for k [p0, p0 + kc) into the panels
// of the block that starts at column j0 (panel q at dst + q*NR*kc). Per run of L columns of a
// group's first row and k step, a vector load at each column reads the rows below it, and a
// transpose makes rows.
template <class T>
void pack_b_groups(const T* b, const index* bk, const index* bn, std::vector<b_group>::const_iterator g,
                   std::vector<b_group>::const_iterator g_end, index c1, index p0, index kc, index j0, index lo,
                   index hi, T* dst) {
  constexpr index NR = gett_blocking<T>::nr, L = kernel_shape<T>::lanes;
  constexpr index ahead = 8;  // k steps: the loads are far apart, so ask for them early
  for (; g != g_end; ++g)
    for (index u0 = 0; u0 < c1; u0 += L) {
      const index un = std::min(L, c1 - u0), x = g->x0 + u0;
      index t_lo = 0, t_hi = g->rows;  // the rows with columns in [lo, hi)
      while (t_lo < t_hi && x + t_lo * c1 + un <= lo) ++t_lo;
      while (t_hi > t_lo && x + (t_hi - 1) * c1 >= hi) --t_hi;
      if (t_lo == t_hi) continue;
      const T* col[L];
      for (index u = 0; u < L; ++u) col[u] = b + bn[x + std::min(u, un - 1)];
      for (index p = 0; p < kc; ++p) {
        if (p + ahead < kc)
          for (index u = 0; u < un; ++u) __builtin_prefetch(col[u] + bk[p0 + p + ahead]);
        T* row = dst + p * NR;
        transpose_each<T>(col, bk[p0 + p], static_cast<int>(t_hi), [&](int t, simd_t<T> v) {
          const index c0 = x + t * c1;  // row t's columns [c0, c0 + un), in at most two panels
          for (index s = std::max(c0, lo), e = std::min(c0 + un, hi); s < e;) {
            const index q = (s - j0) / NR, o = (s - j0) % NR, w = std::min(e - s, NR - o);
            store_lanes<T>(row + q * NR * kc + o, v, static_cast<int>(s - c0), static_cast<int>(w));
            s += w;
          }
        });
      }
    }
}

// Packs k [p0, p0 + kc) x columns [j0, j0 + nc) of B into NR-column micro-panels: panel q
// holds, for each p, its NR values of row p contiguously. `np`: how the panels lie
// (make_n_panels; the groups that meet the panels [panel_lo, panel_hi) are packed, as far as
// they lie in them); `k`: as pack_panel's.
template <class T>
void pack_b(const T* b, const index* bk, const index* bn, const n_panels& np, const k_runs& k,
            index p0, index kc, index j0, index nc, T* dst, index panel_lo, index panel_hi) {
  constexpr index NR = gett_blocking<T>::nr, L = kernel_shape<T>::lanes;
  static_assert(NR % L == 0, "a B micro-panel is whole vectors wide (its contiguous rows are vector copies)");
  const unsigned char* n_unit = np.unit.data();
  const index g0 = j0 / NR;  // j0 is a multiple of NR
  const index lo = j0 + panel_lo * NR, hi = j0 + std::min(panel_hi * NR, nc);
  if (!np.groups.empty()) {  // the groups that meet [lo, hi)
    const auto g = np.group_after(lo);
    const auto g_end = std::partition_point(g, np.groups.end(), [&](const b_group& x) { return x.x0 < hi; });
    pack_b_groups<T>(b, bk, bn, g, g_end, np.c1, p0, kc, j0, lo, hi, dst);
  }
  for (index q = panel_lo; q < panel_hi;) {
    T* d = dst + q * NR * kc;
    const index cols = np.valid[static_cast<std::size_t>(g0 + q)];  // real columns
    const index jq = j0 + q * NR;
    if (np.covered[static_cast<std::size_t>(g0 + q)]) {
      ++q;
      continue;
    }
    if (cols == NR && n_unit[jq / NR]) {
      // A run of contiguous panels, one stretch of each row of B: read row by row, so the
      // loads stream through memory instead of touching one cache line per row and panel.
      index run = 1;
      while (q + run < panel_hi && (q + run + 1) * NR <= nc && n_unit[jq / NR + run] &&
             bn[jq + run * NR] == bn[jq] + run * NR)
        ++run;
      const T* s = b + bn[jq];
      for (index p = 0; p < kc; ++p) {
        const T* sp = s + bk[p0 + p];
        for (index r = 0; r < run; ++r)
          for (index j = 0; j < NR; j += L) store<T>(d + r * NR * kc + p * NR + j, load<T>(sp + r * NR + j));
      }
      q += run;
      continue;
    }
    if (const index runs = np.runs.count(static_cast<std::size_t>(g0 + q)); runs > 1 || (runs == 1 && cols < NR)) {
      // Its real columns in a few contiguous stretches (it straddles runs of its label, or is
      // the partial last panel): per row, a masked vector copy of each stretch, zeros after.
      const std::size_t g = static_cast<std::size_t>(g0 + q);
      for (index p = 0; p < kc; ++p) {
        T* dp = d + p * NR;
        for (index r = 0; r < runs; ++r) {
          const index j = np.runs.begin(g, r);
          store_row<T>(dp + j, b + bn[jq + j] + bk[p0 + p], np.runs.end(g, r, cols) - j, false);
        }
        for (index j = cols; j < NR; ++j) dp[j] = T(0);
      }
      ++q;
      continue;
    }
    const T *c[NR], *nx[NR];
    for (index j = 0; j < NR; ++j) {
      c[j] = b + bn[jq + std::min(j, cols - 1)];
      nx[j] = b + bn[std::min(j0 + nc - 1, jq + NR + j)];
    }
    pack_panel<T, NR>(c, cols, q + 1 < panel_hi ? nx : nullptr, bk, k, p0, kc, d);
    ++q;
  }
}

}  // namespace tenet::exec::detail
