#pragma once
// The multilinear operators on device tensors, with the CPU operators' semantics and shape
// messages and the policy first: hadamard, kron, khatri_rao, mode_product, partial_trace.
// Elementwise ones are one kernel each; mode_product is a contraction (the GEMM path of
// tenet/exec/cuda/contract.cuh); partial traces are the reduction kernel. Shape errors throw
// before anything is launched. CUDA only (nvcc).
#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor_view.hpp"
#include "tenet/exec/cuda/contract.cuh"
#include "tenet/exec/cuda/device_tensor.cuh"
#include "tenet/exec/cuda/kernels.cuh"
#include "tenet/exec/cuda/plan.hpp"
#include "tenet/exec/cuda/policy.hpp"
#include "tenet/ops/common.hpp"
#include "tenet/ops/khatri_rao.hpp"
#include "tenet/ops/partial_trace.hpp"

namespace tenet {

namespace detail::cuda {

// A view of a device tensor's shape, for the CPU operators' shape checks (they read extents
// only; its pointer is a device pointer).
template <class T>
dtensor_view<const T> shape_view(const device_tensor<T>& x) {
  return dtensor_view<const T>(x.data(), x.extents());
}

}  // namespace detail::cuda

/// A o B (o C ...): the elementwise product; shapes must be equal (shape_error otherwise).
template <class T, class... C>
  requires(std::is_same_v<C, device_tensor<T>> && ...)
device_tensor<T> hadamard(exec::cuda_policy policy, const device_tensor<T>& a, const device_tensor<T>& b,
                          const C&... c) {
  if (a.shape() != b.shape())
    throw shape_error("tenet::hadamard: shapes differ: " + detail::cuda::shape_text(a.shape()) + " vs " +
                      detail::cuda::shape_text(b.shape()));
  device_tensor<T> out(for_overwrite, a.shape(), policy);
  if (a.size() > 0) {
    detail::cuda::loop_desc d;
    d.rank = 1, d.ext[0] = a.size(), d.sa[0] = 1, d.sb[0] = 1;
    detail::cuda::launch_loop<T>(policy.stream, d, a.data(), b.data(), out.data());
  }
  if constexpr (sizeof...(C) == 0)
    return out;
  else
    return hadamard(policy, out, c...);
}

/// kron(A, B, ...): the Kronecker product (numpy.kron: A's index slowest in every mode; the
/// lower rank padded with leading extents of 1), left to right.
template <class T, class... C>
  requires(std::is_same_v<C, device_tensor<T>> && ...)
device_tensor<T> kron(exec::cuda_policy policy, const device_tensor<T>& a, const device_tensor<T>& b, const C&... c) {
  namespace dc = detail::cuda;
  const std::size_t N = std::max(a.rank(), b.rank()), pa = N - a.rank(), pb = N - b.rank();
  const auto sa = dc::row_major_strides(a.shape()), sb = dc::row_major_strides(b.shape());
  std::vector<index> ext(N);
  dc::raw_loop r;
  for (std::size_t q = 0; q < N; ++q) {
    const index ea = q < pa ? 1 : a.extent(q - pa), eb = q < pb ? 1 : b.extent(q - pb);
    ext[q] = ea * eb;
    r.ext.push_back(ea), r.sa.push_back(q < pa ? 0 : sa[q - pa]), r.sb.push_back(0);  // slow part of mode q
    r.ext.push_back(eb), r.sa.push_back(0), r.sb.push_back(q < pb ? 0 : sb[q - pb]);  // fast part
  }
  device_tensor<T> out(for_overwrite, ext, policy);
  if (out.size() > 0) dc::launch_loop<T>(policy.stream, dc::finish_loop(r), a.data(), b.data(), out.data());
  if constexpr (sizeof...(C) == 0)
    return out;
  else
    return kron(policy, out, c...);
}

namespace detail::cuda {

template <class T>
device_tensor<T> khatri_rao_run(exec::cuda_policy policy, std::span<const device_tensor<T>* const> mats,
                                const device_tensor<T>* weights) {
  std::vector<dtensor_view<const T>> views;
  for (const auto* m : mats) views.push_back(shape_view(*m));
  std::optional<dtensor_view<const T>> wv;
  if (weights) wv = shape_view(*weights);
  const auto ext = tenet::detail::khatri_rao_shape<T>(views, wv ? &*wv : nullptr);
  if (mats.size() > static_cast<std::size_t>(max_dims))
    throw shape_error("tenet::khatri_rao (CUDA): " + std::to_string(mats.size()) + " factors; at most " +
                      std::to_string(max_dims) + " are supported");
  khatri_rao_desc<T> d;
  d.k = static_cast<int>(mats.size());
  for (std::size_t f = 0; f < mats.size(); ++f) d.rows[f] = mats[f]->extent(0), d.m[f] = mats[f]->data();
  d.cols = ext[1];
  d.w = weights ? weights->data() : nullptr;
  device_tensor<T> out(for_overwrite, ext, policy);
  launch_khatri_rao<T>(policy.stream, d, out.data(), out.size());
  return out;
}

}  // namespace detail::cuda

/// Khatri-Rao product of the given matrices (column-wise Kronecker, first factor slowest).
template <class T, class... M>
  requires(std::is_same_v<M, device_tensor<T>> && ...)
device_tensor<T> khatri_rao(exec::cuda_policy policy, const device_tensor<T>& first, const M&... rest) {
  const device_tensor<T>* mats[] = {&first, &rest...};
  return detail::cuda::khatri_rao_run<T>(policy, mats, nullptr);
}

/// Khatri-Rao product of a list of matrices, each column times `weights` (a vector of one
/// weight per column) if given, leaving out the factor at index `skip` if given (CP-ALS).
template <class T>
device_tensor<T> khatri_rao(exec::cuda_policy policy, const std::vector<device_tensor<T>>& factors,
                            const device_tensor<T>* weights = nullptr, std::optional<std::size_t> skip = std::nullopt) {
  if (skip && *skip >= factors.size())
    throw shape_error("tenet::khatri_rao: skip = " + std::to_string(*skip) + " but only " +
                      std::to_string(factors.size()) + " factors");
  std::vector<const device_tensor<T>*> kept;
  for (std::size_t k = 0; k < factors.size(); ++k)
    if (!skip || *skip != k) kept.push_back(&factors[k]);
  return detail::cuda::khatri_rao_run<T>(policy, kept, weights);
}

namespace detail::cuda {

// As tenet::detail::mode_product_shape (ops/mode_product.hpp), whose messages it repeats.
inline std::vector<index> mode_product_shape(const std::vector<index>& x, const std::vector<index>& u, std::size_t n) {
  const std::string what =
      "tenet::mode_product: X of shape " + shape_text(x) + " and U of shape " + shape_text(u);
  if (n >= x.size())
    throw shape_error(what + ": mode " + std::to_string(n) + " is out of range for X of rank " +
                      std::to_string(x.size()));
  if (u.size() != 1 && u.size() != 2) throw shape_error(what + ": U must be a matrix (J x I_n) or a vector (I_n)");
  if (u.back() != x[n])
    throw shape_error(what + ": U's last extent " + std::to_string(u.back()) + " differs from X's extent " +
                      std::to_string(x[n]) + " in mode " + std::to_string(n));
  std::vector<index> ext;
  for (std::size_t r = 0; r < x.size(); ++r)
    if (r != n)
      ext.push_back(x[r]);
    else if (u.size() == 2)
      ext.push_back(u[0]);
  return ext;
}

}  // namespace detail::cuda

/// X x_n U (modes 0-based): U a matrix J x I_n replaces mode n by J; a vector of I_n removes
/// mode n. One contraction: a (strided-batched) GEMM on X in place where the layout allows.
template <class T>
device_tensor<T> mode_product(exec::cuda_policy policy, const device_tensor<T>& x, const device_tensor<T>& u,
                              std::size_t n) {
  device_tensor<T> out(for_overwrite, detail::cuda::mode_product_shape(x.shape(), u.shape(), n), policy);
  const int R = static_cast<int>(x.rank()), ni = static_cast<int>(n);
  std::vector<int> lx(x.rank()), lo;
  for (int r = 0; r < R; ++r) {
    lx[static_cast<std::size_t>(r)] = r;
    if (r != ni)
      lo.push_back(r);
    else if (u.rank() == 2)
      lo.push_back(R);  // the new mode j takes n's place
  }
  const std::vector<int> lu = u.rank() == 2 ? std::vector<int>{R, ni} : std::vector<int>{ni};
  exec::contract(policy, x, lx, u, lu, out, lo);
  return out;
}

/// X x_N U with the mode given at compile time.
template <std::size_t N, class T>
device_tensor<T> mode_product(exec::cuda_policy policy, const device_tensor<T>& x, const device_tensor<T>& u) {
  return mode_product(policy, x, u, N);
}

/// The partial trace over pairs of modes (equal extents); the other modes keep their order.
template <class T>
device_tensor<T> partial_trace(exec::cuda_policy policy, const device_tensor<T>& x, const std::vector<mode_pair>& pairs) {
  const auto ext = tenet::detail::partial_trace_shape(detail::cuda::shape_view(x), pairs);
  std::vector<int> lx(x.rank()), lo;
  for (std::size_t r = 0; r < x.rank(); ++r) lx[r] = static_cast<int>(r);
  std::vector<bool> traced(x.rank(), false);
  for (const mode_pair& p : pairs) lx[p.second] = lx[p.first], traced[p.first] = traced[p.second] = true;
  for (std::size_t r = 0; r < x.rank(); ++r)
    if (!traced[r]) lo.push_back(static_cast<int>(r));
  device_tensor<T> out(for_overwrite, ext, policy);
  detail::cuda::run_plan<T>(policy, detail::cuda::plan_copy(x.shape(), lx, ext, lo), x.data(), nullptr, out.data(),
                            out.size());
  return out;
}

/// The partial trace over pairs of modes given at compile time.
template <mode_pair... P, class T>
device_tensor<T> partial_trace(exec::cuda_policy policy, const device_tensor<T>& x) {
  return partial_trace(policy, x, std::vector<mode_pair>{P...});
}

/// The operator form: Op (a square matrix) on R^{dims[0]} kron R^{dims[1]} kron ...; traces
/// out every factor not in `keep` and returns the matrix on the kept ones, in their order.
template <class T>
device_tensor<T> partial_trace(exec::cuda_policy policy, const device_tensor<T>& op, const std::vector<index>& dims,
                               std::vector<std::size_t> keep) {
  const std::size_t K = dims.size();
  index n = 1;
  for (index d : dims) n *= d;
  std::sort(keep.begin(), keep.end());
  const std::string what = "tenet::partial_trace: an operator of shape " + detail::cuda::shape_text(op.shape()) +
                           " on factors of dimensions " + detail::shape_string(std::span<const index>(dims)) +
                           ", keeping " + detail::modes_string(keep);
  for (index d : dims)
    if (d < 0) throw shape_error(what + ": a negative dimension");
  if (op.rank() != 2 || op.extent(0) != n || op.extent(1) != n)
    throw shape_error(what + ": the operator must be a square matrix of the dimensions' product " + std::to_string(n));
  if (std::adjacent_find(keep.begin(), keep.end()) != keep.end() || (!keep.empty() && keep.back() >= K))
    throw shape_error(what + ": a kept factor is out of range or repeats");
  // Op as a tensor of shape (dims.., dims..); the result as (kept.., kept..).
  std::vector<index> shape(dims), kept;
  shape.insert(shape.end(), dims.begin(), dims.end());
  std::vector<int> labels(2 * K), out_labels;
  for (std::size_t r = 0; r < K; ++r) {
    const bool kr = std::binary_search(keep.begin(), keep.end(), r);
    labels[r] = static_cast<int>(r);
    labels[K + r] = kr ? static_cast<int>(K + r) : static_cast<int>(r);
    if (kr) kept.push_back(dims[r]);
  }
  for (std::size_t r = 0; r < K; ++r)
    if (std::binary_search(keep.begin(), keep.end(), r)) out_labels.push_back(static_cast<int>(r));
  for (std::size_t r = 0; r < K; ++r)
    if (std::binary_search(keep.begin(), keep.end(), r)) out_labels.push_back(static_cast<int>(K + r));
  index m = 1;
  for (index d : kept) m *= d;
  std::vector<index> split = kept;
  split.insert(split.end(), kept.begin(), kept.end());
  device_tensor<T> out(for_overwrite, {m, m}, policy);
  detail::cuda::run_plan<T>(policy, detail::cuda::plan_copy(shape, labels, split, out_labels), op.data(), nullptr,
                            out.data(), out.size());
  return out;
}

}  // namespace tenet
