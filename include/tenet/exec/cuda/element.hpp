#pragma once
// What each CUDA thread computes, as plain functions of its indices: the kernels in
// tenet/exec/cuda/kernels.cuh are loops around these, and the host tests run the same
// functions in loops that stand in for the grid (tests/cuda_emulate.hpp). Plain C++: under
// nvcc the functions are __host__ __device__, elsewhere ordinary inline functions.
//
// Every kernel writes a contiguous row-major output; a `loop_desc` says, per output mode, its
// extent and the strides of one or two inputs (0 broadcasts; a sum of strides reads a
// diagonal), plus modes that are summed over (extents and input strides).
#include <cstddef>

#include "tenet/core/extents.hpp"

#if defined(__CUDACC__)
#define TENET_HD __host__ __device__
#else
#define TENET_HD
#endif

namespace tenet::detail::cuda {

/// Modes a kernel descriptor holds (after dropping extent-1 modes and merging modes that
/// stay adjacent); more is a shape_error.
inline constexpr int max_dims = 16;

/// out[o] = a[..] (one input) or a[..] * b[..] (two), summed over the `red` modes.
struct loop_desc {
  int rank = 0;  // output modes, row-major: the last is fastest
  index ext[max_dims] = {};
  index sa[max_dims] = {};
  index sb[max_dims] = {};
  int red_rank = 0;  // summed modes
  index red_ext[max_dims] = {};
  index red_sa[max_dims] = {};
  index red_sb[max_dims] = {};

  TENET_HD index out_size() const noexcept {
    index n = 1;
    for (int r = 0; r < rank; ++r) n *= ext[r];
    return n;
  }
  TENET_HD index red_size() const noexcept {
    index n = 1;
    for (int r = 0; r < red_rank; ++r) n *= red_ext[r];
    return n;
  }
};

/// Offsets in a and b of the multi-index whose row-major position over ext[0..rank) is `lin`.
TENET_HD inline void offsets_of(index lin, int rank, const index* ext, const index* sa, const index* sb, index& oa,
                                index& ob) noexcept {
  oa = 0, ob = 0;
  for (int r = rank; r-- > 0;) {
    const index i = lin % ext[r];
    lin /= ext[r];
    oa += i * sa[r];
    ob += i * sb[r];
  }
}

/// Output element o of a loop_desc; b == nullptr for one input. The sum runs over the summed
/// modes from position `first` in steps of `step` (one thread: 0, 1; a block: tid, threads).
template <class T>
TENET_HD T loop_partial(const loop_desc& d, const T* a, const T* b, index o, index first, index step) noexcept {
  index oa, ob;
  offsets_of(o, d.rank, d.ext, d.sa, d.sb, oa, ob);
  if (d.red_rank == 0) {
    if (first != 0) return T(0);
    return b ? a[oa] * b[ob] : a[oa];
  }
  T acc = T(0);
  const index n = d.red_size();
  for (index r = first; r < n; r += step) {
    index ra, rb;
    offsets_of(r, d.red_rank, d.red_ext, d.red_sa, d.red_sb, ra, rb);
    acc += b ? a[oa + ra] * b[ob + rb] : a[oa + ra];
  }
  return acc;
}

/// A permutation by 32 x 32 tiles through shared memory: mode x is the input's contiguous
/// one, mode y the output's; the other modes (`rest`) index the tiles' third dimension.
/// Reads are coalesced along x, writes along y.
struct tile_desc {
  int rank = 0;  // rest modes
  index ext[max_dims] = {};
  index s_in[max_dims] = {};
  index s_out[max_dims] = {};
  index ext_x = 1, in_x = 1, out_x = 1;
  index ext_y = 1, in_y = 1, out_y = 1;

  TENET_HD index rest_size() const noexcept {
    index n = 1;
    for (int r = 0; r < rank; ++r) n *= ext[r];
    return n;
  }
};

inline constexpr int tile_dim = 32;   // a tile is tile_dim x tile_dim elements
inline constexpr int tile_rows = 8;   // a block is tile_dim x tile_rows threads

/// Phase 1 of a tile, thread (tx, ty) of tile (bx, by) in rest position z:
/// tile[yy][xx] = in[x = bx*32 + xx, y = by*32 + yy] for xx = tx, yy = ty, ty + 8, ...
template <class T>
TENET_HD void tile_load(const tile_desc& d, const T* in, T (*tile)[tile_dim + 1], index bx, index by, index z,
                        int tx, int ty) noexcept {
  index oi, oo;
  offsets_of(z, d.rank, d.ext, d.s_in, d.s_out, oi, oo);
  const index x = bx * tile_dim + tx;
  for (int j = 0; j < tile_dim; j += tile_rows) {
    const index y = by * tile_dim + ty + j;
    if (x < d.ext_x && y < d.ext_y) tile[ty + j][tx] = in[oi + x * d.in_x + y * d.in_y];
  }
}

/// Phase 2 (after a barrier): out[x = bx*32 + xx, y = by*32 + yy] = tile[yy][xx] for yy = tx,
/// xx = ty, ty + 8, ...
template <class T>
TENET_HD void tile_store(const tile_desc& d, T* out, const T (*tile)[tile_dim + 1], index bx, index by, index z,
                         int tx, int ty) noexcept {
  index oi, oo;
  offsets_of(z, d.rank, d.ext, d.s_in, d.s_out, oi, oo);
  const index y = by * tile_dim + tx;
  for (int j = 0; j < tile_dim; j += tile_rows) {
    const index x = bx * tile_dim + ty + j;
    if (x < d.ext_x && y < d.ext_y) out[oo + x * d.out_x + y * d.out_y] = tile[tx][ty + j];
  }
}

/// The Khatri-Rao product of k contiguous row-major matrices (rows[f] x cols), each column
/// times w[c] when w is given: out[(i_0, .., i_{k-1}), c], i_0 slowest.
template <class T>
struct khatri_rao_desc {
  int k = 0;
  index rows[max_dims] = {};
  const T* m[max_dims] = {};
  index cols = 0;
  const T* w = nullptr;
};

template <class T>
TENET_HD T khatri_rao_element(const khatri_rao_desc<T>& d, index o) noexcept {
  const index c = o % d.cols;
  index row = o / d.cols;
  T v = d.w ? d.w[c] : T(1);
  for (int f = d.k; f-- > 0;) {
    const index i = row % d.rows[f];
    row /= d.rows[f];
    v *= d.m[f][i * d.cols + c];
  }
  return v;
}

}  // namespace tenet::detail::cuda
