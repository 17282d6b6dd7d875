#pragma once
// IEEE binary16 (F16) and bfloat16 (BF16) bit patterns to float, for the readers: tenet
// computes in float and double only, so 16-bit weights widen on load (exactly: every F16
// and BF16 value is a float).
#include <bit>
#include <cstdint>

namespace tenet::io::detail {

inline float bf16_to_float(std::uint16_t h) noexcept {
  // bfloat16 is the top half of a float.
  return std::bit_cast<float>(static_cast<std::uint32_t>(h) << 16);
}

inline float f16_to_float(std::uint16_t h) noexcept {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  std::uint32_t exp = (h >> 10) & 0x1Fu;
  std::uint32_t man = h & 0x3FFu;
  std::uint32_t bits = 0;
  if (exp == 0x1F) {
    bits = sign | 0x7F800000u | (man << 13);  // inf, or NaN keeping its payload
  } else if (exp != 0) {
    bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
  } else if (man != 0) {
    // Subnormal: shift the mantissa up to a normal float, lowering the exponent to match.
    exp = 127 - 15 + 1;
    while ((man & 0x400u) == 0) {
      man <<= 1;
      --exp;
    }
    bits = sign | (exp << 23) | ((man & 0x3FFu) << 13);
  } else {
    bits = sign;  // +-0
  }
  return std::bit_cast<float>(bits);
}

}  // namespace tenet::io::detail
