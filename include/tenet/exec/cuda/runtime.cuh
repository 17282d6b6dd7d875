#pragma once
// Checked CUDA runtime and cuBLAS calls, the current device, a cuBLAS handle per device and
// thread, and stream-ordered temporaries. CUDA only (nvcc): include <tenet/cuda.hpp>.
#include <cuda_runtime.h>
#include <cublas_v2.h>

#include <cstddef>
#include <utility>
#include <vector>

#include "tenet/core/extents.hpp"
#include "tenet/exec/cuda/error.hpp"
#include "tenet/exec/cuda/policy.hpp"

/// Calls a CUDA runtime function; throws tenet::cuda_error naming it, the place and the error.
#define TENET_CUDA_CHECK(call) ::tenet::detail::cuda::check_runtime((call), #call, __FILE__, __LINE__)
/// Calls a cuBLAS function; throws tenet::cuda_error naming it, the place and the status.
#define TENET_CUBLAS_CHECK(call) ::tenet::detail::cuda::check_cublas((call), #call, __FILE__, __LINE__)
/// After a kernel launch: a launch error (bad configuration, no kernel image for this device)
/// as a cuda_error naming the kernel.
#define TENET_CUDA_CHECK_LAUNCH(kernel) \
  ::tenet::detail::cuda::check_runtime(cudaGetLastError(), "launch of " kernel, __FILE__, __LINE__)

namespace tenet::detail::cuda {

inline void check_runtime(cudaError_t e, const char* call, const char* file, int line) {
  if (e != cudaSuccess) {
    // The runtime also keeps it as its "last error": clear that (for an error that is not
    // sticky), or the next launch check would report it as the kernel's.
    (void)cudaGetLastError();
    throw cuda_error(cuda_error_message(call, file, line, static_cast<int>(e), cudaGetErrorName(e), cudaGetErrorString(e)),
                     static_cast<int>(e));
  }
}

inline void check_cublas(cublasStatus_t s, const char* call, const char* file, int line) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throw cuda_error(
        cuda_error_message(call, file, line, static_cast<int>(s), cublasGetStatusName(s), cublasGetStatusString(s)),
        static_cast<int>(s));
}

inline cudaStream_t stream_of(const exec::cuda_policy& p) noexcept { return p.stream; }

inline int current_device() {
  int d = 0;
  TENET_CUDA_CHECK(cudaGetDevice(&d));
  return d;
}

/// Makes device d current for a scope (destructors: errors ignored, nothing to report them to).
class device_guard {
 public:
  explicit device_guard(int d) : old_(current_device()) {
    if (d != old_) TENET_CUDA_CHECK(cudaSetDevice(d));
  }
  device_guard(const device_guard&) = delete;
  device_guard& operator=(const device_guard&) = delete;
  ~device_guard() {
    int now = 0;
    if (cudaGetDevice(&now) == cudaSuccess && now != old_) (void)cudaSetDevice(old_);
  }

 private:
  int old_;
};

/// The calling thread's cuBLAS handle for the current device (created on first use, destroyed
/// at thread exit), set to the policy's stream.
inline cublasHandle_t cublas_handle(const exec::cuda_policy& p) {
  struct cache {
    std::vector<std::pair<int, cublasHandle_t>> handles;
    cache() = default;
    cache(const cache&) = delete;
    cache& operator=(const cache&) = delete;
    ~cache() {
      for (auto& [d, h] : handles) {
        int old = 0;
        if (cudaGetDevice(&old) != cudaSuccess) return;  // the runtime is gone already
        (void)cudaSetDevice(d);
        (void)cublasDestroy(h);
        (void)cudaSetDevice(old);
      }
    }
  };
  thread_local cache c;
  const int d = current_device();
  cublasHandle_t h = nullptr;
  for (auto& [dev, x] : c.handles)
    if (dev == d) h = x;
  if (!h) {
    TENET_CUBLAS_CHECK(cublasCreate(&h));
    c.handles.emplace_back(d, h);
  }
  TENET_CUBLAS_CHECK(cublasSetStream(h, stream_of(p)));
  return h;
}

/// n elements of stream-ordered device memory (cudaMallocAsync), returned to the pool on the
/// same stream when it goes (after every kernel queued before that on the stream).
template <class T>
class scratch {
 public:
  scratch(cudaStream_t s, index n) : s_(s) {
    if (n > 0) TENET_CUDA_CHECK(cudaMallocAsync(reinterpret_cast<void**>(&p_), static_cast<std::size_t>(n) * sizeof(T), s));
  }
  scratch(const scratch&) = delete;
  scratch& operator=(const scratch&) = delete;
  ~scratch() {
    if (p_) (void)cudaFreeAsync(p_, s_);
  }
  T* get() const noexcept { return p_; }

 private:
  cudaStream_t s_;
  T* p_ = nullptr;
};

}  // namespace tenet::detail::cuda
