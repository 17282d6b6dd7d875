#pragma once
// tenet::ttn<T>: tree tensor networks. Each node holds a core of shape (out, child_1, ...,
// child_k): an order-3 core (out, left, right) for a binary node. A child is another node or
// a leaf, an input slot numbered 0 .. n_leaves-1. Contracting from the leaves with given leaf
// vectors x_j gives, at every node,
//   v(node)[o] = sum_{c_1..c_k} core[o, c_1, ..., c_k] v(child_1)[c_1] ... v(child_k)[c_k]
// and the result is v(root). Cores live once and may be shared by many nodes (the same core
// at every node of a level, as a Deep Tree Tensor Network has). Leaves may carry a batch
// mode: leaf inputs of shape (B, D) give a result of shape (B, out).
#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/core/traits.hpp"
#include "tenet/exec/contract.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/network/error.hpp"
#include "tenet/network/network.hpp"

namespace tenet {

/// A child of a tree node: another node or a leaf.
struct ttn_child {
  bool leaf = false;
  int id = 0;
  friend bool operator==(const ttn_child&, const ttn_child&) = default;
};
inline ttn_child ttn_node(int id) { return {false, id}; }
inline ttn_child ttn_leaf(int id) { return {true, id}; }

template <class T>
class ttn {
 public:
  using value_type = T;
  struct node {
    int core = 0;
    std::vector<ttn_child> children;
  };

  /// Stores a core (of shape (out, child_1, ..., child_k)); returns its id.
  int add_core(dtensor<T> core) {
    cores_.push_back(std::move(core));
    checked_ = false;
    return static_cast<int>(cores_.size()) - 1;
  }
  /// Adds a node using core `core` with the given children; returns its id. Children may name
  /// nodes added later; validate() (or the first contraction) checks the whole tree.
  int add_node(int core, std::vector<ttn_child> children) {
    nodes_.push_back({core, std::move(children)});
    checked_ = false;
    return static_cast<int>(nodes_.size()) - 1;
  }

  /// A perfect binary tree of depth L = level_cores.size(): level 0 is the root, level l has
  /// 2^l nodes that all share level_cores[l], and the 2^L leaves are numbered left to right.
  static ttn perfect_binary(std::vector<dtensor<T>> level_cores) {
    ttn t;
    const int L = static_cast<int>(level_cores.size());
    if (L == 0) throw network_error("tenet::ttn::perfect_binary: no levels");
    for (auto& c : level_cores) t.add_core(std::move(c));
    // Node ids level by level: level l starts at 2^l - 1 (heap order).
    for (int l = 0; l < L; ++l)
      for (int q = 0; q < (1 << l); ++q) {
        const int first = (1 << (l + 1)) - 1 + 2 * q;  // children's ids on level l+1
        if (l + 1 < L)
          t.add_node(l, {ttn_node(first), ttn_node(first + 1)});
        else
          t.add_node(l, {ttn_leaf(2 * q), ttn_leaf(2 * q + 1)});
      }
    t.validate();
    return t;
  }

  int n_nodes() const noexcept { return static_cast<int>(nodes_.size()); }
  int n_cores() const noexcept { return static_cast<int>(cores_.size()); }
  const node& at(int id) const { return nodes_.at(static_cast<std::size_t>(id)); }
  const dtensor<T>& core(int id) const { return cores_.at(static_cast<std::size_t>(id)); }
  int root() const {
    validate();
    return root_;
  }
  int n_leaves() const {
    validate();
    return static_cast<int>(leaf_extent_.size());
  }
  index leaf_extent(int leaf) const {
    validate();
    return leaf_extent_.at(static_cast<std::size_t>(leaf));
  }
  /// The extent of the root's output mode.
  index output_extent() const { return core_of(root()).extent(0); }

  /// Checks the tree: known core and node ids, core ranks, one parent per node and leaf,
  /// exactly one root, no cycle, leaves 0..n-1 each used once (network_error), and fitting
  /// extents (shape_error with both shapes).
  void validate() const {
    if (checked_) return;
    const int n = n_nodes();
    if (n == 0) throw network_error("tenet::ttn: the tree has no nodes");
    std::vector<int> parent(static_cast<std::size_t>(n), -1);
    std::vector<int> leaf_parent;
    std::vector<index> leaf_ext;
    for (int i = 0; i < n; ++i) {
      const node& nd = nodes_[static_cast<std::size_t>(i)];
      if (nd.core < 0 || nd.core >= n_cores())
        throw network_error("tenet::ttn: node " + std::to_string(i) + " uses core " + std::to_string(nd.core) + ", but there are " +
                            std::to_string(n_cores()) + " cores");
      const dtensor<T>& c = cores_[static_cast<std::size_t>(nd.core)];
      if (nd.children.empty()) throw network_error("tenet::ttn: node " + std::to_string(i) + " has no children");
      if (c.rank() != nd.children.size() + 1)
        throw shape_error("tenet::ttn: node " + std::to_string(i) + " has " + std::to_string(nd.children.size()) +
                          " children but its core has shape " + detail::shape_string(c.extents()) + " (out, child...)");
      for (std::size_t m = 0; m < nd.children.size(); ++m) {
        const ttn_child ch = nd.children[m];
        if (ch.leaf) {
          if (ch.id < 0) throw network_error("tenet::ttn: node " + std::to_string(i) + " names leaf " + std::to_string(ch.id));
          const auto u = static_cast<std::size_t>(ch.id);
          if (u >= leaf_parent.size()) leaf_parent.resize(u + 1, -1), leaf_ext.resize(u + 1, -1);
          if (leaf_parent[u] >= 0)
            throw network_error("tenet::ttn: leaf " + std::to_string(ch.id) + " is a child of both node " +
                                std::to_string(leaf_parent[u]) + " and node " + std::to_string(i));
          leaf_parent[u] = i;
          leaf_ext[u] = c.extent(m + 1);
        } else {
          if (ch.id < 0 || ch.id >= n)
            throw network_error("tenet::ttn: node " + std::to_string(i) + " names node " + std::to_string(ch.id) + ", but there are " +
                                std::to_string(n) + " nodes");
          if (ch.id == i) throw network_error("tenet::ttn: node " + std::to_string(i) + " is its own child (a cycle)");
          auto& p = parent[static_cast<std::size_t>(ch.id)];
          if (p >= 0)
            throw network_error("tenet::ttn: node " + std::to_string(ch.id) + " is a child of both node " + std::to_string(p) +
                                " and node " + std::to_string(i));
          p = i;
          const dtensor<T>& cc = cores_[static_cast<std::size_t>(nodes_[static_cast<std::size_t>(ch.id)].core)];
          if (cc.rank() >= 1 && cc.extent(0) != c.extent(m + 1))
            throw shape_error("tenet::ttn: node " + std::to_string(ch.id) + "'s core of shape " + detail::shape_string(cc.extents()) +
                              " does not fit mode " + std::to_string(m + 1) + " of node " + std::to_string(i) +
                              "'s core of shape " + detail::shape_string(c.extents()));
        }
      }
    }
    for (std::size_t u = 0; u < leaf_parent.size(); ++u)
      if (leaf_parent[u] < 0)
        throw network_error("tenet::ttn: leaf " + std::to_string(u) + " is missing (leaves are numbered 0.." +
                            std::to_string(leaf_parent.size() - 1) + ")");
    std::vector<int> roots;
    for (int i = 0; i < n; ++i)
      if (parent[static_cast<std::size_t>(i)] < 0) roots.push_back(i);
    if (roots.size() > 1)
      throw network_error("tenet::ttn: nodes " + std::to_string(roots[0]) + " and " + std::to_string(roots[1]) +
                          " both have no parent; a tree has one root");
    // Every node has one parent; a node that the root does not reach lies on a cycle.
    std::vector<char> reached(static_cast<std::size_t>(n), 0);
    if (!roots.empty()) {
      std::vector<int> stack{roots[0]};
      while (!stack.empty()) {
        const int i = stack.back();
        stack.pop_back();
        reached[static_cast<std::size_t>(i)] = 1;
        for (const ttn_child& ch : nodes_[static_cast<std::size_t>(i)].children)
          if (!ch.leaf) stack.push_back(ch.id);
      }
    }
    for (int i = 0; i < n; ++i)
      if (!reached[static_cast<std::size_t>(i)]) {
        // Walk up from i until a node repeats: that is the cycle.
        std::vector<int> walk{i};
        std::vector<char> on(static_cast<std::size_t>(n), 0);
        on[static_cast<std::size_t>(i)] = 1;
        for (int j = parent[static_cast<std::size_t>(i)]; !on[static_cast<std::size_t>(j)]; j = parent[static_cast<std::size_t>(j)]) {
          on[static_cast<std::size_t>(j)] = 1;
          walk.push_back(j);
        }
        const int start = parent[static_cast<std::size_t>(walk.back())];
        std::string cyc;
        for (auto it = std::find(walk.begin(), walk.end(), start); it != walk.end(); ++it) cyc += std::to_string(*it) + " <- ";
        throw network_error("tenet::ttn: the nodes form a cycle (child <- parent): " + cyc + std::to_string(start));
      }
    root_ = roots[0];
    leaf_extent_ = std::move(leaf_ext);
    checked_ = true;
  }

  /// Contracts from the leaves; leaves[j] has shape (D_j) or, for all leaves alike, (B, D_j).
  /// Returns (out) or (B, out).
  template <class P>
    requires execution_policy<P>
  dtensor<T> contract(P policy, std::span<const dtensor_view<const T>> leaves) const {
    validate();
    if (leaves.size() != leaf_extent_.size())
      throw shape_error("tenet::ttn::contract: " + std::to_string(leaves.size()) + " leaf inputs for " +
                        std::to_string(leaf_extent_.size()) + " leaves");
    const std::size_t brank = leaves[0].rank() == 2 ? 1 : 0;
    const index batch = brank ? leaves[0].extent(0) : 1;
    for (std::size_t j = 0; j < leaves.size(); ++j) {
      const auto& x = leaves[j];
      if (x.rank() != brank + 1 || (brank && x.extent(0) != batch) || x.extent(brank) != leaf_extent_[j])
        throw shape_error("tenet::ttn::contract: leaf " + std::to_string(j) + " has shape " + detail::shape_string(x.extents()) +
                          ", expected (" + (brank ? std::to_string(batch) + ", " : std::string()) +
                          std::to_string(leaf_extent_[j]) + (brank ? ")" : ",)") + "; leaf 0 has shape " +
                          detail::shape_string(leaves[0].extents()));
    }
    return eval(policy, root_, leaves, brank, batch);
  }
  dtensor<T> contract(std::span<const dtensor_view<const T>> leaves) const { return contract(exec::seq, leaves); }
  /// The same input at every leaf (as x~ at every leaf of a DTTN).
  template <class P>
    requires execution_policy<P>
  dtensor<T> contract_same(P policy, dtensor_view<const T> x) const {
    const std::vector<dtensor_view<const T>> all(static_cast<std::size_t>(n_leaves()), x);
    return contract(policy, std::span<const dtensor_view<const T>>(all));
  }
  dtensor<T> contract_same(dtensor_view<const T> x) const { return contract_same(exec::seq, x); }

  /// The tree as a network of its cores (views into this ttn, which must outlive it). Labels
  /// are integers: the edge above node i is i, leaf j's leg is n_nodes + j; the output is
  /// (root's edge, leaf 0, ..., leaf n-1).
  network<T> to_network() const {
    validate();
    network<T> net;
    const int n = n_nodes();
    for (int i = 0; i < n; ++i) {
      const node& nd = nodes_[static_cast<std::size_t>(i)];
      std::vector<leg_label> lab{leg_label(i)};
      for (const ttn_child& ch : nd.children) lab.push_back(ch.leaf ? leg_label(n + ch.id) : leg_label(ch.id));
      net.add(cores_[static_cast<std::size_t>(nd.core)].view(), lab);
    }
    std::vector<leg_label> out{leg_label(root_)};
    for (int j = 0; j < static_cast<int>(leaf_extent_.size()); ++j) out.push_back(leg_label(n + j));
    net.set_output(out);
    return net;
  }

  /// The whole multilinear map as a tensor (out, D_0, ..., D_{n-1}), contracted along
  /// path::automatic; throws shape_error beyond max_elements.
  template <class P>
    requires execution_policy<P>
  dtensor<T> to_dense(P policy, index max_elements = index(1) << 28) const {
    const network<T> net = to_network();
    double total = 1;
    for (index e : net.output_shape()) total *= static_cast<double>(e);
    if (total > static_cast<double>(max_elements))
      throw shape_error("tenet::ttn::to_dense: the dense tensor " + detail::shape_string(std::span<const index>(net.output_shape())) +
                        " has more than " + std::to_string(max_elements) + " elements");
    return net.contract(path::automatic(net), policy);
  }
  dtensor<T> to_dense(index max_elements = index(1) << 28) const { return to_dense(exec::seq, max_elements); }

 private:
  const dtensor<T>& core_of(int node_id) const {
    return cores_[static_cast<std::size_t>(nodes_[static_cast<std::size_t>(node_id)].core)];
  }

  // v(node): the core contracted with its children's values one by one. Labels: 0 the output,
  // m the m-th child's mode, k+1 the batch.
  template <class P>
  dtensor<T> eval(P policy, int id, std::span<const dtensor_view<const T>> leaves, std::size_t brank, index batch) const {
    const node& nd = nodes_[static_cast<std::size_t>(id)];
    const dtensor<T>& c = cores_[static_cast<std::size_t>(nd.core)];
    const int k = static_cast<int>(nd.children.size());
    const int b = k + 1;
    std::vector<int> cur_labels;
    for (int m = 0; m <= k; ++m) cur_labels.push_back(m);
    dtensor_view<const T> cur = c.view();
    dtensor<T> acc;
    for (int m = 1; m <= k; ++m) {
      const ttn_child ch = nd.children[static_cast<std::size_t>(m - 1)];
      dtensor<T> child_val;
      dtensor_view<const T> cv;
      if (ch.leaf) {
        cv = leaves[static_cast<std::size_t>(ch.id)];
      } else {
        child_val = eval(policy, ch.id, leaves, brank, batch);
        cv = child_val.view();
      }
      std::vector<int> cl;
      if (brank) cl.push_back(b);
      cl.push_back(m);
      std::vector<int> next_labels;
      std::vector<index> next_ext;
      if (brank) next_labels.push_back(b), next_ext.push_back(batch);
      next_labels.push_back(0), next_ext.push_back(c.extent(0));
      for (int q = m + 1; q <= k; ++q) next_labels.push_back(q), next_ext.push_back(c.extent(static_cast<std::size_t>(q)));
      dtensor<T> next{dyn_extents(next_ext)};
      exec::contract(policy, cur, cur_labels, cv, cl, next.view(), next_labels);
      acc = std::move(next);
      cur = acc.view();
      cur_labels = std::move(next_labels);
    }
    return acc;
  }

  std::vector<dtensor<T>> cores_;
  std::vector<node> nodes_;
  mutable bool checked_ = false;
  mutable int root_ = -1;
  mutable std::vector<index> leaf_extent_;
};

}  // namespace tenet
