#pragma once
// The CUDA kernels: grid-stride loops around the per-thread functions of
// tenet/exec/cuda/element.hpp, and their launchers (on the policy's stream; a launch error is
// a cuda_error naming the kernel). CUDA only (nvcc).
#include <cuda_runtime.h>

#include <algorithm>

#include "tenet/exec/cuda/element.hpp"
#include "tenet/exec/cuda/copy_plan.hpp"
#include "tenet/exec/cuda/runtime.cuh"

namespace tenet::detail::cuda {

inline constexpr int block_threads = 256;

/// Blocks of a 1-D grid-stride launch over n items.
inline unsigned grid_blocks(index n, int per_block = block_threads) {
  const index b = (n + per_block - 1) / per_block;
  return static_cast<unsigned>(std::clamp<index>(b, 1, index{1} << 16));
}

template <class T>
__global__ void loop_kernel(const loop_desc d, const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ out,
                            const index n) {
  const index step = static_cast<index>(gridDim.x) * blockDim.x;
  for (index o = static_cast<index>(blockIdx.x) * blockDim.x + threadIdx.x; o < n; o += step)
    out[o] = loop_partial<T>(d, a, b, o, 0, 1);
}

// One block per output element: strided partial sums, then a tree in shared memory.
template <class T>
__global__ void block_reduce_kernel(const loop_desc d, const T* __restrict__ a, T* __restrict__ out, const index n) {
  __shared__ T part[block_threads];
  for (index o = blockIdx.x; o < n; o += gridDim.x) {
    part[threadIdx.x] = loop_partial<T>(d, a, static_cast<const T*>(nullptr), o, threadIdx.x, blockDim.x);
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s /= 2) {
      if (threadIdx.x < s) part[threadIdx.x] += part[threadIdx.x + s];
      __syncthreads();
    }
    if (threadIdx.x == 0) out[o] = part[0];
    __syncthreads();
  }
}

template <class T>
__global__ void tile_kernel(const tile_desc d, const T* __restrict__ in, T* __restrict__ out, const index nx,
                            const index ny, const index nz) {
  __shared__ T tile[tile_dim][tile_dim + 1];
  const int tx = static_cast<int>(threadIdx.x), ty = static_cast<int>(threadIdx.y);
  for (index z = blockIdx.z; z < nz; z += gridDim.z)
    for (index by = blockIdx.y; by < ny; by += gridDim.y)
      for (index bx = blockIdx.x; bx < nx; bx += gridDim.x) {
        tile_load<T>(d, in, tile, bx, by, z, tx, ty);
        __syncthreads();
        tile_store<T>(d, out, tile, bx, by, z, tx, ty);
        __syncthreads();
      }
}

template <class T>
__global__ void khatri_rao_kernel(const khatri_rao_desc<T> d, T* __restrict__ out, const index n) {
  const index step = static_cast<index>(gridDim.x) * blockDim.x;
  for (index o = static_cast<index>(blockIdx.x) * blockDim.x + threadIdx.x; o < n; o += step)
    out[o] = khatri_rao_element<T>(d, o);
}

/// out = the loop_desc over a (and b): elementwise products, gathers, direct contractions.
template <class T>
void launch_loop(cudaStream_t s, const loop_desc& d, const T* a, const T* b, T* out) {
  const index n = d.out_size();
  if (n == 0) return;
  loop_kernel<T><<<grid_blocks(n), block_threads, 0, s>>>(d, a, b, out, n);
  TENET_CUDA_CHECK_LAUNCH("tenet::detail::cuda::loop_kernel");
}

/// out = a copy step of in (permutation, diagonal, reduction).
template <class T>
void run_copy(cudaStream_t s, const copy_step& st, const T* in, T* out) {
  const index n = st.d.out_size();
  if (n == 0) return;
  switch (st.kind) {
    case copy_kind::gather:
    case copy_kind::reduce: launch_loop<T>(s, st.d, in, nullptr, out); return;
    case copy_kind::reduce_block:
      block_reduce_kernel<T><<<grid_blocks(n, 1), block_threads, 0, s>>>(st.d, in, out, n);
      TENET_CUDA_CHECK_LAUNCH("tenet::detail::cuda::block_reduce_kernel");
      return;
    case copy_kind::tiled: {
      const index nx = (st.t.ext_x + tile_dim - 1) / tile_dim, ny = (st.t.ext_y + tile_dim - 1) / tile_dim,
                  nz = st.t.rest_size();
      const dim3 grid(static_cast<unsigned>(std::min<index>(nx, index{1} << 20)),
                      static_cast<unsigned>(std::min<index>(ny, 65535)),
                      static_cast<unsigned>(std::min<index>(nz, 65535)));
      tile_kernel<T><<<grid, dim3(tile_dim, tile_rows), 0, s>>>(st.t, in, out, nx, ny, nz);
      TENET_CUDA_CHECK_LAUNCH("tenet::detail::cuda::tile_kernel");
      return;
    }
  }
}

template <class T>
void launch_khatri_rao(cudaStream_t s, const khatri_rao_desc<T>& d, T* out, index n) {
  if (n == 0) return;
  khatri_rao_kernel<T><<<grid_blocks(n), block_threads, 0, s>>>(d, out, n);
  TENET_CUDA_CHECK_LAUNCH("tenet::detail::cuda::khatri_rao_kernel");
}

}  // namespace tenet::detail::cuda
