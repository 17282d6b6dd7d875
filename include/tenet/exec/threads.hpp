#pragma once
// Scoped control of how many threads nested library code (Eigen's GEMM) may use. OpenMP's
// thread count is a per-thread setting, so this affects only the calling thread.
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

}  // namespace tenet::exec::detail
