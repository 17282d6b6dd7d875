#pragma once
// Plans kept per thread. Planning a pairwise contraction (contract_plan.hpp weighs dozens of
// candidate plans) and deriving a GETT plan's offset tables (contract_gett.hpp) take a few
// microseconds, as long as a whole 32^3 contraction: a loop of einsum calls on the same
// shapes and strides (an iteration, a benchmark) plans on its first call only. The key is
// all that planning reads: the label dims (extents and strides; not the data pointers) and
// the engine asked for.
#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "tenet/exec/contract_gett.hpp"
#include "tenet/exec/contract_plan.hpp"
#include "tenet/exec/policy.hpp"

namespace tenet::exec::detail {

/// A plan with what runs it that depends on shapes and strides alone.
template <class T>
struct prepared_contraction {
  contraction_plan plan;
  std::optional<gett_tables<T>> gett;  // for a GETT plan
};

/// Hits and misses of this thread's plan cache for element type T (for tests).
struct plan_cache_stats {
  std::size_t hits = 0, misses = 0;
};

template <class T>
struct plan_cache {
  // A few entries: a new one goes first, a hit moves one place forward, the last goes when
  // full. Entries whose tables are large (a long m or n group) are not kept: their
  // contraction dwarfs planning anyway, and they would hold memory.
  static constexpr std::size_t capacity = 16;
  static constexpr std::size_t max_table_elements = std::size_t{1} << 16;
  struct entry {
    std::vector<label_dim> dims;
    engine want;
    std::shared_ptr<const prepared_contraction<T>> prepared;
  };
  std::vector<entry> entries;
  plan_cache_stats stats;

  static plan_cache& local() {
    thread_local plan_cache c;
    return c;
  }
};

template <class T>
plan_cache_stats& plan_cache_counts() {
  return plan_cache<T>::local().stats;
}

/// The plan for these dims (from this thread's cache, else planned and kept). Shared, so that
/// an entry evicted meanwhile stays alive for the caller.
template <class T>
std::shared_ptr<const prepared_contraction<T>> prepared_for(const std::vector<label_dim>& dims, engine want,
                                                            bool native, bool blas) {
  plan_cache<T>& c = plan_cache<T>::local();
  for (std::size_t i = 0; i < c.entries.size(); ++i)
    if (c.entries[i].want == want && c.entries[i].dims == dims) {
      auto p = c.entries[i].prepared;
      if (i > 0) std::swap(c.entries[i], c.entries[i - 1]);  // frequent ones drift to the front
      ++c.stats.hits;
      return p;
    }
  ++c.stats.misses;
  auto p = std::make_shared<prepared_contraction<T>>();
  cost_model cm;
  if constexpr (gett_supports<T>) cm.gett_lanes = kernel_shape<T>::lanes;
  p->plan = plan_contraction(dims, cm, native, want, blas);
  if (p->plan.gett) p->gett = make_gett_tables<T>(dims, p->plan);
  if (!p->gett || p->gett->elements() <= plan_cache<T>::max_table_elements) {
    if (c.entries.size() == plan_cache<T>::capacity) c.entries.pop_back();
    c.entries.insert(c.entries.begin(), {dims, want, p});
  }
  return p;
}

}  // namespace tenet::exec::detail
