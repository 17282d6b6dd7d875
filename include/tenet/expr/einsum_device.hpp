#pragma once
// The host side of einsum on device tensors (plain C++, tested without a GPU): the shape
// checks, with the messages of the CPU einsum, and the output shape. The device einsum
// itself is in tenet/expr/einsum_cuda.cuh (nvcc).
#include <span>
#include <vector>

#include "tenet/core/extents.hpp"
#include "tenet/expr/einsum_shape.hpp"
#include "tenet/expr/einsum_spec.hpp"

namespace tenet::detail {

/// Checks the operand count, ranks and label extents; returns the output shape.
inline std::vector<index> einsum_device_shape(const einsum_spec& s, std::span<const std::vector<index>> shapes) {
  return einsum_output_shape(s, shapes, "tenet::einsum(exec::cuda, ");
}

}  // namespace tenet::detail
