#pragma once
// Owning, 64-byte aligned element storage (a cache line, and a full AVX-512 register).
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>

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
inline constexpr std::size_t huge_page_bytes = std::size_t{2} << 20;

// Buffers of 8 MiB and more are aligned to 2 MiB and, on Linux, advised to use transparent
// huge pages: their first touch then costs one page fault per 2 MiB instead of one per
// 4 KiB (a fresh 64 MB tensor took ~16000 faults, tens of milliseconds, as long as a
// mode product on it). Released with std::free.
inline void* allocate_bytes(std::size_t bytes) {
  const bool huge = bytes >= 4 * huge_page_bytes;
  const std::size_t align = huge ? huge_page_bytes : storage_alignment;
  if (bytes > std::numeric_limits<std::size_t>::max() - align) throw std::bad_alloc();
  const std::size_t rounded = (bytes + align - 1) / align * align;  // aligned_alloc wants a multiple
  void* p = std::aligned_alloc(align, rounded);
  if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (huge) ::madvise(p, rounded, MADV_HUGEPAGE);  // advice only: where it fails, 4 KiB pages
#endif
  return p;
}

// Holds only the pointer: the owner knows the size (from its extents), so a tensor whose
// extents are all static is exactly one pointer.
template <class T>
class aligned_buffer {
  struct deleter {
    void operator()(T* p) const noexcept { std::free(static_cast<void*>(p)); }
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
