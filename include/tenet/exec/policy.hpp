#pragma once
// Execution policies, passed first as in the standard algorithms: `einsum(exec::par, ...)`.
// No policy means exec::seq.
#include <type_traits>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace tenet::exec {

/// The kernel families a pairwise contraction can run on (see docs/policies.md):
///   direct  a loop nest over all labels (tiny or degenerate contractions)
///   gett    tenet's GEMM-like tensor contraction, packing from the strided operands
///           (float and double)
///   gemm    a loop of GEMMs on strided slices, no copy of any operand
///   ttgt    transpose (copy) what is not GEMM-ready, then GEMM
///   blas    the gemm/ttgt plans with the GEMMs on CBLAS (cblas_sgemm/cblas_dgemm; float
///           and double); only where tenet was built with TENET_HAS_CBLAS (-DTENET_BLAS=ON)
///   unrolled  straight-line code for tiny contractions of owning tensors whose extents are
///           all static (einsum<"...">; at most exec::unrolled_max_terms multiply-adds), chosen
///           there before any run-time planning (exec/unrolled.hpp)
/// `automatic` lets the planner's cost model pick per contraction.
enum class engine { automatic, direct, gett, gemm, ttgt, blas, unrolled };

inline const char* engine_name(engine e) noexcept {
  switch (e) {
    case engine::direct: return "direct";
    case engine::gett: return "gett";
    case engine::gemm: return "gemm";
    case engine::ttgt: return "ttgt";
    case engine::blas: return "blas";
    case engine::unrolled: return "unrolled";
    case engine::automatic: break;
  }
  return "automatic";
}

/// One thread: the caller's. `exec::seq.with(exec::engine::gett)` asks every pairwise
/// contraction for that engine; where it cannot run one, the planner's choice runs
/// (tenet::explain says which ran).
struct sequenced_policy {
  engine prefer = engine::automatic;
  constexpr sequenced_policy with(engine e) const noexcept { return sequenced_policy{e}; }
};

/// All cores through OpenMP; `exec::par(n)` asks for n threads (0: OpenMP's default).
/// Without OpenMP it runs sequentially. `.with(engine)` as for sequenced_policy.
struct parallel_policy {
  int threads = 0;
  engine prefer = engine::automatic;
  constexpr parallel_policy operator()(int n) const noexcept { return parallel_policy{n, prefer}; }
  constexpr parallel_policy with(engine e) const noexcept { return parallel_policy{threads, e}; }
};

inline constexpr sequenced_policy seq{};
inline constexpr parallel_policy par{};

template <class P>
struct is_execution_policy : std::false_type {};
template <>
struct is_execution_policy<sequenced_policy> : std::true_type {};
template <>
struct is_execution_policy<parallel_policy> : std::true_type {};

/// The engine a policy asks for.
constexpr engine preferred_engine(sequenced_policy p) noexcept { return p.prefer; }
constexpr engine preferred_engine(parallel_policy p) noexcept { return p.prefer; }

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

// exec::cuda: the type is known everywhere (so that misuse says why); its kernels are in
// <tenet/cuda.hpp> (nvcc only).
#include "tenet/exec/cuda/policy.hpp"
