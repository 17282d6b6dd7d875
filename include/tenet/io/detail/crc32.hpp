#pragma once
// CRC-32 as zip uses it (reflected polynomial 0xEDB88320, initial value and final xor
// 0xFFFFFFFF), with a table computed at compile time.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace tenet::io::detail {

inline constexpr std::array<std::uint32_t, 256> crc32_table = [] {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[n] = c;
  }
  return t;
}();

inline std::uint32_t crc32(std::span<const std::byte> data) noexcept {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::byte b : data) c = crc32_table[(c ^ static_cast<std::uint32_t>(b)) & 0xFFu] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

}  // namespace tenet::io::detail
