#pragma once
// tenet::device_tensor<T>: a tensor in CUDA device memory. Rank known at run time, row-major
// and contiguous, move-only. Host <-> device copies are explicit (to_device, to_host) and run
// on the policy's stream, synchronizing it before they return. CUDA only (nvcc).
//
// Memory comes from CUDA's stream-ordered pool (cudaMallocAsync) on the stream of the policy
// it was made with, and goes back to the pool on that stream when the tensor dies: that
// stream must outlive the tensor (the default stream always does). Using the tensor on
// another stream is ordered by the caller, as for any CUDA memory.
#include <cuda_runtime.h>

#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/extents.hpp"
#include "tenet/core/storage.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/core/traits.hpp"
#include "tenet/exec/cuda/policy.hpp"
#include "tenet/exec/cuda/runtime.cuh"

namespace tenet {

template <class T>
class device_tensor {
  static_assert(std::is_arithmetic_v<T>, "tenet::device_tensor: elements must be arithmetic");

 public:
  using value_type = T;
  using element_type = T;

  /// Empty: shape (0,), no memory.
  device_tensor() noexcept : shape_{0} {}
  /// Zeros of the given shape, on the current device, allocated on the policy's stream.
  explicit device_tensor(std::vector<index> shape, exec::cuda_policy policy = exec::cuda)
      : device_tensor(for_overwrite, std::move(shape), policy) {
    if (size_ > 0) TENET_CUDA_CHECK(cudaMemsetAsync(p_, 0, bytes(), stream_));
  }
  /// Uninitialized, for a result the caller writes in full.
  device_tensor(for_overwrite_t, std::vector<index> shape, exec::cuda_policy policy = exec::cuda)
      : shape_(std::move(shape)), stream_(policy.stream) {
    const std::span<const index> given(shape_);
    const dyn_extents checked(given);  // throws on a negative extent
    size_ = checked.size();
    device_ = detail::cuda::current_device();
    if (size_ > 0) TENET_CUDA_CHECK(cudaMallocAsync(reinterpret_cast<void**>(&p_), bytes(), stream_));
  }
  device_tensor(const device_tensor&) = delete;  // copies are explicit: clone()
  device_tensor& operator=(const device_tensor&) = delete;
  device_tensor(device_tensor&& o) noexcept
      : shape_(std::exchange(o.shape_, {0})),
        size_(std::exchange(o.size_, 0)),
        p_(std::exchange(o.p_, nullptr)),
        stream_(o.stream_),
        device_(o.device_) {}
  device_tensor& operator=(device_tensor&& o) noexcept {
    if (this != &o) {
      release();
      shape_ = std::exchange(o.shape_, {0});
      size_ = std::exchange(o.size_, 0);
      p_ = std::exchange(o.p_, nullptr);
      stream_ = o.stream_;
      device_ = o.device_;
    }
    return *this;
  }
  ~device_tensor() { release(); }

  std::size_t rank() const noexcept { return shape_.size(); }
  index extent(std::size_t r) const noexcept { return shape_[r]; }
  const std::vector<index>& shape() const noexcept { return shape_; }
  dyn_extents extents() const { return dyn_extents(std::span<const index>(shape_)); }
  index size() const noexcept { return size_; }
  std::size_t bytes() const noexcept { return static_cast<std::size_t>(size_) * sizeof(T); }
  /// Device pointer (nullptr when empty): pass it to kernels, never dereference it on the host.
  T* data() noexcept { return p_; }
  const T* data() const noexcept { return p_; }
  /// The stream the memory was allocated on (and is freed on); the device it lives on.
  cudaStream_t stream() const noexcept { return stream_; }
  int device() const noexcept { return device_; }

  /// A device-side copy, on the policy's stream.
  device_tensor clone(exec::cuda_policy policy = exec::cuda) const {
    device_tensor t(for_overwrite, shape_, policy);
    if (size_ > 0) TENET_CUDA_CHECK(cudaMemcpyAsync(t.p_, p_, bytes(), cudaMemcpyDeviceToDevice, policy.stream));
    return t;
  }

 private:
  void release() noexcept {
    if (!p_) return;
    int old = 0;
    const bool switch_device = cudaGetDevice(&old) == cudaSuccess && old != device_;
    if (switch_device) (void)cudaSetDevice(device_);
    (void)cudaFreeAsync(p_, stream_);
    if (switch_device) (void)cudaSetDevice(old);
    p_ = nullptr;
  }

  std::vector<index> shape_;
  index size_ = 0;
  T* p_ = nullptr;
  cudaStream_t stream_ = nullptr;
  int device_ = 0;
};

namespace detail::cuda {

template <class X>
struct is_device_tensor : std::false_type {};
template <class T>
struct is_device_tensor<device_tensor<T>> : std::true_type {};

inline std::string shape_text(const std::vector<index>& s) { return tenet::detail::shape_string(std::span<const index>(s)); }

}  // namespace detail::cuda

/// Copies a host tensor or view into an existing device tensor of the same shape (shape_error
/// naming both shapes otherwise). Returns once the copy is done.
template <tensor_like X, class T>
  requires std::is_same_v<std::remove_const_t<value_type_of_t<X>>, T>
void to_device(exec::cuda_policy policy, const X& x, device_tensor<T>& dst) {
  const auto v = as_view(x);
  bool same = v.rank() == dst.rank();
  for (std::size_t r = 0; same && r < v.rank(); ++r) same = v.extent(r) == dst.extent(r);
  if (!same)
    throw shape_error("tenet::to_device: a host tensor of shape " + tenet::detail::shape_string(v.extents()) +
                      " into a device tensor of shape " + detail::cuda::shape_text(dst.shape()));
  if (dst.size() == 0) return;
  const T* src = v.data();
  dtensor<T> packed;
  if (!v.is_contiguous()) {
    packed = dtensor<T>(v);
    src = packed.data();
  }
  TENET_CUDA_CHECK(cudaMemcpyAsync(dst.data(), src, dst.bytes(), cudaMemcpyHostToDevice, policy.stream));
  TENET_CUDA_CHECK(cudaStreamSynchronize(policy.stream));
}

/// A device copy of a host tensor or view (any strides: a strided view is packed on the host
/// first). Returns once the copy is done.
template <tensor_like X>
device_tensor<std::remove_const_t<value_type_of_t<X>>> to_device(exec::cuda_policy policy, const X& x) {
  using T = std::remove_const_t<value_type_of_t<X>>;
  const auto v = as_view(x);
  std::vector<index> shape(v.rank());
  for (std::size_t r = 0; r < v.rank(); ++r) shape[r] = v.extent(r);
  device_tensor<T> d(for_overwrite, shape, policy);
  to_device(policy, x, d);
  return d;
}

/// Copies a device tensor into a host tensor or view of the same shape (shape_error naming
/// both shapes otherwise); a strided view is written through a packed host copy.
template <class T, class Y>
  requires(tensor_like<Y> && std::is_same_v<value_type_of_t<Y>, T>)
void to_host(exec::cuda_policy policy, const device_tensor<T>& d, Y&& y) {
  const auto v = as_view(y);
  static_assert(!std::is_const_v<typename decltype(v)::element_type>, "tenet::to_host: the destination is read-only");
  bool same = v.rank() == d.rank();
  for (std::size_t r = 0; same && r < v.rank(); ++r) same = v.extent(r) == d.extent(r);
  if (!same)
    throw shape_error("tenet::to_host: a device tensor of shape " + detail::cuda::shape_text(d.shape()) +
                      " into a host tensor of shape " + tenet::detail::shape_string(v.extents()));
  if (d.size() == 0) return;
  if (v.is_contiguous()) {
    TENET_CUDA_CHECK(cudaMemcpyAsync(v.data(), d.data(), d.bytes(), cudaMemcpyDeviceToHost, policy.stream));
    TENET_CUDA_CHECK(cudaStreamSynchronize(policy.stream));
    return;
  }
  dtensor<T> packed(for_overwrite, d.extents());
  TENET_CUDA_CHECK(cudaMemcpyAsync(packed.data(), d.data(), d.bytes(), cudaMemcpyDeviceToHost, policy.stream));
  TENET_CUDA_CHECK(cudaStreamSynchronize(policy.stream));
  const auto pv = packed.view();
  std::vector<index> idx(v.rank(), 0);
  for (index n = 0; n < d.size(); ++n) {
    v[idx] = pv.data()[n];
    for (std::size_t r = v.rank(); r-- > 0;) {
      if (++idx[r] < v.extent(r)) break;
      idx[r] = 0;
    }
  }
}

/// A host copy of a device tensor; waits for the policy's stream (so for the kernels queued
/// on it that write the tensor).
template <class T>
dtensor<T> to_host(exec::cuda_policy policy, const device_tensor<T>& d) {
  dtensor<T> h(for_overwrite, d.extents());
  to_host(policy, d, h.view());
  return h;
}

}  // namespace tenet
