#pragma once
// Software prefetch spread over compute: the cache lines a later phase will read, asked for a
// few at a time while the current phase leaves memory idle.
//
// The native engine (gett.hpp) packs a chunk of B's panels, then multiplies it for a long
// while. Left to the hardware prefetchers, the packing of the next chunk waits on memory
// (a gather touches a line per column and vector of k; the prefetchers see too many
// streams), while memory idles during the multiply. Spread over the multiply, the same
// lines are in cache when the packing comes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "tenet/core/extents.hpp"

namespace tenet::exec::detail {

class line_prefetch {
 public:
  void clear() noexcept {
    seg_.clear();
    per_step_ = 0;
  }

  /// Adds to the plan the lines of the block of elements base[col[j] + row[p]] (j < cols,
  /// p < rows). Adds nothing where the block has too many stretches to list cheaply (neither
  /// its rows nor its columns contiguous).
  template <class T>
  void add(const T* base, const index* col, index cols, const index* row, index rows) {
    if (cols <= 0 || rows <= 0) return;
    auto add_stretch = [&](const T* p, index n) {
      const auto lo = reinterpret_cast<std::uintptr_t>(p), hi = lo + static_cast<std::uintptr_t>(n) * sizeof(T);
      if (!seg_.empty() && lo >= seg_.back().first && lo <= seg_.back().second)
        seg_.back().second = std::max(seg_.back().second, hi);
      else
        seg_.emplace_back(lo & ~std::uintptr_t{63}, hi);
    };
    bool rows_unit = true;
    for (index p = 1; rows_unit && p < rows; ++p) rows_unit = row[p] == row[0] + p;
    if (rows_unit) {  // a stretch per column (`abc=acd*db`: they join into one)
      for (index j = 0; j < cols; ++j) add_stretch(base + col[j] + row[0], rows);
      return;
    }
    index runs = 1;  // else a stretch per row and run of contiguous columns (`abc=ad*bdc`)
    for (index j = 1; j < cols; ++j) runs += col[j] != col[j - 1] + 1;
    if (runs * rows > 4096) return;
    for (index j = 0; j < cols;) {
      index e = j + 1;
      while (e < cols && col[e] == col[e - 1] + 1) ++e;
      for (index p = 0; p < rows; ++p) add_stretch(base + col[j] + row[p], e - j);
      j = e;
    }
  }

  /// Spreads the plan (what was added since clear()) over the next `steps` calls of step().
  void spread(index steps) noexcept {
    std::uintptr_t lines = 0;
    for (const auto& [lo, hi] : seg_) lines += (hi - lo + 63) / 64;
    const auto n = static_cast<std::uintptr_t>(std::max<index>(steps, 1));
    per_step_ = static_cast<index>((lines + n - 1) / n);
    s_ = 0;
    if (!seg_.empty()) next_ = seg_.front().first;
  }

  /// Asks for the next few lines of the plan.
  void step() noexcept {
    if (s_ >= seg_.size()) return;
    std::uintptr_t next = next_, end = seg_[s_].second;  // in registers, not in *this
    for (index i = 0; i < per_step_; ++i) {
      __builtin_prefetch(reinterpret_cast<const void*>(next));
      next += 64;
      if (next >= end) {
        if (++s_ == seg_.size()) return;
        next = seg_[s_].first;
        end = seg_[s_].second;
      }
    }
    next_ = next;
  }

 private:
  // Stretches of addresses (not pointers: a line may run past the block), merged where they
  // touch; each start is rounded down to its line.
  std::vector<std::pair<std::uintptr_t, std::uintptr_t>> seg_;
  std::size_t s_ = 0;
  std::uintptr_t next_ = 0;
  index per_step_ = 0;
};

}  // namespace tenet::exec::detail
