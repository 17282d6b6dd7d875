#pragma once
// Copies (and permutes) between views of equal shape, and sums a view into a smaller one.
#include <string>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor_view.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/exec/strided.hpp"

namespace tenet::exec {

/// dst = src element by element; shapes must be equal. Either side may be strided, so a
/// permuted source view makes this a permutation.
template <class P, class TS, class ES, class TD, class ED>
  requires execution_policy<P>
void copy(P policy, const basic_tensor_view<TS, ES>& src, const basic_tensor_view<TD, ED>& dst) {
  bool same = src.rank() == dst.rank();
  for (std::size_t r = 0; same && r < src.rank(); ++r) same = src.extent(r) == dst.extent(r);
  if (!same)
    throw shape_error("tenet::copy: shapes differ: " + tenet::detail::shape_string(src.extents()) +
                      " vs " + tenet::detail::shape_string(dst.extents()));
  std::vector<detail::loop_dim> dims(src.rank());
  for (std::size_t r = 0; r < src.rank(); ++r) dims[r] = {src.extent(r), dst.stride(r), src.stride(r)};
  using T = std::remove_cv_t<TD>;
  detail::strided_apply(std::move(dims), dst.data(), src.data(),
                        [](const T&, const auto& s) { return static_cast<T>(s); }, thread_count(policy));
}

/// dst = the sum of src over the modes whose `keep` entry is -1; the others map, in order,
/// to dst's modes (keep[r] = mode of dst that src mode r becomes).
template <class P, class TS, class ES, class TD, class ED>
  requires execution_policy<P>
void sum_into(P policy, const basic_tensor_view<TS, ES>& src, const std::vector<int>& keep,
              const basic_tensor_view<TD, ED>& dst) {
  using T = std::remove_cv_t<TD>;
  std::vector<detail::loop_dim> dims(src.rank());
  std::vector<index> zero_dims;
  for (std::size_t r = 0; r < src.rank(); ++r) {
    const index sd = keep[r] < 0 ? 0 : dst.stride(static_cast<std::size_t>(keep[r]));
    if (keep[r] >= 0 && dst.extent(static_cast<std::size_t>(keep[r])) != src.extent(r))
      throw shape_error("tenet::sum_into: shapes do not fit: " + tenet::detail::shape_string(src.extents()) +
                        " into " + tenet::detail::shape_string(dst.extents()));
    dims[r] = {src.extent(r), sd, src.stride(r)};
  }
  std::vector<detail::loop_dim> ddims(dst.rank());
  for (std::size_t r = 0; r < dst.rank(); ++r) ddims[r] = {dst.extent(r), dst.stride(r), 0};
  const T zero{};
  detail::strided_apply(std::move(ddims), dst.data(), &zero, [](const T&, const T& z) { return z; }, 1);
  (void)policy;
  // Sequential: destination elements repeat across the summed modes.
  detail::strided_apply(std::move(dims), dst.data(), src.data(),
                        [](const T& d, const auto& s) { return d + static_cast<T>(s); }, 1, false);
}

}  // namespace tenet::exec
