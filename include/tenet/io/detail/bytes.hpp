#pragma once
// Byte-level helpers for the file readers and writers: little-endian loads and stores,
// element conversion to and from file byte order, overflow-checked sizes, whole-file I/O.
// Every load takes a pointer the caller has already bounds-checked.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/extents.hpp"

namespace tenet::io::detail {

using bytes = std::vector<std::byte>;

static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big,
              "tenet::io: mixed-endian hosts are not supported");

template <class U>
U load_le(const std::byte* p) noexcept {
  static_assert(std::is_unsigned_v<U>);
  U v = 0;
  for (std::size_t k = 0; k < sizeof(U); ++k) v |= static_cast<U>(static_cast<U>(p[k]) << (8 * k));
  return v;
}
inline std::uint16_t load_le16(const std::byte* p) noexcept { return load_le<std::uint16_t>(p); }
inline std::uint32_t load_le32(const std::byte* p) noexcept { return load_le<std::uint32_t>(p); }
inline std::uint64_t load_le64(const std::byte* p) noexcept { return load_le<std::uint64_t>(p); }

template <class U>
void append_le(bytes& out, U v) {
  static_assert(std::is_unsigned_v<U>);
  for (std::size_t k = 0; k < sizeof(U); ++k) out.push_back(static_cast<std::byte>((v >> (8 * k)) & 0xFF));
}
inline void append(bytes& out, std::string_view s) {
  for (char c : s) out.push_back(static_cast<std::byte>(static_cast<unsigned char>(c)));
}

/// Copies n elements of T from file bytes (little- or big-endian) into dst.
template <class T>
void load_elements(const std::byte* src, T* dst, std::size_t n, bool little_endian) noexcept {
  if (n == 0) return;
  std::memcpy(dst, src, n * sizeof(T));
  if constexpr (sizeof(T) > 1) {
    if (little_endian != (std::endian::native == std::endian::little)) {
      auto* b = reinterpret_cast<unsigned char*>(dst);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < sizeof(T) / 2; ++k) std::swap(b[i * sizeof(T) + k], b[i * sizeof(T) + sizeof(T) - 1 - k]);
    }
  }
}

/// Appends n elements of T in little-endian byte order.
template <class T>
void append_elements(bytes& out, const T* src, std::size_t n) {
  const std::size_t at = out.size();
  out.resize(at + n * sizeof(T));
  if (n == 0) return;
  std::memcpy(out.data() + at, src, n * sizeof(T));
  if constexpr (sizeof(T) > 1 && std::endian::native == std::endian::big) {
    auto* b = reinterpret_cast<unsigned char*>(out.data() + at);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < sizeof(T) / 2; ++k) std::swap(b[i * sizeof(T) + k], b[i * sizeof(T) + sizeof(T) - 1 - k]);
  }
}

/// a * b, or false when it overflows.
inline bool checked_mul(std::uint64_t a, std::uint64_t b, std::uint64_t& out) noexcept {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) return false;
  out = a * b;
  return true;
}

/// The byte count of a tensor of `shape` with elements of `itemsize` bytes. Throws
/// format_error (prefixed by `where`) when the element count or byte count does not fit an
/// index: the product of the nonzero extents must fit too, as NumPy requires.
inline std::uint64_t checked_nbytes(std::span<const index> shape, std::uint64_t itemsize, const std::string& where) {
  const auto limit = static_cast<std::uint64_t>(std::numeric_limits<index>::max());
  std::uint64_t nonzero = 1;
  bool empty = false;
  for (index e : shape) {
    if (e == 0) {
      empty = true;
      continue;
    }
    if (!checked_mul(nonzero, static_cast<std::uint64_t>(e), nonzero) || nonzero > limit)
      throw format_error(where + ": shape " + tenet::detail::shape_string(shape) + " has too many elements");
  }
  std::uint64_t nbytes = 0;
  if (!checked_mul(nonzero, itemsize, nbytes) || nbytes > limit)
    throw format_error(where + ": shape " + tenet::detail::shape_string(shape) + " has too many bytes");
  return empty ? 0 : nbytes;
}

inline std::string single_quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

/// The whole file. A file that cannot be opened or read is a tenet::error (not a format
/// error: nothing is known about its contents).
inline bytes read_file(const std::filesystem::path& path, const std::string& who) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw error(who + ": cannot open " + single_quoted(path.string()) + " (no such regular file)");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw error(who + ": cannot open " + single_quoted(path.string()));
  f.seekg(0, std::ios::end);
  const std::streamoff n = f.tellg();
  f.seekg(0, std::ios::beg);
  if (n < 0 || !f) throw error(who + ": cannot read " + single_quoted(path.string()));
  bytes buf(static_cast<std::size_t>(n));
  if (n > 0) f.read(reinterpret_cast<char*>(buf.data()), n);
  if (!f || f.gcount() != n) throw error(who + ": cannot read " + single_quoted(path.string()));
  return buf;
}

inline void write_file(const std::filesystem::path& path, std::span<const std::byte> data, const std::string& who) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw error(who + ": cannot open " + single_quoted(path.string()) + " for writing");
  if (!data.empty()) f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  f.close();
  if (!f) throw error(who + ": cannot write " + single_quoted(path.string()));
}

}  // namespace tenet::io::detail
