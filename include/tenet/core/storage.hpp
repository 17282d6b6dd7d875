#pragma once
// Owning, 64-byte aligned element storage (a cache line, and a full AVX-512 register).
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "tenet/core/extents.hpp"

namespace tenet {

/// Tag for constructing a tensor whose elements the caller overwrites before reading
/// (as std::make_unique_for_overwrite): no zero fill, so no pass over fresh memory.
struct for_overwrite_t {
  explicit for_overwrite_t() = default;
};
inline constexpr for_overwrite_t for_overwrite{};

}  // namespace tenet

namespace tenet::detail {

inline constexpr std::size_t storage_alignment = 64;
inline constexpr std::size_t page_bytes = 4096;
inline constexpr std::size_t huge_page_bytes = std::size_t{2} << 20;

// Buffers of 256 KiB and more are page aligned; those of 8 MiB and more are 2 MiB aligned
// and, on Linux, advised to use transparent huge pages: their first touch then costs one page
// fault per 2 MiB instead of one per 4 KiB (a fresh 64 MB tensor took ~16000 faults, tens of
// milliseconds, as long as a mode product on it).
//
// Freed, both are kept for reuse (block_cache): a loop that makes a large result per
// iteration (an einsum in a benchmark, a network layer per block) would otherwise return the
// memory to the system (malloc hands such sizes back) and fault it in again every time. That
// cost 10-15% of a DTTN-T forward at batch 1, whose buffers are 0.1-4 MB; where the kernel
// has to compact memory for huge pages each fault can even stall (a 64 MB einsum ran 4x
// slower for it here). At most 64 blocks and 512 MiB are kept (a DTTN-T forward at batch 8
// cycles through about 20 sizes of 0.3-30 MB: with 16 blocks the oldest were gone by the
// next forward and 10% of its time went to faults); a request takes the smallest
// free block of at least its size and at most twice it. Smaller buffers go to
// std::aligned_alloc / std::free directly.
class block_cache {
 public:
  static constexpr std::size_t min_bytes = std::size_t{256} << 10;
  static constexpr std::size_t max_blocks = 64;
  static constexpr std::size_t max_bytes = std::size_t{512} << 20;

  // Never destroyed: a tensor with static storage duration may free its buffer after every
  // other static is gone (the blocks it holds go back to the system with the process).
  static block_cache& instance() {
    static block_cache* c = new block_cache;
    return *c;
  }
  /// A free block of `bytes` to 2 `bytes` (a multiple of the block's alignment), or nullptr:
  /// the smallest, and of equal ones the last freed (the most likely to be in cache).
  void* take(std::size_t bytes) {
    std::lock_guard<std::mutex> lock(m_);
    std::size_t best = free_.size();
    for (std::size_t i = 0; i < free_.size(); ++i)
      if (free_[i].bytes >= bytes && free_[i].bytes <= 2 * bytes &&
          (best == free_.size() || free_[i].bytes <= free_[best].bytes))
        best = i;
    if (best == free_.size()) return nullptr;
    const block b = free_[best];
    free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(best));
    free_bytes_ -= b.bytes;
    live_.push_back(b);
    return b.p;
  }
  void track(void* p, std::size_t bytes) {
    std::lock_guard<std::mutex> lock(m_);
    live_.push_back({p, bytes});  // may throw bad_alloc: the caller frees p
  }
  /// Takes back a block from allocate_bytes; false if `p` is not one of the cache's blocks.
  bool give_back(void* p) noexcept {
    block evicted[max_blocks + 2];  // no allocation here: it runs in destructors
    std::size_t n_evicted = 0;
    {
      std::lock_guard<std::mutex> lock(m_);
      auto it = std::find_if(live_.begin(), live_.end(), [p](const block& b) { return b.p == p; });
      if (it == live_.end()) return false;
      const block b = *it;
      live_.erase(it);
      if (b.bytes > max_bytes) {
        evicted[n_evicted++] = b;
      } else {
        free_.push_back(b);  // capacity reserved: does not allocate
        free_bytes_ += b.bytes;
        while (free_.size() > max_blocks || free_bytes_ > max_bytes) {  // the oldest go first
          evicted[n_evicted++] = free_.front();
          free_bytes_ -= free_.front().bytes;
          free_.erase(free_.begin());
        }
      }
    }
    for (std::size_t i = 0; i < n_evicted; ++i) std::free(evicted[i].p);
    return true;
  }
  /// Bytes held in free blocks, and their count (for tests).
  std::size_t cached_bytes() {
    std::lock_guard<std::mutex> lock(m_);
    return free_bytes_;
  }
  std::size_t cached_blocks() {
    std::lock_guard<std::mutex> lock(m_);
    return free_.size();
  }
 private:
  struct block {
    void* p;
    std::size_t bytes;
  };
  block_cache() { free_.reserve(max_blocks + 1); }
  std::mutex m_;
  std::vector<block> live_, free_;
  std::size_t free_bytes_ = 0;
};

inline void* allocate_bytes(std::size_t bytes) {
  const bool cached = bytes >= block_cache::min_bytes;
  const bool huge = bytes >= 4 * huge_page_bytes;
  const std::size_t align = huge ? huge_page_bytes : cached ? page_bytes : storage_alignment;
  if (bytes > std::numeric_limits<std::size_t>::max() - align) throw std::bad_alloc();
  const std::size_t rounded = (bytes + align - 1) / align * align;  // aligned_alloc wants a multiple
  if (cached)
    if (void* p = block_cache::instance().take(rounded)) return p;
  void* p = std::aligned_alloc(align, rounded);
  if (p == nullptr) throw std::bad_alloc();
  if (cached) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (huge) ::madvise(p, rounded, MADV_HUGEPAGE);  // advice only: where it fails, 4 KiB pages
#endif
    try {
      block_cache::instance().track(p, rounded);
    } catch (...) {
      std::free(p);
      throw;
    }
  }
  return p;
}

/// Releases what allocate_bytes returned. Only a page-aligned pointer can be a cached block,
/// so most of the others never touch the cache's lock.
inline void free_bytes(void* p) noexcept {
  if (p == nullptr) return;
  if (reinterpret_cast<std::uintptr_t>(p) % page_bytes == 0 && block_cache::instance().give_back(p)) return;
  std::free(p);
}

// Holds only the pointer: the owner knows the size (from its extents), so a tensor whose
// extents are all static is exactly one pointer.
template <class T>
class aligned_buffer {
  struct deleter {
    void operator()(T* p) const noexcept { free_bytes(static_cast<void*>(p)); }
  };

 public:
  aligned_buffer() = default;
  explicit aligned_buffer(index n) : aligned_buffer(for_overwrite, n) {
    if (n > 0) std::uninitialized_value_construct_n(p_.get(), static_cast<std::size_t>(n));
  }
  /// Indeterminate values, except in builds without NDEBUG: there they are NaN (0xA5 bytes
  /// for other types), so a kernel that leaves an element unwritten fails its tests.
  aligned_buffer(for_overwrite_t, index n) {
    if (n <= 0) return;
    if (static_cast<std::size_t>(n) > std::numeric_limits<std::size_t>::max() / sizeof(T)) throw std::bad_alloc();
    p_.reset(static_cast<T*>(allocate_bytes(static_cast<std::size_t>(n) * sizeof(T))));
#ifndef NDEBUG
    if constexpr (std::numeric_limits<T>::has_quiet_NaN)
      std::uninitialized_fill_n(p_.get(), static_cast<std::size_t>(n), std::numeric_limits<T>::quiet_NaN());
    else
      std::memset(static_cast<void*>(p_.get()), 0xA5, static_cast<std::size_t>(n) * sizeof(T));
#endif
  }
  aligned_buffer(const T* src, index n) : aligned_buffer(for_overwrite, n) {
    if (n > 0) std::uninitialized_copy_n(src, n, p_.get());
  }

  T* data() noexcept { return p_.get(); }
  const T* data() const noexcept { return p_.get(); }

 private:
  static_assert(std::is_trivially_destructible_v<T>, "tenet: element types must be trivially destructible");
  std::unique_ptr<T, deleter> p_;
};

}  // namespace tenet::detail
