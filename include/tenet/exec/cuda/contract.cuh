#pragma once
// Runs the plans of tenet/exec/cuda/plan.hpp on the device, and exec::contract on device
// tensors: C(lc) = sum A(la) B(lb). CUDA only (nvcc).
//
// Everything is queued on the policy's stream, temporaries included (stream-ordered
// allocations, freed on that stream); nothing waits for the device. The GEMM is
// cublasSgemmStridedBatched / cublasDgemmStridedBatched (exact FP32/FP64), or for float
// under .with_tf32() cublasGemmStridedBatchedEx with CUBLAS_COMPUTE_32F_FAST_TF32.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <span>
#include <type_traits>

#include "tenet/exec/cuda/device_tensor.cuh"
#include "tenet/exec/cuda/kernels.cuh"
#include "tenet/exec/cuda/plan.hpp"
#include "tenet/exec/cuda/policy.hpp"
#include "tenet/exec/cuda/runtime.cuh"

namespace tenet::detail::cuda {

template <class T>
inline constexpr bool gemm_supports = std::is_same_v<T, float> || std::is_same_v<T, double>;

/// C = op(A) op(B) for every batch entry (column-major, alpha 1, beta 0), as planned.
template <class T>
void run_gemm(const exec::cuda_policy& policy, const gemm_desc& g, const T* A, const T* B, T* C) {
  static_assert(gemm_supports<T>, "tenet: CUDA contractions take float or double");
  cublasHandle_t h = cublas_handle(policy);
  const T one = T(1), zero = T(0);
  const cublasOperation_t ta = g.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, tb = g.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int m = static_cast<int>(g.m), n = static_cast<int>(g.n), k = static_cast<int>(g.k);
  const int lda = static_cast<int>(g.lda), ldb = static_cast<int>(g.ldb), ldc = static_cast<int>(g.ldc);
  const int batch = static_cast<int>(g.batch);
  const long long sa = g.stride_a, sb = g.stride_b, sc = g.stride_c;
  if constexpr (std::is_same_v<T, float>) {
    if (policy.tf32) {
      TENET_CUBLAS_CHECK(cublasGemmStridedBatchedEx(h, ta, tb, m, n, k, &one, A, CUDA_R_32F, lda, sa, B, CUDA_R_32F,
                                                    ldb, sb, &zero, C, CUDA_R_32F, ldc, sc, batch,
                                                    CUBLAS_COMPUTE_32F_FAST_TF32, CUBLAS_GEMM_DEFAULT));
    } else {
      TENET_CUBLAS_CHECK(
          cublasSgemmStridedBatched(h, ta, tb, m, n, k, &one, A, lda, sa, B, ldb, sb, &zero, C, ldc, sc, batch));
    }
  } else {
    TENET_CUBLAS_CHECK(
        cublasDgemmStridedBatched(h, ta, tb, m, n, k, &one, A, lda, sa, B, ldb, sb, &zero, C, ldc, sc, batch));
  }
}

/// Runs plan p: c (c_size elements) from a and b (b unused for a copy plan).
template <class T>
void run_plan(const exec::cuda_policy& policy, const device_plan& p, const T* a, const T* b, T* c, index c_size) {
  const cudaStream_t s = policy.stream;
  switch (p.kind) {
    case plan_kind::nothing: return;
    case plan_kind::zero:
      if (c_size > 0) TENET_CUDA_CHECK(cudaMemsetAsync(c, 0, static_cast<std::size_t>(c_size) * sizeof(T), s));
      return;
    case plan_kind::copy: run_copy<T>(s, p.copy, a, c); return;
    case plan_kind::direct: launch_loop<T>(s, p.direct, a, b, c); return;
    case plan_kind::gemm: break;
  }
  scratch<T> ta(s, p.prep[0] ? p.prep_size[0] : 0), tb(s, p.prep[1] ? p.prep_size[1] : 0),
      tc(s, p.c_temp ? p.c_temp_size : 0);
  const T* pa = a;
  const T* pb = b;
  if (p.prep[0]) run_copy<T>(s, p.prep_step[0], a, ta.get()), pa = ta.get();
  if (p.prep[1]) run_copy<T>(s, p.prep_step[1], b, tb.get()), pb = tb.get();
  T* pc = p.c_temp ? tc.get() : c;
  if (p.gemm.swap)
    run_gemm<T>(policy, p.gemm, pb, pa, pc);
  else
    run_gemm<T>(policy, p.gemm, pa, pb, pc);
  if (p.c_temp) run_copy<T>(s, p.c_step, pc, c);
}

}  // namespace tenet::detail::cuda

namespace tenet::exec {

/// C(lc) = sum over the other labels of A(la) * B(lb), on the device (float or double).
/// Labels are any ints; C's shape must fit (shape_error naming the shapes, before any launch).
template <class T>
void contract(cuda_policy policy, const device_tensor<T>& a, std::span<const int> la, const device_tensor<T>& b,
              std::span<const int> lb, device_tensor<T>& c, std::span<const int> lc) {
  namespace dc = tenet::detail::cuda;
  dc::check_contraction(a.shape(), la, b.shape(), lb, c.shape(), lc);
  const dc::device_plan p = dc::plan_contraction(a.shape(), la, b.shape(), lb, c.shape(), lc);
  dc::run_plan<T>(policy, p, a.data(), b.data(), c.data(), c.size());
}

}  // namespace tenet::exec
