#pragma once
// tenet::aim_stack<Block>: L AIM blocks applied in turn, y = aim_{L-1}(... aim_0(x)): the
// vector DTTN "network" whose unfolding is a perfect binary tree of depth L (dttn_tree.hpp).
// Block 0 meets the input first and becomes the level next to the leaves.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/random.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/core/traits.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/models/dttn/aim_block.hpp"

namespace tenet {

template <class Block>
class aim_stack {
 public:
  using block_type = Block;
  using value_type = typename Block::value_type;
  using T = value_type;

  aim_stack() = default;
  explicit aim_stack(std::vector<Block> b) {
    for (auto& x : b) add(std::move(x));
  }

  /// Appends a block; throws shape_error unless it has the stack's D.
  void add(Block b) {
    if (!blocks.empty() && b.features() != features())
      throw shape_error("tenet::aim_stack: a block of D = " + std::to_string(b.features()) + " after blocks of D = " +
                        std::to_string(features()));
    blocks.push_back(std::move(b));
  }

  std::size_t depth() const noexcept { return blocks.size(); }
  index features() const { return blocks.empty() ? 0 : blocks.front().features(); }

  /// The blocks in order on x (batch, D, ...); an empty stack is the identity.
  template <class P, tensor_like X>
    requires execution_policy<P>
  dtensor<T> forward(P policy, const X& x) const {
    dtensor<T> y(dtensor_view<const T>(as_view(x)));
    for (const Block& b : blocks) y = b.forward(policy, y);
    return y;
  }
  template <tensor_like X>
  dtensor<T> forward(const X& x) const {
    return forward(exec::seq, x);
  }

  std::vector<Block> blocks;
};

template <class T>
using dense_aim_stack = aim_stack<dense_aim<T>>;

/// L vector blocks D -> H -> D; block l is initialized from the l-th seed of init.seed's stream.
template <class T>
dense_aim_stack<T> make_dense_aim_stack(index D, index H, std::size_t L, aim_variant variant, const aim_init& init = {}) {
  dense_aim_stack<T> s;
  splitmix64 g(init.seed);
  for (std::size_t l = 0; l < L; ++l) {
    aim_init bi = init;
    bi.seed = g.next();
    s.add(make_dense_aim<T>(D, H, variant, bi));
  }
  return s;
}

}  // namespace tenet
