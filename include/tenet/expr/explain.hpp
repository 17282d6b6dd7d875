#pragma once
// tenet::explain: the plan of an einsum, step by step, without its arithmetic.
//   std::cout << tenet::explain("abc,cd->abd", A, B);                  // run-time subscripts
//   auto r = tenet::explain<"bik,bkj->bij">(exec::par, A, B);          // compile-time ones
// It evaluates the einsum in a dry run: every pairwise contraction is planned exactly as
// a real call would plan it (same policy, engine preference, shapes and strides), recorded
// and skipped. Intermediates and the result are allocated (uninitialized) but not computed;
// one-operand einsums (copies, traces) do run, and report no contraction step.
#include <string_view>

#include "tenet/exec/contract_report.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/expr/einsum.hpp"

namespace tenet {

namespace detail {
/// Installs a dry-run report on this thread for its lifetime (nesting restores the outer).
class dry_run_scope {
 public:
  explicit dry_run_scope(exec::contraction_report& r) : saved_(exec::detail::current_report()) {
    exec::detail::current_report() = {&r, true};
  }
  ~dry_run_scope() { exec::detail::current_report() = saved_; }
  dry_run_scope(const dry_run_scope&) = delete;
  dry_run_scope& operator=(const dry_run_scope&) = delete;

 private:
  exec::detail::report_sink saved_;
};
}  // namespace detail

/// The plan of einsum(policy, subscripts, x...); throws what that einsum would throw.
template <class P, class... X>
  requires(execution_policy<P> && sizeof...(X) > 0 && (tensor_like<X> && ...))
exec::contraction_report explain(P policy, std::string_view subscripts, const X&... x) {
  exec::contraction_report r;
  detail::dry_run_scope scope(r);
  (void)einsum(policy, subscripts, x...);
  return r;
}
template <class... X>
  requires(sizeof...(X) > 0 && (tensor_like<X> && ...))
exec::contraction_report explain(std::string_view subscripts, const X&... x) {
  return explain(exec::seq, subscripts, x...);
}

/// The plan of einsum<S>(policy, x...).
template <fixed_string S, class P, class... X>
  requires(execution_policy<P> && (tensor_like<X> && ...))
exec::contraction_report explain(P policy, const X&... x) {
  exec::contraction_report r;
  detail::dry_run_scope scope(r);
  (void)einsum<S>(policy, x...);
  return r;
}
template <fixed_string S, class... X>
  requires(tensor_like<X> && ...)
exec::contraction_report explain(const X&... x) {
  return explain<S>(exec::seq, x...);
}

}  // namespace tenet
