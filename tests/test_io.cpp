// Weight files (tenet/io/): fixtures written by NumPy and by the safetensors package
// (tests/fixtures/io/make_fixtures.py; each value an affine function of its flat index, which
// the tests recompute here), round trips through every writer, the checked accessors of
// tensor_map, and malformed input: truncation at every byte, corrupted bytes, bad headers,
// bad JSON, bad offsets. Every malformed file must throw format_error and nothing else (the
// CI runs this under ASan and UBSan, which would catch a read past a buffer).
#include <doctest/doctest.h>

#include <tenet/core/permute.hpp>
#include <tenet/io.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace io = tenet::io;
using bytes = std::vector<std::byte>;
using idx = tenet::index;
using shape_t = std::vector<idx>;
using tenet::dtensor;

fs::path fixture(const std::string& name) {
  // The fixtures sit next to this file; CMake passes sources by absolute path.
  return fs::path(__FILE__).parent_path() / "fixtures" / "io" / name;
}

bytes file_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  REQUIRE_MESSAGE(f.good(), "missing fixture " << p.string() << " (tests/fixtures/io/make_fixtures.py writes it)");
  std::vector<char> c((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  bytes b(c.size());
  if (!c.empty()) std::memcpy(b.data(), c.data(), c.size());
  return b;
}

bytes to_bytes(std::string_view s) {
  bytes b(s.size());
  if (!s.empty()) std::memcpy(b.data(), s.data(), s.size());
  return b;
}

void put_le(bytes& b, std::uint64_t v, int n) {
  for (int k = 0; k < n; ++k) b.push_back(static_cast<std::byte>((v >> (8 * k)) & 0xFF));
}

// A fresh directory under the system's temporary directory, removed at the end.
struct temp_dir {
  fs::path path;
  temp_dir() {
    std::mt19937_64 g(static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
    path = fs::temp_directory_path() / ("tenet_test_io_" + std::to_string(g()));
    fs::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path operator/(const std::string& name) const { return path / name; }
};

template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL("threw another exception: " << e.what());
    return {};
  }
  FAIL("threw nothing");
  return {};
}
bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

// value[n] = n * scale + offset over the flat C-order index: how make_fixtures.py fills.
template <class T>
void check_linear(const io::any_tensor& t, io::dtype type, const shape_t& shape, double scale, double offset) {
  REQUIRE(t.type() == type);
  REQUIRE(t.shape() == shape);
  const auto& x = t.get<T>();
  bool ok = true;
  for (idx n = 0; n < x.size(); ++n) ok = ok && static_cast<double>(x.data()[n]) == static_cast<double>(n) * scale + offset;
  CHECK(ok);
}

// Exactly equal shapes and elements.
template <class T>
bool same(const dtensor<T>& a, const dtensor<T>& b) {
  if (a.shape() != b.shape()) return false;
  for (idx n = 0; n < a.size(); ++n)
    if (a.data()[n] != b.data()[n]) return false;
  return true;
}

template <class T>
dtensor<T> linear(const shape_t& shape, double scale, double offset) {
  dtensor<T> x{tenet::dyn_extents(std::span<const idx>(shape))};
  for (idx n = 0; n < x.size(); ++n) x.data()[n] = static_cast<T>(static_cast<double>(n) * scale + offset);
  return x;
}

// A .npy image from header text and data bytes (version 1.0 preamble).
bytes npy_image(std::string_view header, std::size_t data_bytes, int major = 1) {
  bytes b = to_bytes("\x93NUMPY");
  b.push_back(static_cast<std::byte>(major));
  b.push_back(std::byte{0});
  put_le(b, header.size(), major == 1 ? 2 : 4);
  const bytes h = to_bytes(header);
  b.insert(b.end(), h.begin(), h.end());
  b.resize(b.size() + data_bytes, std::byte{0x11});
  return b;
}

// A safetensors image from header JSON and a data buffer of n bytes.
bytes st_image(std::string_view json, std::size_t data_bytes) {
  bytes b;
  put_le(b, json.size(), 8);
  const bytes h = to_bytes(json);
  b.insert(b.end(), h.begin(), h.end());
  b.resize(b.size() + data_bytes, std::byte{0x11});
  return b;
}

}  // namespace

TEST_CASE("npy: NumPy's files, every dtype, ranks 0-4, versions 1.0-3.0, Fortran order, big-endian") {
  using io::dtype;
  check_linear<float>(io::read_npy(fixture("f4_3x4.npy")), dtype::f32, {3, 4}, 0.5, -2.0);
  check_linear<double>(io::read_npy(fixture("f8_2x3x4.npy")), dtype::f64, {2, 3, 4}, 0.25, -3.0);
  check_linear<double>(io::read_npy(fixture("f8_1x2x1x3.npy")), dtype::f64, {1, 2, 1, 3}, -1.5, 4.0);
  check_linear<double>(io::read_npy(fixture("f8_scalar.npy")), dtype::f64, {}, 0.0, 2.5);
  check_linear<float>(io::read_npy(fixture("f4_0x3.npy")), dtype::f32, {0, 3}, 0.0, 0.0);
  check_linear<std::int32_t>(io::read_npy(fixture("i4_5.npy")), dtype::i32, {5}, -3, 7);
  check_linear<std::int64_t>(io::read_npy(fixture("i8_2x2.npy")), dtype::i64, {2, 2}, 1099511627776.0, -5);
  check_linear<std::uint8_t>(io::read_npy(fixture("u1_6.npy")), dtype::u8, {6}, 40, 0);
  check_linear<double>(io::read_npy(fixture("f8_big_endian_3.npy")), dtype::f64, {3}, 1.0, 0.5);
  check_linear<float>(io::read_npy(fixture("f4_v2_2x2.npy")), dtype::f32, {2, 2}, 2.0, 1.0);
  check_linear<float>(io::read_npy(fixture("f4_v3_2x2.npy")), dtype::f32, {2, 2}, 2.0, 1.0);
  // Stored column-major, read as the same logical array: x[i, j, k] = 6 i + 2 j + k.
  const auto f = io::read_npy(fixture("f4_fortran_2x3x2.npy"));
  REQUIRE(f.shape() == shape_t{2, 3, 2});
  const auto& x = f.get<float>();
  bool ok = true;
  for (idx i = 0; i < 2; ++i)
    for (idx j = 0; j < 3; ++j)
      for (idx k = 0; k < 2; ++k) ok = ok && x(i, j, k) == static_cast<float>(6 * i + 2 * j + k);
  CHECK(ok);
  // The 16-bit float form widens to float32.
  const std::uint16_t half_bits[] = {0x3C00, 0xC100, 0x0001};  // 1, -2.5, 2^-24
  bytes img = npy_image("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }\n", 0);
  for (auto h : half_bits) put_le(img, h, 2);
  const auto hx = io::decode_npy(img).get<float>();
  CHECK(hx(0) == 1.0f);
  CHECK(hx(1) == -2.5f);
  CHECK(hx(2) == std::ldexp(1.0f, -24));
}

TEST_CASE("npy: the writer's bytes are NumPy's (header text, padding, data) for the fixtures") {
  CHECK(io::encode_npy(linear<float>({3, 4}, 0.5, -2.0)) == file_bytes(fixture("f4_3x4.npy")));
  CHECK(io::encode_npy(linear<double>({2, 3, 4}, 0.25, -3.0)) == file_bytes(fixture("f8_2x3x4.npy")));
  CHECK(io::encode_npy(linear<double>({1, 2, 1, 3}, -1.5, 4.0)) == file_bytes(fixture("f8_1x2x1x3.npy")));
  CHECK(io::encode_npy(linear<double>({}, 0.0, 2.5)) == file_bytes(fixture("f8_scalar.npy")));
  CHECK(io::encode_npy(linear<float>({0, 3}, 0, 0)) == file_bytes(fixture("f4_0x3.npy")));
  CHECK(io::encode_npy(linear<std::int32_t>({5}, -3, 7)) == file_bytes(fixture("i4_5.npy")));
  CHECK(io::encode_npy(linear<std::uint8_t>({6}, 40, 0)) == file_bytes(fixture("u1_6.npy")));
}

TEST_CASE("npz: np.savez archives (zip64 records too), one entry by name; np.savez_compressed is rejected") {
  for (const char* name : {"weights.npz", "weights_zip64.npz"}) {
    CAPTURE(name);
    const auto m = io::read_npz(fixture(name));
    CHECK(m.names() == std::vector<std::string>{"count", "scale", "stages.0.conv.bias", "stages.0.conv.weight"});
    check_linear<float>(m.at("stages.0.conv.weight"), io::dtype::f32, {2, 1, 3, 3}, 0.125, -1.0);
    check_linear<float>(m.at("stages.0.conv.bias"), io::dtype::f32, {2}, 1.0, 0.5);
    check_linear<double>(m.at("scale"), io::dtype::f64, {}, 0.0, 0.75);
    check_linear<std::int64_t>(m.at("count"), io::dtype::i64, {3}, 10, -10);
    check_linear<float>(io::read_npz(fixture(name), "stages.0.conv.bias"), io::dtype::f32, {2}, 1.0, 0.5);
    const auto msg = message_of<tenet::format_error>([&] { io::read_npz(fixture(name), "nope"); });
    CHECK(contains(msg, "no array named 'nope'"));
    CHECK(contains(msg, "'stages.0.conv.bias'"));
  }
  const auto msg = message_of<tenet::format_error>([] { io::read_npz(fixture("compressed.npz")); });
  CHECK(contains(msg, "compressed .npz is not supported; save with np.savez"));
  CHECK(contains(msg, "compressed.npz"));
  CHECK_THROWS_AS(io::read_npz(fixture("compressed.npz"), "scale"), tenet::format_error);
}

TEST_CASE("safetensors: the package's file, every dtype (F16 widened), metadata, empty and scalar tensors") {
  const auto m = io::read_safetensors(fixture("weights.safetensors"));
  CHECK(m.size() == 9);
  check_linear<float>(m.at("stages.0.conv.weight"), io::dtype::f32, {2, 3}, 0.5, -1.0);
  check_linear<float>(m.at("stages.0.conv.bias"), io::dtype::f32, {3}, -2.0, 3.0);
  check_linear<double>(m.at("d"), io::dtype::f64, {2, 2, 2}, 0.25, -1.0);
  check_linear<float>(m.at("h"), io::dtype::f32, {4}, 0.5, -1.0);
  check_linear<std::int32_t>(m.at("i"), io::dtype::i32, {3}, -7, 3);
  check_linear<std::int64_t>(m.at("l"), io::dtype::i64, {2}, 8589934592.0, 1);
  check_linear<std::uint8_t>(m.at("u"), io::dtype::u8, {5}, 50, 5);
  check_linear<float>(m.at("z"), io::dtype::f32, {0, 4}, 0, 0);
  check_linear<float>(m.at("s"), io::dtype::f32, {}, 0, -4.5);
  CHECK(m.metadata() == std::map<std::string, std::string>{{"format", "np"}, {"note", "tenet fixture \xc3\xbc"}});
}

TEST_CASE("F16 and BF16 to float: all 65536 bit patterns against their definitions") {
  // F16: 1 sign, 5 exponent (bias 15), 10 mantissa bits; BF16: 1, 8 (bias 127), 7.
  auto reference = [](std::uint32_t h, int ebits, int mbits) {
    const int bias = (1 << (ebits - 1)) - 1;
    const std::uint32_t e = (h >> mbits) & ((1u << ebits) - 1), m = h & ((1u << mbits) - 1);
    const double sign = (h >> (ebits + mbits)) ? -1.0 : 1.0;
    if (e == (1u << ebits) - 1) return m ? std::nan("") : sign * INFINITY;
    if (e == 0) return sign * std::ldexp(static_cast<double>(m), 1 - bias - mbits);
    return sign * std::ldexp(static_cast<double>(m + (1u << mbits)), static_cast<int>(e) - bias - mbits);
  };
  int bad = 0;
  for (std::uint32_t h = 0; h < 65536; ++h) {
    const auto b = static_cast<std::uint16_t>(h);
    const double want16 = reference(h, 5, 10), wantb = reference(h, 8, 7);
    const float got16 = io::detail::f16_to_float(b), gotb = io::detail::bf16_to_float(b);
    bad += std::isnan(want16) ? !std::isnan(got16) : (static_cast<double>(got16) != want16 || std::signbit(got16) != std::signbit(want16));
    bad += std::isnan(wantb) ? !std::isnan(gotb) : (static_cast<double>(gotb) != wantb || std::signbit(gotb) != std::signbit(wantb));
  }
  CHECK(bad == 0);
  // And through a file: BF16 entries widen to float32.
  bytes img = st_image(R"({"b":{"dtype":"BF16","shape":[3],"data_offsets":[0,6]}})", 0);
  for (std::uint16_t h : {std::uint16_t{0x3F80}, std::uint16_t{0xC000}, std::uint16_t{0x3EA0}}) put_le(img, h, 2);
  const auto b = io::decode_safetensors(img).get<float>("b", {3});
  CHECK(b(0) == 1.0f);
  CHECK(b(1) == -2.0f);
  CHECK(b(2) == 0.3125f);
}

TEST_CASE("round trips through files: float and double, ranks 0-4, extents 1 and 0, strided views") {
  const temp_dir dir;
  const std::vector<shape_t> shapes = {{}, {1}, {5}, {0}, {2, 3}, {3, 0}, {1, 1}, {2, 1, 3}, {2, 3, 1, 2}, {1, 0, 2, 1}};
  io::tensor_map m;
  for (std::size_t s = 0; s < shapes.size(); ++s) {
    CAPTURE(s);
    const auto f = linear<float>(shapes[s], 0.75, -1.0 - static_cast<double>(s));
    const auto d = linear<double>(shapes[s], -0.125, 2.0 + static_cast<double>(s));
    io::write_npy(dir / "f.npy", f);
    io::write_npy(dir / "d.npy", d);
    CHECK(same(io::read_npy(dir / "f.npy").get<float>(), f));
    CHECK(same(io::read_npy(dir / "d.npy").get<double>(), d));
    m.set("f" + std::to_string(s), f);
    m.set("stages." + std::to_string(s) + ".d", d);
  }
  m.set("i", linear<std::int32_t>({3}, -5, 2));
  m.set("l", linear<std::int64_t>({2}, 4294967296.0, -1));
  m.set("u", linear<std::uint8_t>({4}, 60, 3));
  m.metadata() = {{"format", "pt"}, {"q\"uo\\te", "line\nbreak \xe2\x82\xac"}};
  io::write_npz(dir / "m.npz", m);
  io::write_safetensors(dir / "m.safetensors", m);
  const auto a = io::read_npz(dir / "m.npz");
  const auto b = io::read_safetensors(dir / "m.safetensors");
  CHECK(a.names() == m.names());
  CHECK(b.names() == m.names());
  CHECK(a.metadata().empty());
  CHECK(b.metadata() == m.metadata());
  for (const auto& entry : m) {  // no structured binding: clang 14 cannot capture one
    const auto& name = entry.first;
    const auto& t = entry.second;
    CAPTURE(name);
    for (const io::tensor_map* r : {&a, &b}) {
      const auto& u = r->at(name);
      REQUIRE(u.type() == t.type());
      t.visit([&](const auto& x) {
        using T = typename std::decay_t<decltype(x)>::value_type;
        CHECK(same(u.get<T>(), x));
      });
    }
  }
  // A transposed view is written in its own row-major order: the file holds x^T.
  const auto x = linear<double>({2, 3}, 1.0, 0.0);
  io::write_npy(dir / "t.npy", tenet::permute<1, 0>(x));
  const auto t = io::read_npy(dir / "t.npy").get<double>();
  REQUIRE(t.shape() == shape_t{3, 2});
  bool ok = true;
  for (idx i = 0; i < 3; ++i)
    for (idx j = 0; j < 2; ++j) ok = ok && t(i, j) == x(j, i);
  CHECK(ok);
  // The same tensors give the same bytes (fixed zip timestamps, deterministic order).
  CHECK(io::encode_npz(m) == file_bytes(dir / "m.npz"));
  CHECK(io::encode_safetensors(m) == file_bytes(dir / "m.safetensors"));
}

TEST_CASE("safetensors writer: data aligned to its element size; reserved and invalid names rejected") {
  io::tensor_map m;
  m.set("a", linear<std::uint8_t>({3}, 1, 0));
  m.set("b", linear<float>({1}, 0, 1));
  m.set("c", linear<double>({2}, 1, 0));
  const auto img = io::encode_safetensors(m);
  REQUIRE(img.size() >= 8);
  std::uint64_t n = 0;
  for (int k = 0; k < 8; ++k) n |= static_cast<std::uint64_t>(img[static_cast<std::size_t>(k)]) << (8 * k);
  CHECK((8 + n) % 8 == 0);
  const std::string header(reinterpret_cast<const char*>(img.data() + 8), n);
  // Largest elements first: c (F64) at 0, b (F32) at 16, a (U8) at 20.
  CHECK(contains(header, R"("c":{"dtype":"F64","shape":[2],"data_offsets":[0,16]})"));
  CHECK(contains(header, R"("b":{"dtype":"F32","shape":[1],"data_offsets":[16,20]})"));
  CHECK(contains(header, R"("a":{"dtype":"U8","shape":[3],"data_offsets":[20,23]})"));
  io::tensor_map bad;
  bad.set("__metadata__", linear<float>({1}, 0, 0));
  CHECK(contains(message_of<tenet::format_error>([&] { io::encode_safetensors(bad); }), "__metadata__"));
  io::tensor_map bad2;
  bad2.set("\xff", linear<float>({1}, 0, 0));
  CHECK(contains(message_of<tenet::format_error>([&] { io::encode_safetensors(bad2); }), "UTF-8"));
}

TEST_CASE("tensor_map: get<T>(name, shape) converts and checks; load into tensors; missing names") {
  const auto m = io::read_safetensors(fixture("weights.safetensors"));
  const auto w = m.get<double>("stages.0.conv.weight", {2, 3});  // F32 in the file
  REQUIRE(w.shape() == shape_t{2, 3});
  for (idx n = 0; n < 6; ++n) CHECK(w.data()[n] == 0.5 * static_cast<double>(n) - 1.0);
  const auto msg = message_of<tenet::shape_error>([&] { m.get<float>("stages.0.conv.weight", {3, 2}); });
  CHECK(contains(msg, "'stages.0.conv.weight'"));
  CHECK(contains(msg, "(2, 3)"));
  CHECK(contains(msg, "(3, 2)"));
  CHECK_THROWS_AS(m.get<float>("s", {1}), tenet::shape_error);  // rank 0 is not (1,)
  CHECK(m.get<float>("s", {})() == -4.5f);
  const shape_t want{3};
  CHECK(m.get<float>("i", std::span<const idx>(want))(2) == -11.0f);  // integers widen to float
  // load: the destination's own shape is the expected one, static or dynamic.
  tenet::tensor<float, 2, 3> s;
  m.load("stages.0.conv.weight", s);
  CHECK(s(1, 2) == 1.5f);
  tenet::tensor<float, 3, 2> wrong;
  CHECK(contains(message_of<tenet::shape_error>([&] { m.load("stages.0.conv.weight", wrong); }), "(3, 2)"));
  dtensor<double> d{2, 2, 2};
  m.load("d", d);
  CHECK(d(1, 1, 1) == 0.75);
  // Names: a missing one lists those present.
  const auto miss = message_of<tenet::format_error>([&] { m.at("stages.0.conv.wieght"); });
  CHECK(contains(miss, "no tensor named 'stages.0.conv.wieght'"));
  CHECK(contains(miss, "'stages.0.conv.weight'"));
  CHECK_THROWS_AS(m.get<float>("nope", {1}), tenet::format_error);
  // get<T>() on the held tensor is exact; as<T>() converts.
  CHECK_THROWS_AS(m.at("d").get<float>(), tenet::format_error);
  CHECK(m.at("d").as<float>()(0, 0, 1) == -0.75f);
}

TEST_CASE("conversions: integers only to integers that hold every value; floats not to integers") {
  io::tensor_map m;
  m.set("l", linear<std::int64_t>({3}, 150, 0));  // 0, 150, 300
  m.set("f", linear<float>({2}, 1, 0));
  CHECK(m.get<std::int32_t>("l")(2) == 300);
  CHECK_THROWS_AS(m.get<std::uint8_t>("l", {3}), tenet::format_error);
  m.set("l2", linear<std::int64_t>({2}, 255, 0));  // 0, 255: both fit
  CHECK(m.get<std::uint8_t>("l2")(1) == 255);
  CHECK(contains(message_of<tenet::format_error>([&] { m.get<std::uint8_t>("l"); }), "element 2 (300) does not fit in uint8"));
  m.set("l", linear<std::int64_t>({3}, -1, 0));
  CHECK(contains(message_of<tenet::format_error>([&] { m.get<std::uint8_t>("l"); }), "element 1 (-1)"));
  CHECK(contains(message_of<tenet::format_error>([&] { m.get<std::int64_t>("f"); }), "cannot convert float32 to int64"));
  CHECK(m.get<double>("f")(1) == 1.0);
  CHECK(m.erase("f"));
  CHECK(!m.erase("f"));
  CHECK(!m.contains("f"));
}

TEST_CASE("malformed: every truncation of a valid file throws format_error") {
  const std::vector<std::pair<std::string, bytes>> files = {
      {"npy", file_bytes(fixture("f4_3x4.npy"))},
      {"npy v2", file_bytes(fixture("f4_v2_2x2.npy"))},
      {"npz", file_bytes(fixture("weights.npz"))},
      {"npz zip64", file_bytes(fixture("weights_zip64.npz"))},
      {"safetensors", file_bytes(fixture("weights.safetensors"))},
  };
  for (const auto& file : files) {
    const std::string& kind = file.first;
    const bytes& f = file.second;
    CAPTURE(kind);
    std::size_t failures = 0, first = f.size();
    for (std::size_t len = 0; len < f.size(); ++len) {
      const std::span<const std::byte> cut(f.data(), len);
      try {
        if (kind.starts_with("npy")) io::decode_npy(cut);
        else if (kind.starts_with("npz")) io::decode_npz(cut);
        else io::decode_safetensors(cut);
        ++failures;  // decoded a truncated file
      } catch (const tenet::format_error&) {
        continue;
      }
      first = std::min(first, len);
    }
    CAPTURE(first);
    CHECK(failures == 0);
  }
  CHECK(contains(message_of<tenet::format_error>([] { io::decode_npy(bytes(5)); }), "truncated"));
}

TEST_CASE("malformed: every corrupted byte either decodes or throws format_error; length fields always throw") {
  // Under ASan/UBSan this is the check that no corruption makes a reader overrun a buffer.
  const std::vector<std::pair<std::string, bytes>> files = {
      {"npy", file_bytes(fixture("f8_1x2x1x3.npy"))},
      {"npz", file_bytes(fixture("weights_zip64.npz"))},
      {"safetensors", file_bytes(fixture("weights.safetensors"))},
  };
  for (const auto& file : files) {
    const std::string& kind = file.first;
    const bytes& f = file.second;
    CAPTURE(kind);
    std::size_t other = 0;
    for (std::size_t at = 0; at < f.size(); ++at)
      for (unsigned flip : {0x01u, 0xFFu}) {
        bytes g = f;
        g[at] ^= static_cast<std::byte>(flip);
        try {
          if (kind == "npy") io::decode_npy(g);
          else if (kind == "npz") io::decode_npz(g);
          else io::decode_safetensors(g);
        } catch (const tenet::format_error&) {
        } catch (...) {
          ++other;
        }
      }
    CHECK(other == 0);
  }
  // The header length fields: npy bytes 8-9, safetensors bytes 0-7.
  const bytes npy = file_bytes(fixture("f4_3x4.npy")), st = file_bytes(fixture("weights.safetensors"));
  for (unsigned flip : {0x01u, 0x02u, 0x10u, 0x80u, 0xFFu}) {
    CAPTURE(flip);
    for (std::size_t at : {8u, 9u}) {
      bytes g = npy;
      g[at] ^= static_cast<std::byte>(flip);
      CHECK_THROWS_AS(io::decode_npy(g), tenet::format_error);
    }
    for (std::size_t at = 0; at < 8; ++at) {
      bytes g = st;
      g[at] ^= static_cast<std::byte>(flip);
      CHECK_THROWS_AS(io::decode_safetensors(g), tenet::format_error);
    }
  }
}

TEST_CASE("malformed npy: magic, version, header syntax, keys, dtypes, shapes, data length") {
  const std::string ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n";
  CHECK(io::decode_npy(npy_image(ok, 24)).shape() == shape_t{2, 3});
  CHECK(io::decode_npy(npy_image(ok, 24, 2)).shape() == shape_t{2, 3});
  CHECK(io::decode_npy(npy_image("{\"shape\":(2,3),\"descr\":\"<f4\",\"fortran_order\":False}", 24)).shape() == shape_t{2, 3});
  auto npy_error = [](const bytes& b) { return message_of<tenet::format_error>([&] { io::decode_npy(b); }); };
  bytes magic = npy_image(ok, 24);
  magic[1] = std::byte{'M'};
  CHECK(contains(npy_error(magic), "bad magic"));
  CHECK(contains(npy_error(npy_image(ok, 24, 4)), "version 4.0"));
  bytes minor = npy_image(ok, 24);
  minor[7] = std::byte{1};
  CHECK(contains(npy_error(minor), "version 1.1"));
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"{'descr': '<f4', 'fortran_order': False}", "missing key 'shape'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", "unknown key 'x'"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", "duplicate key 'descr'"},
      {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2, 3)}", "structured dtypes"},
      {"{'descr': '<c8', 'fortran_order': False, 'shape': (2, 3)}", "dtype '<c8' is not supported"},
      {"{'descr': 'O', 'fortran_order': False, 'shape': (2, 3)}", "dtype 'O' is not supported"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3)}", "expected True or False"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (6)}", "(n,), with a comma"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}", "expected a non-negative integer"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (02, 3)}", "leading zero"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2; 3)}", "expected ',' or ')'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", "extent too large"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (20000000000000000000,)}", "extent too large"},  // 2^64 + 1.6e18
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775808,)}", "extent too large"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807,)}", "too many bytes"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296)}", "too many elements"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} x", "unexpected text after the dict"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)", "expected ',' or '}'"},
      {"{'descr': '<f4\\n', 'fortran_order': False, 'shape': (2, 3)}", "escapes"},
      {"{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3)}", "expected ',' or '}' at byte 17"},
      {"{'descr': '<f\xc3\xa4" "4', 'fortran_order': False, 'shape': (2, 3)}", "not printable ASCII"},
      {"['descr', '<f4']", "expected '{'"},
      {"", "expected '{'"},
  };
  for (const auto& hw : headers) {
    CAPTURE(hw.first);
    const auto msg = npy_error(npy_image(hw.first, 24));
    CHECK(contains(msg, hw.second));
    CHECK(contains(msg, "tenet::io::decode_npy"));
  }
  CHECK(contains(npy_error(npy_image(ok, 23)), "the data has 23 bytes but shape (2, 3) of <f4 needs 24 (truncated)"));
  CHECK(contains(npy_error(npy_image(ok, 25)), "the data has 25 bytes"));
  bytes past = npy_image(ok, 0);
  past[8] = std::byte{0xFF};
  CHECK(contains(npy_error(past), "ends past the file"));
  std::string deep = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (int r = 0; r < 65; ++r) deep += "1, ";
  CHECK(contains(npy_error(npy_image(deep + ")}", 4)), "more than 64 dimensions"));
  // A file that cannot be opened is a plain tenet::error, not a format error.
  const auto msg = message_of<tenet::error>([] { io::read_npy("/nonexistent/tenet/x.npy"); });
  CHECK(contains(msg, "cannot open '/nonexistent/tenet/x.npy'"));
  CHECK_THROWS_AS(io::write_npy("/nonexistent/tenet/x.npy", linear<float>({1}, 0, 0)), tenet::error);
}

TEST_CASE("malformed safetensors: bad JSON, keys, dtypes, shapes, offsets out of range, overlaps, gaps") {
  auto st_error = [](const std::string& json, std::size_t n) {
    return message_of<tenet::format_error>([&] { io::decode_safetensors(st_image(json, n)); });
  };
  const std::string a = R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  CHECK(io::decode_safetensors(st_image("{" + a + "}   ", 8)).get<float>("a", {2})(0) != 0.0f);
  CHECK(io::decode_safetensors(st_image("{}", 0)).empty());
  const std::vector<std::tuple<std::string, std::size_t, std::string>> cases = {
      // JSON syntax
      {"{" + a + ",}", 8, "invalid JSON: expected a string key"},
      {"{" + a, 8, "expected ',' or '}'"},
      {R"({"a":{"dtype":"F32","shape":[2,],"data_offsets":[0,8]}})", 8, "expected a value"},
      {R"({"a":{"dtype":"F32,"shape":[2],"data_offsets":[0,8]}})", 8, "expected ',' or '}'"},
      {R"({"a":{"dtype":"F32","shape":[02],"data_offsets":[0,8]}})", 8, "leading zero"},
      {R"({"a\q":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 8, "unknown escape"},
      {R"({"a\ud800":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 8, "high surrogate without a low one"},
      {R"({"a\udc00":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 8, "lone low surrogate"},
      {"{\"a\xc0\xaf\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "invalid UTF-8"},
      {"{\"a\tb\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "control character"},
      {"{" + a + "," + a + "}", 8, "duplicate key \"a\""},
      {"{" + a + "} x", 8, "unexpected text after the JSON value"},
      {"{" + a + "}" + std::string(1, '\0'), 8, "unexpected text after the JSON value"},
      {R"({"a":{"dtype":"F32","shape":[[[[[[[[[2]]]]]]]]],"data_offsets":[0,8]}})", 8, "nesting deeper than 8"},
      {"x", 0, "does not start with '{'"},
      // structure
      {R"({"a":[1,2]})", 0, "tensor 'a' is an array, not an object"},
      {R"({"a":{"dtype":"F32","shape":[2]}})", 8, "missing key 'data_offsets'"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}})", 8, "unknown key 'x'"},
      {R"({"a":{"dtype":"C64","shape":[2],"data_offsets":[0,8]}})", 8, "dtype 'C64' is not supported"},
      {R"({"a":{"dtype":"I16","shape":[2],"data_offsets":[0,4]}})", 4, "dtype 'I16' is not supported"},
      {R"({"a":{"dtype":32,"shape":[2],"data_offsets":[0,8]}})", 8, "dtype is a number, not a string"},
      {R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8, "not a non-negative integer"},
      {R"({"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})", 8, "not a non-negative integer"},
      {R"({"a":{"dtype":"F32","shape":[2e0],"data_offsets":[0,8]}})", 8, "not a non-negative integer"},
      {R"({"a":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8]}})", 8, "not a non-negative integer"},
      {R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", 8, "too many elements"},
      {R"({"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}})", 8, "shape is a number, not an array"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", 8, "data_offsets must be [begin, end]"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,16]}})", 16, "data_offsets must be [begin, end]"},
      {R"({"__metadata__":{"k":1}})", 0, "__metadata__ value of 'k' is a number"},
      {R"({"__metadata__":[]})", 0, "__metadata__ is an array"},
      // offsets
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 7, "reach past the data buffer of 7 bytes"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", 8, "end before they begin"},
      {R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8, "span 8 bytes but shape (3,) of F32 needs 12"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
       12, "overlap"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}})",
       8, "overlap"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12, "bytes [0, 4) of the data buffer belong to no tensor"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 9, "the data buffer has 9 bytes but the tensors end at 8"},
  };
  for (const auto& c : cases) {
    const std::string& json = std::get<0>(c);
    CAPTURE(json);
    const auto msg = st_error(json, std::get<1>(c));
    CHECK(contains(msg, std::get<2>(c)));
    CHECK(contains(msg, "tenet::io::decode_safetensors"));
  }
  // The header length limit, before anything is allocated.
  bytes huge;
  put_le(huge, std::uint64_t{1} << 40, 8);
  CHECK(contains(message_of<tenet::format_error>([&] { io::decode_safetensors(huge); }), "exceeds the limit"));
}

TEST_CASE("malformed npz: directory offsets, overlapping and duplicate entries, non-.npy entries, encryption") {
  auto npz_error = [](const bytes& b) { return message_of<tenet::format_error>([&] { io::decode_npz(b); }); };
  const bytes npy = io::encode_npy(linear<float>({2}, 1, 0));
  {
    io::detail::zip_writer w("w");
    w.add("a.npy", npy);
    w.add("a.npy", npy);
    CHECK(contains(npz_error(std::move(w).finish()), "the array name 'a' appears twice"));
  }
  {
    io::detail::zip_writer w("w");
    w.add("a.txt", npy);
    CHECK(contains(npz_error(std::move(w).finish()), "entry 'a.txt' is not a .npy array"));
  }
  {
    io::detail::zip_writer w("w");
    w.add("a.npy", to_bytes("not an npy file"));
    CHECK(contains(npz_error(std::move(w).finish()), "entry 'a.npy': not a .npy file"));
  }
  io::tensor_map m;
  m.set("a", linear<float>({2}, 1, 0));
  m.set("b", linear<float>({3}, 1, 0));
  const bytes good = io::encode_npz(m);
  REQUIRE(io::decode_npz(good).size() == 2);
  // Field positions: the end record is the last 22 bytes; the central directory follows the
  // two local entries (30 + 5 name bytes + the .npy each).
  const std::size_t eocd = good.size() - 22;
  auto patch32 = [](bytes b, std::size_t at, std::uint32_t v) {
    for (int k = 0; k < 4; ++k) b[at + static_cast<std::size_t>(k)] = static_cast<std::byte>((v >> (8 * k)) & 0xFF);
    return b;
  };
  auto patch16 = [](bytes b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::byte>(v & 0xFF);
    b[at + 1] = static_cast<std::byte>(v >> 8);
    return b;
  };
  const std::size_t entry_b = 30 + 5 + npy.size();
  const std::size_t cd = entry_b + 30 + 5 + io::encode_npy(linear<float>({3}, 1, 0)).size();
  CHECK(contains(npz_error(patch32(good, eocd + 16, static_cast<std::uint32_t>(good.size()))), "extends past its end record"));
  CHECK(contains(npz_error(patch32(good, eocd + 12, 0xFFFFFFF0u)), "extends past its end record"));
  CHECK(contains(npz_error(patch16(patch16(good, eocd + 8, 200), eocd + 10, 200)), "cannot fit"));
  CHECK(contains(npz_error(patch16(good, eocd + 10, 0xFFFF)), "no zip64 end record locator"));
  CHECK(contains(npz_error(patch16(good, eocd + 20, 1)), "no end of central directory record"));
  // The second central entry (after the first: 46 + 5 bytes) points at the first local header.
  const std::size_t cd_b = cd + 46 + 5;
  CHECK(contains(npz_error(patch32(good, cd_b + 42, 0)), "the local header names a different entry"));
  CHECK(contains(npz_error(patch32(good, cd_b + 42, static_cast<std::uint32_t>(cd))), "is not before the central directory"));
  CHECK(contains(npz_error(patch32(good, cd + 20, 1u << 20)), "disagree"));
  CHECK(contains(npz_error(patch16(good, cd + 8, 1)), "encrypted"));
  CHECK(contains(npz_error(patch16(good, cd + 10, 8)), "different methods"));
  CHECK(contains(npz_error(patch16(patch16(good, cd + 10, 12), 8, 12)), "compression method 12"));
  CHECK(contains(npz_error(patch16(good, cd + 32, 0xFFFF)), "overrun the central directory"));
  CHECK(contains(npz_error(patch16(good, cd + 30, 3)), "truncated extra field"));
  // A changed data byte fails the CRC-32 check (a's data follows its 35-byte local header
  // and the 64-byte .npy header).
  bytes crc = good;
  crc[35 + 64 + 1] ^= std::byte{0x01};
  CHECK(contains(npz_error(crc), "entry 'a.npy': CRC-32 mismatch"));
  CHECK(contains(npz_error(patch32(good, cd_b, 0)), "bad signature"));
  // Entry b's local header moved onto a's data: the two overlap (names kept consistent).
  bytes overlap = good;
  std::copy(good.begin() + static_cast<std::ptrdiff_t>(entry_b), good.begin() + static_cast<std::ptrdiff_t>(entry_b + 35),
            overlap.begin() + 40);
  CHECK(contains(npz_error(patch32(overlap, cd_b + 42, 40)), "overlap"));
}

TEST_CASE("json: the strict parser, escapes to UTF-8, numbers kept as text, limits") {
  using io::detail::json_parser;
  using io::detail::json_value;
  const auto v = json_parser(R"( {"k": [true, false, null, -1.5e3, "a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"], "e": {}} )", "t").parse();
  REQUIRE(v.is(json_value::kind::object));
  REQUIRE(v.keys == std::vector<std::string>{"k", "e"});
  const auto& arr = v.items[0].items;
  REQUIRE(arr.size() == 5);
  CHECK((arr[0].is(json_value::kind::boolean) && arr[0].boolean));
  CHECK((arr[1].is(json_value::kind::boolean) && !arr[1].boolean));
  CHECK(arr[2].is(json_value::kind::null));
  CHECK(arr[3].text == "-1.5e3");
  CHECK(arr[4].text == "a\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
  CHECK(v.items[1].is(json_value::kind::object));
  idx n = 0;
  CHECK(!io::detail::json_as_index(arr[3], n));
  CHECK(io::detail::json_as_index(json_parser("9223372036854775807", "t").parse(), n));
  CHECK(n == 9223372036854775807);
  CHECK(!io::detail::json_as_index(json_parser("9223372036854775808", "t").parse(), n));
  CHECK(!io::detail::json_as_index(json_parser("20000000000000000000", "t").parse(), n));  // wraps to < 2^63
  for (const char* bad : {"", "[", "[1,]", "{\"a\"}", "01", "1.", "-", "1e", "tru", "\"\\u12\"", "\"\\x\"", "[1 2]", "'a'",
                          "{\"a\":1,\"a\":2}", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xe0\x80\xaf\"", "nul"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(json_parser(bad, "t").parse(), tenet::format_error);
  }
  std::string deep(64, '[');
  deep += std::string(64, ']');
  CHECK_NOTHROW(json_parser(deep, "t").parse());
  CHECK(contains(message_of<tenet::format_error>([&] { json_parser("[" + deep + "]", "t").parse(); }), "nesting deeper than 64"));
  // The value limit (safetensors allows 2^20; a small one here keeps the test fast).
  const io::detail::json_limits small{8, 5};
  CHECK_NOTHROW(json_parser("[1, [2, 3]]", "t", small).parse());  // 5 values, arrays included
  CHECK(contains(message_of<tenet::format_error>([&] { json_parser("[1, [2, 3], 4]", "t", small).parse(); }),
                 "more than 5 values"));
  CHECK(io::detail::json_quote("a\"\\\n\x01\xc3\xa9") == "\"a\\\"\\\\\\u000a\\u0001\xc3\xa9\"");
}
