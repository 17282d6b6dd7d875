#pragma once
// tenet::network<T>: tensors with labelled legs, contracted pairwise along a path.
//
//   tenet::network<double> net;
//   net.add(A, {"i", "j"});            // a view: A must outlive the network
//   net.add(std::move(B), {"j", "k"});  // an rvalue tensor is moved in and owned
//   net.set_output({"i", "k"});        // optional: by default, labels that occur once
//   auto p = tenet::path::optimal(net); // or greedy, branch_bound, automatic
//   std::cout << p << net.cost(p).flops;
//   tenet::dtensor<double> C = net.contract(p, tenet::exec::par);
//
// A label on more than two tensors is a hyperedge (summed once all its tensors meet, unless
// open); batch labels (add_batch) stay on every intermediate and lead the output.
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/core/traits.hpp"
#include "tenet/exec/contract.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/network/error.hpp"
#include "tenet/network/graph.hpp"
#include "tenet/network/path.hpp"
#include "tenet/network/path_auto.hpp"
#include "tenet/network/path_branch_bound.hpp"
#include "tenet/network/path_cost.hpp"
#include "tenet/network/path_greedy.hpp"
#include "tenet/network/path_optimal.hpp"

namespace tenet {

template <class T>
class network {
 public:
  using value_type = T;

  /// Adds a tensor with one label per mode; returns its id (0, 1, ... in order). Lvalues and
  /// views are held by view (they must outlive the network); rvalue tensors are moved in.
  /// Throws shape_error when a label's extent differs from its extent elsewhere.
  template <class X>
    requires tensor_like<X>
  int add(X&& x, std::span<const leg_label> labels) {
    static_assert(std::is_same_v<value_type_of_t<X>, T>, "tenet::network: the tensor's element type differs from the network's");
    std::shared_ptr<const dtensor<T>> own;
    dtensor_view<const T> v;
    if constexpr (is_tensor<std::remove_cvref_t<X>>::value && !std::is_lvalue_reference_v<X>) {
      auto t = std::make_shared<dtensor<T>>(std::move(x));
      v = dtensor_view<const T>(t->view());
      own = std::move(t);
    } else {
      v = dtensor_view<const T>(as_view(x));
    }
    std::vector<index> shape(v.rank());
    for (std::size_t r = 0; r < v.rank(); ++r) shape[r] = v.extent(r);
    const int id = graph_.add_tensor(labels, shape);
    views_.push_back(v);
    owned_.push_back(std::move(own));
    return id;
  }
  template <class X>
    requires tensor_like<X>
  int add(X&& x, std::initializer_list<leg_label> labels) {
    return add(std::forward<X>(x), std::span<const leg_label>(labels.begin(), labels.size()));
  }

  /// The open legs, in order (see tensor_graph::set_output).
  void set_output(std::span<const leg_label> labels) { graph_.set_output(labels); }
  void set_output(std::initializer_list<leg_label> labels) { graph_.set_output(labels); }
  /// A label kept on every intermediate, leading the output.
  void add_batch(const leg_label& l) { graph_.add_batch(l); }

  int n_tensors() const noexcept { return graph_.n_tensors(); }
  const tensor_graph& graph() const noexcept { return graph_; }
  dtensor_view<const T> tensor(int t) const { return views_.at(static_cast<std::size_t>(t)); }
  /// The extents of the result, in output order.
  std::vector<index> output_shape() const { return graph_.extents_of(graph_.output()); }

  /// Flops, largest intermediate and peak memory of a path; path_error if it is not valid.
  path_cost cost(const contraction_path& p) const { return contraction_cost(graph_, p); }

  /// Contracts along `p` (path_error if p is not a valid order for this network).
  template <class P>
    requires execution_policy<P>
  dtensor<T> contract(const contraction_path& p, P policy) const {
    const auto steps = path_steps(graph_, p);
    const int n = n_tensors();
    const std::vector<int> out_labels = graph_.output();
    dtensor<T> out{dyn_extents(graph_.extents_of(out_labels))};
    if (n == 1) {  // a diagonal, a sum or a permutation: times the scalar one
      dtensor<T> one;
      one.data()[0] = T(1);
      exec::contract(policy, views_[0], graph_.labels(0), dtensor_view<const T>(one.view()), std::span<const int>(),
                     out.view(), out_labels);
      return out;
    }
    std::vector<dtensor_view<const T>> v(views_);
    std::vector<const std::vector<int>*> lab;
    for (int t = 0; t < n; ++t) lab.push_back(&graph_.labels(t));
    std::vector<std::optional<dtensor<T>>> tmp(steps.size());
    for (std::size_t k = 0; k < steps.size(); ++k) {
      const auto& s = steps[k];
      const auto a = static_cast<std::size_t>(s.a), b = static_cast<std::size_t>(s.b);
      if (k + 1 == steps.size()) {
        exec::contract(policy, v[a], *lab[a], v[b], *lab[b], out.view(), out_labels);
      } else {
        tmp[k].emplace(dyn_extents(graph_.extents_of(s.labels)));
        exec::contract(policy, v[a], *lab[a], v[b], *lab[b], tmp[k]->view(), s.labels);
        v.push_back(dtensor_view<const T>(tmp[k]->view()));
        lab.push_back(&s.labels);
      }
      for (int id : {s.a, s.b})  // operands that were intermediates are no longer needed
        if (id >= n) tmp[static_cast<std::size_t>(id - n)].reset();
    }
    return out;
  }
  dtensor<T> contract(const contraction_path& p) const { return contract(p, exec::seq); }
  template <class P>
    requires execution_policy<P>
  dtensor<T> contract(P policy, const contraction_path& p) const {
    return contract(p, policy);
  }
  /// Contracts along path::automatic.
  template <class P>
    requires execution_policy<P>
  dtensor<T> contract(P policy) const {
    return contract(path::automatic(graph_), policy);
  }
  dtensor<T> contract() const { return contract(exec::seq); }

 private:
  tensor_graph graph_;
  std::vector<dtensor_view<const T>> views_;
  std::vector<std::shared_ptr<const dtensor<T>>> owned_;
};

namespace path {
// The path finders, on a network (they see only its graph).
template <class T>
contraction_path optimal(const network<T>& net, const optimal_options& o = {}) {
  return optimal(net.graph(), o);
}
template <class T>
contraction_path greedy(const network<T>& net, const greedy_options& o = {}) {
  return greedy(net.graph(), o);
}
template <class T>
contraction_path branch_bound(const network<T>& net, const branch_bound_options& o = {}, search_stats* stats = nullptr) {
  return branch_bound(net.graph(), o, stats);
}
template <class T>
contraction_path automatic(const network<T>& net, const auto_options& o = {}) {
  return automatic(net.graph(), o);
}
}  // namespace path

}  // namespace tenet
