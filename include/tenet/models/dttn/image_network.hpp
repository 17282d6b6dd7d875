#pragma once
// tenet::dttn_network<T>: the whole image DTTN (MATH.md 1.1) built from a dttn_config:
//   stem     two 2x2 stride-2 convs 3 -> C1/2 -> C1 (stride 4)
//   stage s  (s = 1, 2, 3: a 2x2 stride-2 conv C_{s-1} -> C_s first) blocks[s] AIM blocks on C_s
//   head     global average pooling, then a linear map C_4 -> num_classes
// Every convolution and the head have biases. Inference only: forward maps (N, 3, H, W), H and
// W multiples of 32 (five halvings), to logits (N, num_classes). Parameter names mirror a
// PyTorch module tree (docs/dttn.md "Image network"; scripts/dttn_torch.py).
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/random.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/models/dttn/image_block.hpp"
#include "tenet/models/dttn/network_config.hpp"
#include "tenet/ops/conv2x2_stride2.hpp"
#include "tenet/ops/pool.hpp"

namespace tenet {

template <class T>
class dttn_network {
  static_assert(std::is_floating_point_v<T>, "tenet::dttn_network: the element type must be float or double");

 public:
  using value_type = T;

  dttn_network() = default;
  /// The network of `cfg` (checked), with seeded Kaiming-normal weights (fan_in, gain sqrt(2)),
  /// zero biases and shifts, unit scales, alpha = 1. Every tensor draws its own seed from a
  /// splitmix64 stream started at `seed`, in for_each_param order.
  explicit dttn_network(const dttn_config& cfg, std::uint64_t seed = 0) : cfg_(cfg) {
    cfg_.check();
    const auto& C = cfg_.channels;
    stem0_w = dtensor<T>(C[0] / 2, index(3), index(2), index(2));
    stem0_b = dtensor<T>(C[0] / 2);
    stem1_w = dtensor<T>(C[0], C[0] / 2, index(2), index(2));
    stem1_b = dtensor<T>(C[0]);
    for (int s = 1; s < 4; ++s) {
      down_w[s] = dtensor<T>(C[s], C[s - 1], index(2), index(2));
      down_b[s] = dtensor<T>(C[s]);
    }
    for (int s = 0; s < 4; ++s) {
      stages[s].reserve(static_cast<std::size_t>(cfg_.blocks[s]));
      for (index b = 0; b < cfg_.blocks[s]; ++b)
        stages[s].emplace_back(cfg_.variant, C[s], dttn_config::hidden(C[s], b));
    }
    head_w = dtensor<T>(cfg_.num_classes, C[3]);
    head_b = dtensor<T>(cfg_.num_classes);
    kaiming_init(seed);
  }

  const dttn_config& config() const noexcept { return cfg_; }

  /// f(name, tensor&) for every parameter, in a fixed order: stem.{0,1}.{weight,bias}; per
  /// stage s, stages.s.down.{weight,bias} (s >= 1), then stages.s.blocks.b.<block names>
  /// (image_aim_block::for_each_param); head.{weight,bias}.
  template <class F>
  void for_each_param(F&& f) {
    visit(*this, f);
  }
  template <class F>
  void for_each_param(F&& f) const {
    visit(*this, f);
  }

  /// The number of parameters (scalars) it holds.
  index param_count() const {
    index n = 0;
    for_each_param([&](const std::string&, const dtensor<T>& t) { n += t.size(); });
    return n;
  }

  /// See the constructor.
  void kaiming_init(std::uint64_t seed) {
    splitmix64 g(seed);
    for_each_param([&](const std::string& name, dtensor<T>& t) { detail::init_image_param(name, t, g.next()); });
  }

  /// Logits (N, num_classes) for images x (N, 3, H, W), H and W divisible by 32.
  template <class P, tensor_like X>
    requires execution_policy<P>
  dtensor<T> forward(P policy, const X& x) const {
    static_assert(std::is_same_v<value_type_of_t<X>, T>,
                  "tenet::dttn_network::forward: x must have the network's element type");
    const dtensor_view<const T> xv(as_view(x));
    if (xv.rank() != 4 || xv.extent(1) != 3 || xv.extent(2) % 32 != 0 || xv.extent(3) % 32 != 0 ||
        xv.extent(2) == 0 || xv.extent(3) == 0)
      throw shape_error("tenet::dttn_network: input of shape " + detail::shape_string(xv.extents()) +
                        " (expects (N, 3, H, W) with H and W positive multiples of 32)");
    dtensor<T> h = conv2x2_stride2(policy, conv2x2_stride2(policy, xv, stem0_w, stem0_b), stem1_w, stem1_b);
    for (int s = 0; s < 4; ++s) {
      if (s > 0) h = conv2x2_stride2(policy, h, down_w[s], down_b[s]);
      for (const auto& blk : stages[s]) h = blk.forward(policy, h);
    }
    const dtensor<T> pooled = global_avg_pool(policy, h);  // (N, C4)
    const index N = pooled.extent(0), C = pooled.extent(1), K = cfg_.num_classes;
    dtensor<T> y(N, K);
    for (index n = 0; n < N; ++n)
      for (index k = 0; k < K; ++k) {
        double acc = static_cast<double>(head_b.data()[k]);
        for (index c = 0; c < C; ++c)
          acc += static_cast<double>(head_w.data()[k * C + c]) * static_cast<double>(pooled.data()[n * C + c]);
        y.data()[n * K + k] = static_cast<T>(acc);
      }
    return y;
  }
  template <tensor_like X>
  dtensor<T> forward(const X& x) const {
    return forward(exec::seq, x);
  }

  dtensor<T> stem0_w, stem0_b;           // (C1/2, 3, 2, 2)
  dtensor<T> stem1_w, stem1_b;           // (C1, C1/2, 2, 2)
  std::array<dtensor<T>, 4> down_w{};    // [s] (C_s, C_{s-1}, 2, 2) for s >= 1; [0] unused
  std::array<dtensor<T>, 4> down_b{};    // [s] (C_s)
  std::array<std::vector<image_aim_block<T>>, 4> stages{};
  dtensor<T> head_w, head_b;             // (num_classes, C4), (num_classes)

 private:
  template <class Self, class F>
  static void visit(Self& self, F& f) {
    f(std::string("stem.0.weight"), self.stem0_w);
    f(std::string("stem.0.bias"), self.stem0_b);
    f(std::string("stem.1.weight"), self.stem1_w);
    f(std::string("stem.1.bias"), self.stem1_b);
    for (int s = 0; s < 4; ++s) {
      const std::string st = "stages." + std::to_string(s) + ".";
      if (s > 0) {
        f(st + "down.weight", self.down_w[s]);
        f(st + "down.bias", self.down_b[s]);
      }
      for (std::size_t b = 0; b < self.stages[s].size(); ++b) {
        const std::string pre = st + "blocks." + std::to_string(b) + ".";
        self.stages[s][b].for_each_param([&](const std::string& name, auto& t) { f(pre + name, t); });
      }
    }
    f(std::string("head.weight"), self.head_w);
    f(std::string("head.bias"), self.head_b);
  }

  dttn_config cfg_{};
};

}  // namespace tenet
