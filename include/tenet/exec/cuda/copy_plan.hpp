#pragma once
// Copies for the CUDA backend, planned on the host (plain C++, tested without a GPU): a loop
// over modes (tenet/exec/cuda/element.hpp's loop_desc) is cleaned up (extent-1 modes dropped,
// modes that stay nested merged) and given a kernel: a gather, 32 x 32 shared-memory tiles
// when the inner mode changes, or a reduction (one thread, or one block, per output element).
#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/extents.hpp"
#include "tenet/exec/cuda/element.hpp"

namespace tenet::detail::cuda {

enum class copy_kind {
  gather,        // one thread per output element (coalesced when the inner mode stays inner)
  tiled,         // 32 x 32 shared-memory tiles (the inner mode changes)
  reduce,        // one thread per output element, summing its modes
  reduce_block,  // one block per output element (long sums, few outputs)
};

inline const char* copy_kind_name(copy_kind k) noexcept {
  switch (k) {
    case copy_kind::gather: return "gather";
    case copy_kind::tiled: return "tiled permute";
    case copy_kind::reduce: return "reduce";
    case copy_kind::reduce_block: return "block reduce";
  }
  return "?";
}

/// A copy into a contiguous output: `d` (one input) and, for `tiled`, the same as tiles.
struct copy_step {
  copy_kind kind = copy_kind::gather;
  loop_desc d;
  tile_desc t;
};

/// Modes before packing into a loop_desc.
struct raw_loop {
  std::vector<index> ext, sa, sb, red_ext, red_sa, red_sb;
};

/// Drops extent-1 modes, merges modes that stay nested in every operand, and packs.
inline loop_desc finish_loop(raw_loop r) {
  loop_desc d;
  auto fill = [](const std::vector<index>& e, const std::vector<index>& a, const std::vector<index>& b, int& rank,
                 index* de, index* da, index* db) {
    std::vector<index> ne, na, nb;
    for (std::size_t i = 0; i < e.size(); ++i) {
      if (e[i] == 1) continue;
      if (!ne.empty() && na.back() == a[i] * e[i] && nb.back() == b[i] * e[i]) {
        ne.back() *= e[i];
        na.back() = a[i], nb.back() = b[i];
      } else {
        ne.push_back(e[i]), na.push_back(a[i]), nb.push_back(b[i]);
      }
    }
    if (ne.size() > static_cast<std::size_t>(max_dims))
      throw shape_error("tenet (CUDA): a kernel over " + std::to_string(ne.size()) +
                        " modes that cannot be merged; at most " + std::to_string(max_dims) + " are supported");
    rank = static_cast<int>(ne.size());
    for (std::size_t i = 0; i < ne.size(); ++i) de[i] = ne[i], da[i] = na[i], db[i] = nb[i];
  };
  // Summed modes in any order: largest strides first, so that nested ones merge.
  std::vector<std::size_t> ord(r.red_ext.size());
  for (std::size_t i = 0; i < ord.size(); ++i) ord[i] = i;
  std::stable_sort(ord.begin(), ord.end(), [&](std::size_t x, std::size_t y) {
    return r.red_sa[x] != r.red_sa[y] ? r.red_sa[x] > r.red_sa[y] : r.red_sb[x] > r.red_sb[y];
  });
  raw_loop s;
  for (std::size_t i : ord) s.red_ext.push_back(r.red_ext[i]), s.red_sa.push_back(r.red_sa[i]), s.red_sb.push_back(r.red_sb[i]);
  fill(r.ext, r.sa, r.sb, d.rank, d.ext, d.sa, d.sb);
  fill(s.red_ext, s.red_sa, s.red_sb, d.red_rank, d.red_ext, d.red_sa, d.red_sb);
  return d;
}

/// Picks the kernel for a one-input copy and fills its tiles.
inline copy_step make_copy_step(const loop_desc& d) {
  copy_step s;
  s.d = d;
  if (d.red_rank > 0) {
    s.kind = d.red_size() >= 512 && d.out_size() <= 65536 ? copy_kind::reduce_block : copy_kind::reduce;
    return s;
  }
  s.kind = copy_kind::gather;
  if (d.rank < 2 || d.sa[d.rank - 1] == 1) return s;
  int x = -1;
  for (int r = 0; r < d.rank - 1; ++r)
    if (d.sa[r] == 1) x = r;
  const int y = d.rank - 1;
  if (x < 0 || d.ext[x] < 8 || d.ext[y] < 8) return s;
  index out_stride[max_dims];
  index acc = 1;
  for (int r = d.rank; r-- > 0;) out_stride[r] = acc, acc *= d.ext[r];
  tile_desc& t = s.t;
  t.ext_x = d.ext[x], t.in_x = d.sa[x], t.out_x = out_stride[x];
  t.ext_y = d.ext[y], t.in_y = d.sa[y], t.out_y = out_stride[y];
  for (int r = 0; r < d.rank; ++r)
    if (r != x && r != y) {
      t.ext[t.rank] = d.ext[r], t.s_in[t.rank] = d.sa[r], t.s_out[t.rank] = out_stride[r];
      ++t.rank;
    }
  s.kind = copy_kind::tiled;
  return s;
}

inline std::vector<index> row_major_strides(std::span<const index> shape) {
  std::vector<index> s(shape.size());
  index acc = 1;
  for (std::size_t r = shape.size(); r-- > 0;) s[r] = acc, acc *= shape[r];
  return s;
}

inline index product(std::span<const index> e) {
  index n = 1;
  for (index x : e) n *= x;
  return n;
}

}  // namespace tenet::detail::cuda
