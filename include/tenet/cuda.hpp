#pragma once
// tenet's CUDA backend (docs/cuda.md): exec::cuda and exec::cuda_on(stream) (with
// .with_tf32()), device_tensor<T>, to_device / to_host, einsum on device tensors, the device
// operators (hadamard, kron, khatri_rao, mode_product, partial_trace), exec::contract on
// device tensors, and tenet::cuda_error. Not part of <tenet/tenet.hpp>: it needs a CUDA
// compiler. With CMake, link the target tenet::cuda (cudart and cuBLAS) from a .cu source.
#if !defined(__CUDACC__)
#error "<tenet/cuda.hpp> needs a CUDA compiler: include it from a .cu source compiled by nvcc (CMake: TENET_CUDA, link tenet::cuda). exec::cuda itself is declared everywhere, but only these overloads can run it."
#endif

#include "tenet/exec/cuda/contract.cuh"
#include "tenet/exec/cuda/copy_plan.hpp"
#include "tenet/exec/cuda/device_tensor.cuh"
#include "tenet/exec/cuda/error.hpp"
#include "tenet/exec/cuda/kernels.cuh"
#include "tenet/exec/cuda/plan.hpp"
#include "tenet/exec/cuda/policy.hpp"
#include "tenet/exec/cuda/runtime.cuh"
#include "tenet/expr/einsum_cuda.cuh"
#include "tenet/ops/cuda_ops.cuh"
