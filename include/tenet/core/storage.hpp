#pragma once
// Owning, 64-byte aligned element storage (a cache line, and a full AVX-512 register).
#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>

#include "tenet/core/extents.hpp"

namespace tenet::detail {

inline constexpr std::size_t storage_alignment = 64;

// Holds only the pointer: the owner knows the size (from its extents), so a tensor whose
// extents are all static is exactly one pointer.
template <class T>
class aligned_buffer {
  struct deleter {
    void operator()(T* p) const noexcept {
      ::operator delete(static_cast<void*>(p), std::align_val_t{storage_alignment});
    }
  };

 public:
  aligned_buffer() = default;
  explicit aligned_buffer(index n) {
    if (n > 0) {
      p_.reset(static_cast<T*>(::operator new(static_cast<std::size_t>(n) * sizeof(T),
                                              std::align_val_t{storage_alignment})));
      std::uninitialized_value_construct_n(p_.get(), static_cast<std::size_t>(n));
    }
  }
  aligned_buffer(const T* src, index n) : aligned_buffer(n) { std::copy_n(src, n, p_.get()); }

  T* data() noexcept { return p_.get(); }
  const T* data() const noexcept { return p_.get(); }

 private:
  static_assert(std::is_trivially_destructible_v<T>, "tenet: element types must be trivially destructible");
  std::unique_ptr<T, deleter> p_;
};

}  // namespace tenet::detail
