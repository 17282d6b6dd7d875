#pragma once
// einsum on device tensors: tenet::einsum(exec::cuda, "ij,jk->ik", dA, dB) and
// tenet::einsum<"ij,jk->ik">(exec::cuda, dA, dB) (the string is then parsed at compile time,
// the shapes still checked at run time). float or double; one operand (permutation,
// diagonal, trace, sums), two (one planned contraction: tenet/exec/cuda/plan.hpp), or more,
// contracted left to right. Shape errors throw before anything is launched. CUDA only (nvcc).
#include <algorithm>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "tenet/exec/cuda/contract.cuh"
#include "tenet/exec/cuda/device_tensor.cuh"
#include "tenet/exec/cuda/plan.hpp"
#include "tenet/exec/cuda/policy.hpp"
#include "tenet/expr/einsum_device.hpp"
#include "tenet/expr/einsum_spec.hpp"
#include "tenet/expr/fixed_string.hpp"

namespace tenet {

namespace detail::cuda {

template <class T>
device_tensor<T> einsum_run(exec::cuda_policy policy, const einsum_spec& spec,
                            std::span<const device_tensor<T>* const> ops) {
  static_assert(gemm_supports<T>, "tenet::einsum(exec::cuda, ...): device tensors of float or double");
  std::vector<std::vector<index>> shapes;
  for (const auto* x : ops) shapes.push_back(x->shape());
  device_tensor<T> out(for_overwrite, einsum_device_shape(spec, shapes), policy);
  auto labels = [](std::string_view s) { return std::vector<int>(s.begin(), s.end()); };
  const auto lc = labels(spec.output());
  if (ops.size() == 1) {
    const auto la = labels(spec.operand(0));
    run_plan<T>(policy, plan_copy(ops[0]->shape(), la, out.shape(), lc), ops[0]->data(), nullptr, out.data(),
                out.size());
    return out;
  }
  std::vector<std::vector<int>> ls;
  for (int i = 0; i < spec.n_ops; ++i) ls.push_back(labels(spec.operand(i)));
  // Left to right; every intermediate keeps what the output or a later operand needs.
  const auto mids = chain_labels(ls, lc);
  std::vector<int> cur_labels = ls[0];
  const device_tensor<T>* cur = ops[0];
  device_tensor<T> held;
  for (std::size_t i = 1; i < ops.size(); ++i) {
    const bool last = i + 1 == ops.size();
    if (last) {
      exec::contract(policy, *cur, cur_labels, *ops[i], ls[i], out, lc);
      break;
    }
    const auto& ml = mids[i - 1];
    std::vector<index> ms;
    for (int l : ml)
      for (int j = 0; j < spec.n_ops; ++j) {
        const auto& lj = ls[static_cast<std::size_t>(j)];
        const auto it = std::find(lj.begin(), lj.end(), l);
        if (it != lj.end()) {
          ms.push_back(shapes[static_cast<std::size_t>(j)][static_cast<std::size_t>(it - lj.begin())]);
          break;
        }
      }
    device_tensor<T> next(for_overwrite, ms, policy);
    exec::contract(policy, *cur, cur_labels, *ops[i], ls[i], next, ml);
    held = std::move(next);  // the previous intermediate goes back to the pool, stream-ordered
    cur = &held;
    cur_labels = ml;
  }
  return out;
}

}  // namespace detail::cuda

/// Run-time subscripts on device tensors (all of one element type).
template <class T, class... D>
  requires(std::is_same_v<D, device_tensor<T>> && ...)
device_tensor<T> einsum(exec::cuda_policy policy, std::string_view subscripts, const device_tensor<T>& first,
                        const D&... rest) {
  const einsum_spec spec = parse_einsum_or_throw(subscripts);
  const device_tensor<T>* ops[] = {&first, &rest...};
  return detail::cuda::einsum_run<T>(policy, spec, std::span<const device_tensor<T>* const>(ops));
}

/// Compile-time subscripts on device tensors: parse errors are static_asserts, as on the CPU.
template <fixed_string S, class T, class... D>
  requires(std::is_same_v<D, device_tensor<T>> && ...)
device_tensor<T> einsum(exec::cuda_policy policy, const device_tensor<T>& first, const D&... rest) {
  constexpr einsum_spec spec = parse_einsum(S.view());
  static_assert(spec.error == einsum_error::none, "einsum: the subscripts do not parse (see einsum_error)");
  static_assert(spec.n_ops == static_cast<int>(1 + sizeof...(D)),
                "einsum: the number of operands differs from the number the subscripts name");
  const device_tensor<T>* ops[] = {&first, &rest...};
  return detail::cuda::einsum_run<T>(policy, spec, std::span<const device_tensor<T>* const>(ops));
}

}  // namespace tenet
