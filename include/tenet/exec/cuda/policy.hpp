#pragma once
// The CUDA execution policy: exec::cuda (the default stream), exec::cuda_on(stream), and
// .with_tf32() to let float GEMMs use TF32 tensor cores (off by default: exact FP32).
//
// Plain C++ (no CUDA header), so that every build knows the type: tenet/exec/policy.hpp
// includes it. Its kernels and overloads (device_tensor, einsum on device tensors, the device
// operators) are in <tenet/cuda.hpp>, which only a CUDA compiler (nvcc) can compile. A CPU
// entry point handed exec::cuda (with host tensors, or in a build without CUDA) fails to
// compile with a static_assert that says so: the policy counts as an execution policy, so the
// call reaches the CPU kernels, whose thread_count()/preferred_engine() reject it.
#include <type_traits>

#include "tenet/exec/policy.hpp"

struct CUstream_st;  // cudaStream_t is CUstream_st* (CUDA's driver_types.h)

namespace tenet::exec {

/// Runs on the current CUDA device, on `stream` (nullptr: the legacy default stream).
/// `tf32`: float GEMMs may round their inputs to TF32 (cuBLAS CUBLAS_COMPUTE_32F_FAST_TF32);
/// off by default, so results are exact FP32 GEMMs. Doubles ignore it.
struct cuda_policy {
  CUstream_st* stream = nullptr;
  bool tf32 = false;
  constexpr cuda_policy with_tf32(bool on = true) const noexcept { return cuda_policy{stream, on}; }
  constexpr cuda_policy on(CUstream_st* s) const noexcept { return cuda_policy{s, tf32}; }
};

/// The CUDA policy on the default stream.
inline constexpr cuda_policy cuda{};
/// The CUDA policy on a stream (a cudaStream_t).
constexpr cuda_policy cuda_on(CUstream_st* stream) noexcept { return cuda_policy{stream, false}; }

template <>
struct is_execution_policy<cuda_policy> : std::true_type {};

namespace detail {
template <class P>
inline constexpr bool cpu_kernel_given_cuda_policy = false;
}  // namespace detail

/// The CPU kernels ask these; for exec::cuda they stop the compilation with the reason.
template <class P>
  requires std::is_same_v<P, cuda_policy>
int thread_count(P) noexcept {
  static_assert(detail::cpu_kernel_given_cuda_policy<P>,
                "tenet: exec::cuda runs only on tenet::device_tensor operands, through the overloads in "
                "<tenet/cuda.hpp> (a source compiled by nvcc, linked to tenet::cuda); a CPU entry point "
                "cannot take it: copy host tensors with tenet::to_device(exec::cuda, x) first");
  return 1;
}
template <class P>
  requires std::is_same_v<P, cuda_policy>
engine preferred_engine(P) noexcept {
  static_assert(detail::cpu_kernel_given_cuda_policy<P>,
                "tenet: exec::cuda runs only on tenet::device_tensor operands, through the overloads in "
                "<tenet/cuda.hpp> (a source compiled by nvcc, linked to tenet::cuda); a CPU entry point "
                "cannot take it: copy host tensors with tenet::to_device(exec::cuda, x) first");
  return engine::automatic;
}

}  // namespace tenet::exec
