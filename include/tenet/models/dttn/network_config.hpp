#pragma once
// tenet::dttn_config: the shape of a whole image DTTN (MATH.md 1.1): blocks and channels per
// stage, classes, variant. The published configurations T, S, L are data (a table below), not
// code; any other is built the same way.
#include <array>
#include <string>
#include <string_view>

#include "tenet/core/error.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/models/dttn/aim_block.hpp"

namespace tenet {

struct dttn_config {
  std::array<index, 4> blocks{};    // AIM blocks in each of the four stages
  std::array<index, 4> channels{};  // C of each stage; C1 must be even (the stem's C1/2)
  index num_classes = 1000;
  aim_variant variant = aim_variant::dttn;

  /// Hc of block b (numbered from 0 within its stage) of a stage with C channels: C for even
  /// b, 3C for odd b.
  static index hidden(index channels, index block) noexcept { return block % 2 == 1 ? 3 * channels : channels; }

  /// Throws shape_error naming the configuration unless every count is positive and C1 even.
  void check() const {
    bool ok = num_classes >= 1 && channels[0] % 2 == 0;
    for (int s = 0; s < 4; ++s) ok = ok && blocks[s] >= 0 && channels[s] >= 1;
    if (!ok) throw shape_error("tenet::dttn_config: " + describe() + " (need blocks >= 0, channels >= 1, C1 even, classes >= 1)");
  }

  std::string describe() const {
    std::string s = "blocks (";
    for (int i = 0; i < 4; ++i) s += (i ? ", " : "") + std::to_string(blocks[i]);
    s += "), channels (";
    for (int i = 0; i < 4; ++i) s += (i ? ", " : "") + std::to_string(channels[i]);
    return s + "), " + std::to_string(num_classes) + " classes, " + to_string(variant);
  }
};

namespace detail {
struct dttn_preset_row {
  std::string_view name;
  std::array<index, 4> blocks, channels;
};
// MATH.md 1.1's table (the paper's T, S, L).
inline constexpr std::array<dttn_preset_row, 3> dttn_presets = {{
    {"T", {6, 6, 16, 6}, {96, 128, 160, 192}},
    {"S", {6, 6, 24, 8}, {96, 128, 192, 192}},
    {"L", {8, 8, 32, 8}, {128, 192, 256, 384}},
}};
}  // namespace detail

/// The published configuration "T", "S" or "L"; shape_error for any other name.
inline dttn_config dttn_preset(std::string_view name, index num_classes = 1000,
                               aim_variant variant = aim_variant::dttn) {
  for (const auto& row : detail::dttn_presets)
    if (row.name == name) return dttn_config{row.blocks, row.channels, num_classes, variant};
  throw shape_error("tenet::dttn_preset: no configuration '" + std::string(name) + "' (known: T, S, L)");
}

}  // namespace tenet
