#pragma once
// .npy files (NumPy's one-array format, versions 1.0, 2.0 and 3.0): read into an any_tensor,
// write from a tensor or view. Read: dtypes <f4 <f8 <i4 <i8 |u1, <f2 (widened to float),
// and the big-endian '>' forms (byte-swapped); C order, or Fortran order (transposed into
// row-major on load). Write: little-endian, C order, version 1.0 (2.0 when the header needs
// it), the header as NumPy writes it. Anything malformed throws format_error saying what and
// where; no read goes past the buffer.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/extents.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/core/tensor_view.hpp"
#include "tenet/io/any_tensor.hpp"
#include "tenet/io/detail/bytes.hpp"
#include "tenet/io/detail/half.hpp"

namespace tenet::io {

namespace detail {

inline constexpr std::string_view npy_magic = "\x93NUMPY";
inline constexpr std::size_t npy_max_header = std::size_t{1} << 20;  // NumPy's own limit is 10000
inline constexpr std::size_t npy_max_rank = 64;                      // NumPy 2's NPY_MAXDIMS

struct npy_header {
  std::string descr;
  bool fortran_order = false;
  std::vector<index> shape;
};

// The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// then spaces and a newline. This parses exactly that subset of Python's syntax.
class npy_header_parser {
 public:
  npy_header_parser(std::string_view text, const std::string& where) : s_(text), where_(where) {}

  npy_header parse() {
    npy_header h;
    bool seen_descr = false, seen_fortran = false, seen_shape = false;
    skip_ws();
    expect('{');
    for (;;) {
      skip_ws();
      if (peek() == '}') break;
      const std::size_t key_at = pos_;
      const std::string key = pystring();
      skip_ws();
      expect(':');
      skip_ws();
      auto once = [&](bool& seen) {
        if (seen) fail_at("duplicate key '" + key + "'", key_at);
        seen = true;
      };
      if (key == "descr") {
        once(seen_descr);
        if (peek() == '[') fail("structured dtypes (a list as 'descr') are not supported");
        h.descr = pystring();
      } else if (key == "fortran_order") {
        once(seen_fortran);
        h.fortran_order = pybool();
      } else if (key == "shape") {
        once(seen_shape);
        h.shape = pytuple();
      } else {
        fail_at("unknown key '" + key + "' (expected 'descr', 'fortran_order' and 'shape')", key_at);
      }
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') fail("expected ',' or '}'");
    }
    ++pos_;  // '}'
    skip_ws();
    if (pos_ != s_.size()) fail("unexpected text after the dict");
    if (!seen_descr || !seen_fortran || !seen_shape)
      fail("missing key '" + std::string(!seen_descr ? "descr" : !seen_fortran ? "fortran_order" : "shape") + "'");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { fail_at(what, pos_); }
  [[noreturn]] void fail_at(const std::string& what, std::size_t at) const {
    std::string shown;
    for (char c : s_.substr(0, 120)) shown += (c >= 0x20 && c < 0x7F) ? c : '?';
    throw format_error(where_ + ": malformed header: " + what + " at byte " + std::to_string(at) +
                       " of the header \"" + shown + (s_.size() > 120 ? "...\"" : "\""));
  }
  char peek() const noexcept { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_ws() noexcept {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r')) ++pos_;
  }
  void expect(char c) {
    if (peek() != c || pos_ >= s_.size()) fail(std::string("expected '") + c + "'");
    ++pos_;
  }

  std::string pystring() {
    const char q = peek();
    if (q != '\'' && q != '"') fail("expected a quoted string");
    const std::size_t start = ++pos_;
    while (pos_ < s_.size() && s_[pos_] != q) {
      const char c = s_[pos_];
      if (c == '\\') fail("escapes in strings are not supported");
      if (c < 0x20 || c > 0x7E) fail("a string holds a byte that is not printable ASCII");
      ++pos_;
    }
    if (pos_ >= s_.size()) fail("unterminated string");
    return std::string(s_.substr(start, pos_++ - start));
  }

  bool pybool() {
    if (s_.substr(pos_, 4) == "True") return pos_ += 4, true;
    if (s_.substr(pos_, 5) == "False") return pos_ += 5, false;
    fail("expected True or False");
  }

  index pyint() {
    const std::size_t start = pos_;
    std::uint64_t v = 0;
    const auto limit = static_cast<std::uint64_t>(std::numeric_limits<index>::max());
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      const auto d = static_cast<std::uint64_t>(s_[pos_] - '0');
      if (v > (limit - d) / 10) fail_at("extent too large", start);  // before multiplying: nothing wraps
      v = v * 10 + d;
      ++pos_;
    }
    if (pos_ == start) fail("expected a non-negative integer");
    if (s_[start] == '0' && pos_ - start > 1) fail_at("leading zero in an integer", start);
    return static_cast<index>(v);
  }

  std::vector<index> pytuple() {
    expect('(');
    std::vector<index> shape;
    bool trailing_comma = false;
    skip_ws();
    while (peek() != ')') {
      if (shape.size() == npy_max_rank) fail("more than " + std::to_string(npy_max_rank) + " dimensions");
      shape.push_back(pyint());
      skip_ws();
      trailing_comma = false;
      if (peek() == ',') {
        ++pos_;
        trailing_comma = true;
        skip_ws();
      } else if (peek() != ')') {
        fail("expected ',' or ')' in the shape");
      }
    }
    if (shape.size() == 1 && !trailing_comma) fail("a one-dimensional shape is written (n,), with a comma");
    ++pos_;
    return shape;
  }

  std::string_view s_;
  const std::string& where_;
  std::size_t pos_ = 0;
};

// What a descr string means: the element type in memory, the size in the file, byte order.
struct npy_descr {
  dtype type = dtype::f32;
  std::size_t itemsize = 4;
  bool little_endian = true;
  bool half = false;  // <f2: 16-bit in the file, widened to float
};

inline npy_descr parse_npy_descr(const std::string& d, const std::string& where) {
  const std::string unsupported = where + ": dtype '" + d +
                                  "' is not supported (supported: <f4, <f8, <f2, <i4, <i8, |u1, and the "
                                  "big-endian forms >f4, >f8, >f2, >i4, >i8)";
  if (d == "|u1" || d == "<u1" || d == ">u1") return {dtype::u8, 1, true, false};
  if (d.size() != 3 || (d[0] != '<' && d[0] != '>')) throw format_error(unsupported);
  const bool le = d[0] == '<';
  const std::string_view t = std::string_view(d).substr(1);
  if (t == "f4") return {dtype::f32, 4, le, false};
  if (t == "f8") return {dtype::f64, 8, le, false};
  if (t == "f2") return {dtype::f32, 2, le, true};
  if (t == "i4") return {dtype::i32, 4, le, false};
  if (t == "i8") return {dtype::i64, 8, le, false};
  throw format_error(unsupported);
}

// Fortran (column-major) element order to row-major: element n of src has the multi-index
// whose first mode varies fastest.
template <class T>
void fortran_to_c(const T* src, T* dst, std::span<const index> shape, index total) {
  const std::size_t R = shape.size();
  std::vector<index> idx(R, 0), cstride(R, 1);
  for (std::size_t r = R; r-- > 1;) cstride[r - 1] = cstride[r] * shape[r];
  for (index n = 0; n < total; ++n) {
    index off = 0;
    for (std::size_t r = 0; r < R; ++r) off += idx[r] * cstride[r];
    dst[off] = src[n];
    for (std::size_t r = 0; r < R; ++r) {
      if (++idx[r] < shape[r]) break;
      idx[r] = 0;
    }
  }
}

template <class T>
any_tensor npy_load_data(const std::byte* p, const npy_descr& d, const npy_header& h) {
  dtensor<T> out{dyn_extents(std::span<const index>(h.shape))};
  const auto n = static_cast<std::size_t>(out.size());
  if (n == 0) return any_tensor(std::move(out));
  const bool transpose = h.fortran_order && h.shape.size() > 1;
  std::vector<T> tmp(transpose ? n : 0);
  T* dst = transpose ? tmp.data() : out.data();
  if constexpr (std::is_same_v<T, float>) {
    if (d.half) {
      std::vector<std::uint16_t> bits(n);
      load_elements(p, bits.data(), n, d.little_endian);
      for (std::size_t k = 0; k < n; ++k) dst[k] = f16_to_float(bits[k]);
    } else {
      load_elements(p, dst, n, d.little_endian);
    }
  } else {
    load_elements(p, dst, n, d.little_endian);
  }
  if (transpose) fortran_to_c(tmp.data(), out.data(), std::span<const index>(h.shape), out.size());
  return any_tensor(std::move(out));
}

inline std::string npy_header_text(std::string_view descr, std::span<const index> shape) {
  std::string h = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': (";
  for (std::size_t r = 0; r < shape.size(); ++r) {
    if (r) h += ", ";
    h += std::to_string(shape[r]);
  }
  h += shape.size() == 1 ? ",), }" : "), }";
  return h;
}

inline std::string_view npy_descr_of(dtype t) noexcept {
  switch (t) {
    case dtype::f32: return "<f4";
    case dtype::f64: return "<f8";
    case dtype::i32: return "<i4";
    case dtype::i64: return "<i8";
    case dtype::u8: return "|u1";
  }
  return "?";
}

}  // namespace detail

/// Parses a .npy image. `where` starts every error message.
inline any_tensor decode_npy(std::span<const std::byte> file, const std::string& where = "tenet::io::decode_npy") {
  using namespace detail;
  const std::size_t size = file.size();
  const auto* p = file.data();
  if (size < 10)
    throw format_error(where + ": truncated: " + std::to_string(size) + " bytes, fewer than the 10 of a .npy preamble");
  for (std::size_t k = 0; k < npy_magic.size(); ++k)
    if (static_cast<char>(p[k]) != npy_magic[k])
      throw format_error(where + ": not a .npy file (bad magic: it must start with \\x93NUMPY)");
  const auto major = static_cast<unsigned>(p[6]), minor = static_cast<unsigned>(p[7]);
  if (major < 1 || major > 3 || minor != 0)
    throw format_error(where + ": unsupported .npy format version " + std::to_string(major) + "." +
                       std::to_string(minor) + " (1.0, 2.0 and 3.0 are supported)");
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  if (size < 8 + len_bytes)
    throw format_error(where + ": truncated: the header length field ends past the file's " + std::to_string(size) +
                       " bytes");
  const std::uint64_t hlen = major == 1 ? load_le16(p + 8) : load_le32(p + 8);
  const std::size_t hstart = 8 + len_bytes;
  if (hlen > npy_max_header)
    throw format_error(where + ": header length " + std::to_string(hlen) + " exceeds the limit of " +
                       std::to_string(npy_max_header) + " bytes (a corrupt length field?)");
  if (hlen > size - hstart)
    throw format_error(where + ": truncated: the header of " + std::to_string(hlen) + " bytes ends past the file's " +
                       std::to_string(size) + " bytes");
  const std::string_view text(reinterpret_cast<const char*>(p + hstart), static_cast<std::size_t>(hlen));
  const npy_header h = npy_header_parser(text, where).parse();
  const npy_descr d = parse_npy_descr(h.descr, where);
  const std::uint64_t need = checked_nbytes(h.shape, d.itemsize, where);
  const std::size_t dstart = hstart + static_cast<std::size_t>(hlen);
  const std::size_t have = size - dstart;
  if (need != have)
    throw format_error(where + ": the data has " + std::to_string(have) + " bytes but shape " +
                       tenet::detail::shape_string(std::span<const index>(h.shape)) + " of " + h.descr + " needs " +
                       std::to_string(need) + (have < need ? " (truncated)" : ""));
  switch (d.type) {
    case dtype::f32: return npy_load_data<float>(p + dstart, d, h);
    case dtype::f64: return npy_load_data<double>(p + dstart, d, h);
    case dtype::i32: return npy_load_data<std::int32_t>(p + dstart, d, h);
    case dtype::i64: return npy_load_data<std::int64_t>(p + dstart, d, h);
    case dtype::u8: return npy_load_data<std::uint8_t>(p + dstart, d, h);
  }
  throw format_error(where + ": unreachable dtype");
}

inline any_tensor read_npy(const std::filesystem::path& path) {
  const std::string who = "tenet::io::read_npy";
  const auto file = detail::read_file(path, who);
  return decode_npy(file, who + ": " + detail::single_quoted(path.string()));
}

/// The .npy image of a tensor or view (any strides; written in C order).
template <class T, class Ext>
detail::bytes encode_npy(const basic_tensor_view<T, Ext>& x) {
  using U = std::remove_const_t<T>;
  detail::check_element_type<U>();
  const auto shape = dyn_extents(x.extents());
  std::string h = detail::npy_header_text(detail::npy_descr_of(dtype_of_v<U>), shape.as_span());
  // Pad with spaces and end with '\n' so that the data starts on a 64-byte boundary.
  const auto padding = [&](std::size_t prefix) { return (64 - (prefix + h.size() + 1) % 64) % 64; };
  // Version 1.0 has a 2-byte header length; 2.0 (a 4-byte one) only when that is too short.
  const std::size_t prefix = h.size() + 1 + padding(10) <= 65535 ? 10 : 12;
  h.append(padding(prefix), ' ');
  h += '\n';
  detail::bytes out;
  out.reserve(prefix + h.size() + static_cast<std::size_t>(x.size()) * sizeof(U));
  detail::append(out, detail::npy_magic);
  out.push_back(std::byte{static_cast<unsigned char>(prefix == 10 ? 1 : 2)});
  out.push_back(std::byte{0});
  if (prefix == 10)
    detail::append_le(out, static_cast<std::uint16_t>(h.size()));
  else
    detail::append_le(out, static_cast<std::uint32_t>(h.size()));
  detail::append(out, h);
  if (x.is_contiguous()) {
    detail::append_elements(out, x.data(), static_cast<std::size_t>(x.size()));
  } else {
    const dtensor<U> c(x);
    detail::append_elements(out, c.data(), static_cast<std::size_t>(c.size()));
  }
  return out;
}
template <class T, class Ext>
detail::bytes encode_npy(const basic_tensor<T, Ext>& x) {
  return encode_npy(x.view());
}
inline detail::bytes encode_npy(const any_tensor& x) {
  return x.visit([](const auto& t) { return encode_npy(t.view()); });
}

template <class X>
void write_npy(const std::filesystem::path& path, const X& x) {
  detail::write_file(path, encode_npy(x), "tenet::io::write_npy");
}

}  // namespace tenet::io
