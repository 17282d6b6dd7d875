#pragma once
// Threads for the kernels: a scoped limit on how many threads nested library code (Eigen's
// GEMM) may use (OpenMP's count is per thread, so it affects only the calling thread), and
// the static split of an outer loop across the policy's threads that the loop kernels share.
#include "tenet/core/extents.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace tenet::exec::detail {

class thread_limit {
 public:
  explicit thread_limit(int n) noexcept {
#ifdef _OPENMP
    old_ = omp_get_max_threads();
    omp_set_num_threads(n > 0 ? n : old_);
#else
    (void)n;
#endif
  }
  ~thread_limit() {
#ifdef _OPENMP
    omp_set_num_threads(old_);
#endif
  }
  thread_limit(const thread_limit&) = delete;
  thread_limit& operator=(const thread_limit&) = delete;

 private:
  [[maybe_unused]] int old_ = 1;
};

/// Runs body(lo, hi) over [0, n): in `threads` equal static blocks, one per thread, when
/// `worth_it` (the caller's minimum work) and there is a block for every thread; otherwise
/// body(0, n) on the calling thread.
template <class F>
void split_range(index n, int threads, bool worth_it, F&& body) {
#ifdef _OPENMP
  if (worth_it && threads > 1 && n >= threads) {
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int t = 0; t < threads; ++t) body(n * t / threads, n * (t + 1) / threads);
    return;
  }
#else
  (void)threads;
  (void)worth_it;
#endif
  body(index{0}, n);
}

}  // namespace tenet::exec::detail
