#pragma once
// Execution policies, passed first as in the standard algorithms: `einsum(exec::par, ...)`.
// No policy means exec::seq.
#include <type_traits>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace tenet::exec {

/// One thread: the caller's.
struct sequenced_policy {};

/// All cores through OpenMP; `exec::par(n)` asks for n threads (0: OpenMP's default).
/// Without OpenMP it runs sequentially.
struct parallel_policy {
  int threads = 0;
  constexpr parallel_policy operator()(int n) const noexcept { return parallel_policy{n}; }
};

inline constexpr sequenced_policy seq{};
inline constexpr parallel_policy par{};

template <class P>
struct is_execution_policy : std::false_type {};
template <>
struct is_execution_policy<sequenced_policy> : std::true_type {};
template <>
struct is_execution_policy<parallel_policy> : std::true_type {};

/// The number of threads a policy runs on.
inline int thread_count(sequenced_policy) noexcept { return 1; }
inline int thread_count(parallel_policy p) noexcept {
#ifdef _OPENMP
  return p.threads > 0 ? p.threads : omp_get_max_threads();
#else
  (void)p;
  return 1;
#endif
}

}  // namespace tenet::exec

namespace tenet {
template <class P>
concept execution_policy = exec::is_execution_policy<std::remove_cvref_t<P>>::value;
}  // namespace tenet
