#pragma once
// safetensors files: an 8-byte little-endian header length N, N bytes of JSON
// {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
//  "__metadata__": {"key": "value", ...}}, then the data buffer the offsets point into.
// Read: F32, F64, I32, I64, U8, and F16/BF16 widened to float. Checked as strictly as the
// reference implementation: the tensors' byte ranges must tile the buffer exactly (no
// overlap, no gap, nothing after), each range's length must equal its shape times its
// element size. Write: the same layout, tensors ordered by element size (largest first) then
// name, so that every tensor's data is aligned to its element size in the file.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/extents.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/io/any_tensor.hpp"
#include "tenet/io/detail/bytes.hpp"
#include "tenet/io/detail/half.hpp"
#include "tenet/io/detail/json.hpp"
#include "tenet/io/tensor_map.hpp"

namespace tenet::io {

namespace detail {

inline constexpr std::uint64_t safetensors_max_header = std::uint64_t{100} << 20;  // as the reference reader

struct st_dtype {
  std::string_view name;
  std::size_t itemsize;
  dtype type;  // in memory
  enum class widen : unsigned char { none, f16, bf16 } from = widen::none;
};

inline constexpr st_dtype st_dtypes[] = {
    {"F64", 8, dtype::f64},  {"F32", 4, dtype::f32},
    {"F16", 2, dtype::f32, st_dtype::widen::f16}, {"BF16", 2, dtype::f32, st_dtype::widen::bf16},
    {"I64", 8, dtype::i64},  {"I32", 4, dtype::i32}, {"U8", 1, dtype::u8},
};

inline std::string_view st_name_of(dtype t) noexcept {
  switch (t) {
    case dtype::f32: return "F32";
    case dtype::f64: return "F64";
    case dtype::i32: return "I32";
    case dtype::i64: return "I64";
    case dtype::u8: return "U8";
  }
  return "?";
}

struct st_entry {
  std::string name;
  const st_dtype* type = nullptr;
  std::vector<index> shape;
  std::uint64_t begin = 0, end = 0;
};

template <class T>
any_tensor st_load(const std::byte* p, const st_entry& e) {
  dtensor<T> out{dyn_extents(std::span<const index>(e.shape))};
  const auto n = static_cast<std::size_t>(out.size());
  if constexpr (std::is_same_v<T, float>) {
    if (e.type->from != st_dtype::widen::none) {
      for (std::size_t k = 0; k < n; ++k) {
        const std::uint16_t bits = load_le16(p + 2 * k);
        out.data()[k] = e.type->from == st_dtype::widen::f16 ? f16_to_float(bits) : bf16_to_float(bits);
      }
      return any_tensor(std::move(out));
    }
  }
  load_elements(p, out.data(), n, true);
  return any_tensor(std::move(out));
}

class st_header_reader {
 public:
  st_header_reader(const std::string& where, std::uint64_t buffer_size) : where_(where), buffer_(buffer_size) {}

  void read(const json_value& root, std::vector<st_entry>& entries, std::map<std::string, std::string>& meta) const {
    if (!root.is(json_value::kind::object)) fail("the header is " + std::string(json_kind_name(root.type)) + ", not an object");
    for (std::size_t i = 0; i < root.keys.size(); ++i) {
      if (root.keys[i] == "__metadata__")
        metadata(root.items[i], meta);
      else
        entries.push_back(entry(root.keys[i], root.items[i]));
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw format_error(where_ + ": " + what); }

  void metadata(const json_value& v, std::map<std::string, std::string>& meta) const {
    if (!v.is(json_value::kind::object))
      fail("__metadata__ is " + std::string(json_kind_name(v.type)) + ", not an object of strings");
    for (std::size_t i = 0; i < v.keys.size(); ++i) {
      if (!v.items[i].is(json_value::kind::string))
        fail("__metadata__ value of '" + v.keys[i] + "' is " + json_kind_name(v.items[i].type) + ", not a string");
      meta[v.keys[i]] = v.items[i].text;
    }
  }

  st_entry entry(const std::string& name, const json_value& v) const {
    const std::string what = "tensor '" + name + "'";
    if (!v.is(json_value::kind::object)) fail(what + " is " + json_kind_name(v.type) + ", not an object");
    for (const auto& k : v.keys)
      if (k != "dtype" && k != "shape" && k != "data_offsets")
        fail(what + ": unknown key '" + k + "' (expected dtype, shape, data_offsets)");
    const json_value* dt = v.find("dtype");
    const json_value* shape = v.find("shape");
    const json_value* offs = v.find("data_offsets");
    if (!dt || !shape || !offs)
      fail(what + ": missing key '" + std::string(!dt ? "dtype" : !shape ? "shape" : "data_offsets") + "'");
    st_entry e;
    e.name = name;
    if (!dt->is(json_value::kind::string)) fail(what + ": dtype is " + json_kind_name(dt->type) + ", not a string");
    for (const auto& d : st_dtypes)
      if (d.name == dt->text) e.type = &d;
    if (!e.type)
      fail(what + ": dtype '" + dt->text + "' is not supported (supported: F64, F32, F16, BF16, I64, I32, U8)");
    if (!shape->is(json_value::kind::array)) fail(what + ": shape is " + json_kind_name(shape->type) + ", not an array");
    for (const auto& x : shape->items) {
      index ext = 0;
      if (!json_as_index(x, ext)) fail(what + ": a shape entry is not a non-negative integer (at byte " + std::to_string(x.offset) + ")");
      e.shape.push_back(ext);
    }
    index b = 0, en = 0;
    if (!offs->is(json_value::kind::array) || offs->items.size() != 2 || !json_as_index(offs->items[0], b) ||
        !json_as_index(offs->items[1], en))
      fail(what + ": data_offsets must be [begin, end], two non-negative integers");
    e.begin = static_cast<std::uint64_t>(b);
    e.end = static_cast<std::uint64_t>(en);
    const std::string range = "data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "]";
    if (e.end < e.begin) fail(what + ": " + range + " end before they begin");
    if (e.end > buffer_)
      fail(what + ": " + range + " reach past the data buffer of " + std::to_string(buffer_) + " bytes");
    const std::uint64_t need = checked_nbytes(e.shape, e.type->itemsize, where_ + ": " + what);
    if (need != e.end - e.begin)
      fail(what + ": " + range + " span " + std::to_string(e.end - e.begin) + " bytes but shape " +
           tenet::detail::shape_string(std::span<const index>(e.shape)) + " of " + std::string(e.type->name) + " needs " +
           std::to_string(need));
    return e;
  }

  const std::string& where_;
  std::uint64_t buffer_;
};

// The byte ranges must tile [0, buffer): sorted by offset, each begins where the last ended.
inline void st_check_tiling(const std::vector<st_entry>& entries, std::uint64_t buffer, const std::string& where) {
  std::vector<std::size_t> order(entries.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return entries[a].begin != entries[b].begin ? entries[a].begin < entries[b].begin : entries[a].end < entries[b].end;
  });
  std::uint64_t at = 0;
  const st_entry* last = nullptr;
  for (std::size_t k : order) {
    const auto& e = entries[k];
    if (e.begin < at)
      throw format_error(where + ": tensors '" + last->name + "' [" + std::to_string(last->begin) + ", " +
                         std::to_string(last->end) + ") and '" + e.name + "' [" + std::to_string(e.begin) + ", " +
                         std::to_string(e.end) + ") overlap");
    if (e.begin > at)
      throw format_error(where + ": bytes [" + std::to_string(at) + ", " + std::to_string(e.begin) +
                         ") of the data buffer belong to no tensor");
    at = e.end;
    last = &e;
  }
  if (at != buffer)
    throw format_error(where + ": the data buffer has " + std::to_string(buffer) + " bytes but the tensors end at " +
                       std::to_string(at));
}

}  // namespace detail

/// Every tensor of a safetensors image, by name, and its __metadata__. `where` starts every
/// error message.
inline tensor_map decode_safetensors(std::span<const std::byte> file,
                                     const std::string& where = "tenet::io::decode_safetensors") {
  using namespace detail;
  const std::uint64_t size = file.size();
  const std::byte* p = file.data();
  if (size < 8)
    throw format_error(where + ": truncated: " + std::to_string(size) + " bytes, fewer than the 8 of the header length");
  const std::uint64_t n = load_le64(p);
  if (n > safetensors_max_header)
    throw format_error(where + ": header length " + std::to_string(n) + " exceeds the limit of " +
                       std::to_string(safetensors_max_header) + " bytes (a corrupt length field?)");
  if (n > size - 8)
    throw format_error(where + ": truncated: the header of " + std::to_string(n) + " bytes ends past the file's " +
                       std::to_string(size) + " bytes");
  if (n == 0 || static_cast<char>(p[8]) != '{') throw format_error(where + ": the header does not start with '{'");
  const std::string_view text(reinterpret_cast<const char*>(p + 8), static_cast<std::size_t>(n));
  const json_value root = json_parser(text, where + ": header", json_limits{8, std::size_t{1} << 20}).parse();
  const std::uint64_t buffer = size - 8 - n;
  std::vector<st_entry> entries;
  tensor_map out;
  st_header_reader(where, buffer).read(root, entries, out.metadata());
  st_check_tiling(entries, buffer, where);
  const std::byte* data = p + 8 + n;
  for (const auto& e : entries) {
    const std::byte* at = data + e.begin;
    switch (e.type->type) {
      case dtype::f32: out.set(e.name, st_load<float>(at, e)); break;
      case dtype::f64: out.set(e.name, st_load<double>(at, e)); break;
      case dtype::i32: out.set(e.name, st_load<std::int32_t>(at, e)); break;
      case dtype::i64: out.set(e.name, st_load<std::int64_t>(at, e)); break;
      case dtype::u8: out.set(e.name, st_load<std::uint8_t>(at, e)); break;
    }
  }
  return out;
}

inline tensor_map read_safetensors(const std::filesystem::path& path) {
  const std::string who = "tenet::io::read_safetensors";
  const auto file = detail::read_file(path, who);
  return decode_safetensors(file, who + ": " + detail::single_quoted(path.string()));
}

/// The safetensors image of the tensors and their metadata. Names and metadata must be valid
/// UTF-8, and no tensor may be named __metadata__ (format_error otherwise).
inline detail::bytes encode_safetensors(const tensor_map& tensors,
                                        const std::string& where = "tenet::io::encode_safetensors") {
  using namespace detail;
  auto check_utf8 = [&](const std::string& s, const char* what) {
    if (!valid_utf8(s)) throw format_error(where + ": " + what + " is not valid UTF-8");
  };
  std::vector<std::pair<const std::string*, const any_tensor*>> order;
  for (const auto& [name, t] : tensors) {
    if (name == "__metadata__") throw format_error(where + ": a tensor cannot be named __metadata__");
    check_utf8(name, "a tensor name");
    order.emplace_back(&name, &t);
  }
  auto itemsize = [](const any_tensor& t) { return t.visit([](const auto& x) { return sizeof(*x.data()); }); };
  std::stable_sort(order.begin(), order.end(),
                   [&](const auto& a, const auto& b) { return itemsize(*a.second) > itemsize(*b.second); });
  std::string h = "{";
  if (!tensors.metadata().empty()) {
    h += "\"__metadata__\":{";
    bool first = true;
    for (const auto& [k, v] : tensors.metadata()) {
      check_utf8(k, "a metadata key");
      check_utf8(v, "a metadata value");
      // Appended piece by piece: "a" + std::string&& trips g++ 12's -Wrestrict at -O3.
      if (!first) h += ',';
      h += json_quote(k);
      h += ':';
      h += json_quote(v);
      first = false;
    }
    h += "}";
    if (!order.empty()) h += ",";
  }
  std::uint64_t offset = 0;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const any_tensor& t = *order[k].second;
    if (k) h += ',';
    h += json_quote(*order[k].first);
    h += ":{\"dtype\":\"";
    h += st_name_of(t.type());
    h += "\",\"shape\":[";
    for (std::size_t r = 0; r < t.rank(); ++r) {
      if (r) h += ',';
      h += std::to_string(t.extent(r));
    }
    const std::uint64_t nbytes = static_cast<std::uint64_t>(t.size()) * itemsize(t);
    h += "],\"data_offsets\":[";
    h += std::to_string(offset);
    h += ',';
    h += std::to_string(offset + nbytes);
    h += "]}";
    offset += nbytes;
  }
  h += "}";
  h.append((8 - h.size() % 8) % 8, ' ');  // so that the data buffer starts 8-byte aligned
  bytes out;
  out.reserve(8 + h.size() + static_cast<std::size_t>(offset));
  append_le(out, static_cast<std::uint64_t>(h.size()));
  append(out, h);
  for (const auto& [name, t] : order)
    t->visit([&](const auto& x) { append_elements(out, x.data(), static_cast<std::size_t>(x.size())); });
  return out;
}

inline void write_safetensors(const std::filesystem::path& path, const tensor_map& tensors) {
  const std::string who = "tenet::io::write_safetensors";
  detail::write_file(path, encode_safetensors(tensors, who + ": " + detail::single_quoted(path.string())), who);
}

}  // namespace tenet::io
