#pragma once
// What the planner chose for each pairwise contraction of a computation: the record that
// tenet::explain returns. exec::contract appends to the report installed on this thread
// (and in a dry run stops there, before any arithmetic).
#include <cstddef>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tenet/core/extents.hpp"
#include "tenet/exec/policy.hpp"

namespace tenet::exec {

/// One pairwise contraction C = A * B as planned. Labels are einsum letters; after
/// preparation (diagonals taken, labels of one operand summed, extents of 1 dropped).
struct contraction_step {
  std::string a, b, c;                 // labels of A, B, C, e.g. "ij", "jk", "ik"
  std::vector<index> shape_a, shape_b, shape_c;
  engine used = engine::automatic;     // direct, gett, gemm, ttgt or blas
  engine asked = engine::automatic;    // what the policy asked for
  index m = 1, n = 1, k = 1;           // the GEMM-shaped problem of one kernel call
  index calls = 1;                     // kernel calls (the loop over batch or looped labels)
  std::string loop, m_labels, n_labels, k_labels;
  bool packed_a = false, packed_b = false, packed_c = false;  // ttgt: copied first
  bool swapped = false;                // gett: B plays the role of A
  double predicted_us = 0;             // the cost model's estimate, one core

  double flops() const { return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) * static_cast<double>(calls); }
};

struct contraction_report {
  std::vector<contraction_step> steps;

  std::string str() const {
    std::ostringstream o;
    o << *this;
    return o.str();
  }

  friend std::ostream& operator<<(std::ostream& o, const contraction_report& r) {
    if (r.steps.empty()) o << "no pairwise contraction (a copy, permutation or reduction of one operand)\n";
    auto shape = [](const std::vector<index>& s) {
      std::string t = "(";
      for (std::size_t i = 0; i < s.size(); ++i) {
        if (i) t += ',';
        t += std::to_string(s[i]);  // appended, not `"," + ...`: GCC 12 -O3 misreads that as an overflow
      }
      t += ')';
      return t;
    };
    for (std::size_t i = 0; i < r.steps.size(); ++i) {
      const contraction_step& s = r.steps[i];
      o << "step " << i << ": " << s.a << shape(s.shape_a) << " * " << s.b << shape(s.shape_b) << " -> " << s.c
        << shape(s.shape_c) << "\n  engine " << engine_name(s.used);
      if (s.asked != engine::automatic && s.asked != s.used) o << " (asked for " << engine_name(s.asked) << ": cannot run it)";
      if (s.used != engine::direct) {
        o << ": m=" << s.m << " [" << s.m_labels << "] n=" << s.n << " [" << s.n_labels << "] k=" << s.k << " ["
          << s.k_labels << "]";
        if (s.calls > 1) o << ", " << s.calls << " calls over [" << s.loop << "]";
        if (s.swapped) o << ", operands swapped";
        if (s.packed_a || s.packed_b || s.packed_c) {
          std::string copies;
          for (auto [packed, name] : {std::pair{s.packed_a, "A"}, std::pair{s.packed_b, "B"}, std::pair{s.packed_c, "C"}})
            if (packed) copies += std::string(copies.empty() ? "" : ", ") + name;
          o << ", copies " << copies << " first";
        }
      }
      const auto flags = o.flags();
      const auto precision = o.precision(3);
      o << "\n  " << s.flops() / 1e6 << " MFLOP, predicted " << std::fixed << std::setprecision(1) << s.predicted_us
        << " us on one core\n";
      o.flags(flags);
      o.precision(precision);
    }
    return o;
  }
};

namespace detail {
/// Where exec::contract records its plans (none: no record); `dry`: plan only, compute nothing.
struct report_sink {
  contraction_report* report = nullptr;
  bool dry = false;
};
inline report_sink& current_report() {
  thread_local report_sink sink;
  return sink;
}
}  // namespace detail

}  // namespace tenet::exec
