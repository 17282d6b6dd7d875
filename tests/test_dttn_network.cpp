// The image DTTN (MATH.md 1.1): one image AIM block against explicit double loops (both
// variants, Hc = C and 3C, float and double, seq and par); the whole network against PyTorch
// (fixtures by scripts/dttn_torch.py: tiny networks of both variants, their float64 outputs);
// parameter counts against a hand formula; loading and saving weights, and their errors.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <tenet/core/permute.hpp>
#include <tenet/io/safetensors.hpp>
#include <tenet/models/dttn/image_block.hpp>
#include <tenet/models/dttn/image_network.hpp>
#include <tenet/models/dttn/image_weights.hpp>
#include <tenet/models/dttn/network_config.hpp>

namespace {

using ix = tenet::index;
using tenet::aim_variant;
using tenet::dtensor;
namespace io = tenet::io;
namespace fs = std::filesystem;

template <class T>
std::vector<double> as_double(const dtensor<T>& t) {
  return std::vector<double>(t.data(), t.data() + t.size());
}

// The block by its definition (MATH.md 1.1), in double, over flat NCHW arrays.
template <class T>
std::vector<double> ref_block(const tenet::image_aim_block<T>& blk, const std::vector<double>& x, ix N, ix H, ix W) {
  const ix C = blk.channels(), Hc = blk.hidden(), HW = H * W;
  const auto l1w = as_double(blk.l1_w), l1b = as_double(blk.l1_b), l2w = as_double(blk.l2_w), l2b = as_double(blk.l2_b);
  const auto r1w = as_double(blk.r1_w), r1b = as_double(blk.r1_b), r2w = as_double(blk.r2_w), r2b = as_double(blk.r2_b);
  const auto pw = as_double(blk.p_w), pb = as_double(blk.p_b);
  // 3x3, padding 1, one input plane per output plane.
  auto conv3 = [&](const std::vector<double>& in, ix cin, ix cout, const std::vector<double>& w,
                   const std::vector<double>& b) {
    std::vector<double> out(static_cast<std::size_t>(N * cout * HW));
    for (ix n = 0; n < N; ++n)
      for (ix o = 0; o < cout; ++o) {
        const ix ic = o * cin / cout;  // the input channel of o's group
        for (ix h = 0; h < H; ++h)
          for (ix v = 0; v < W; ++v) {
            double s = b[o];
            for (ix kh = 0; kh < 3; ++kh)
              for (ix kw = 0; kw < 3; ++kw) {
                const ix hh = h + kh - 1, vv = v + kw - 1;
                if (hh < 0 || hh >= H || vv < 0 || vv >= W) continue;
                s += w[o * 9 + kh * 3 + kw] * in[(n * cin + ic) * HW + hh * W + vv];
              }
            out[(n * cout + o) * HW + h * W + v] = s;
          }
      }
    return out;
  };
  auto conv1 = [&](const std::vector<double>& in, ix cin, ix cout, const std::vector<double>& w,
                   const std::vector<double>& b) {
    std::vector<double> out(static_cast<std::size_t>(N * cout * HW));
    for (ix n = 0; n < N; ++n)
      for (ix o = 0; o < cout; ++o)
        for (ix q = 0; q < HW; ++q) {
          double s = b[o];
          for (ix i = 0; i < cin; ++i) s += w[o * cin + i] * in[(n * cin + i) * HW + q];
          out[(n * cout + o) * HW + q] = s;
        }
    return out;
  };
  auto affine = [&](std::vector<double>& v, ix c, const dtensor<T>& s, const dtensor<T>& t) {
    for (ix n = 0; n < N; ++n)
      for (ix k = 0; k < c; ++k)
        for (ix q = 0; q < HW; ++q) {
          double& e = v[(n * c + k) * HW + q];
          e = e * static_cast<double>(s.data()[k]) + static_cast<double>(t.data()[k]);
        }
  };
  std::vector<double> u = conv1(conv3(x, C, Hc, l1w, l1b), Hc, Hc, l2w, l2b);
  std::vector<double> w = conv3(conv1(x, C, Hc, r1w, r1b), Hc, Hc, r2w, r2b);
  if (blk.variant() == aim_variant::dttn) {
    affine(u, Hc, blk.n1_scale, blk.n1_shift);
    affine(w, Hc, blk.n2_scale, blk.n2_shift);
  }
  std::vector<double> p(u.size());
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = u[i] * w[i];
  if (blk.variant() == aim_variant::dttn_dagger)
    for (ix n = 0; n < N; ++n)
      for (ix q = 0; q < HW; ++q) {
        double mu = 0, var = 0;
        for (ix k = 0; k < Hc; ++k) mu += p[(n * Hc + k) * HW + q];
        mu /= static_cast<double>(Hc);
        for (ix k = 0; k < Hc; ++k) var += (p[(n * Hc + k) * HW + q] - mu) * (p[(n * Hc + k) * HW + q] - mu);
        var /= static_cast<double>(Hc);
        for (ix k = 0; k < Hc; ++k) {
          double& e = p[(n * Hc + k) * HW + q];
          e = (e - mu) / std::sqrt(var + 1e-6) * static_cast<double>(blk.ln_w.data()[k]) +
              static_cast<double>(blk.ln_b.data()[k]);
        }
      }
  std::vector<double> z = conv1(p, Hc, C, pw, pb);
  affine(z, C, blk.n3_scale, blk.n3_shift);
  std::vector<double> y(x.size());
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = x[i] + static_cast<double>(blk.alpha.data()[0]) * z[i];
  return y;
}

double max_rel(const std::vector<double>& ref, const double* got) {
  double d = 0, m = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    d = std::max(d, std::abs(got[i] - ref[i]));
    m = std::max(m, std::abs(ref[i]));
  }
  return d / m;
}
template <class T>
double max_rel(const std::vector<double>& ref, const dtensor<T>& got) {
  const auto g = as_double(got);
  return max_rel(ref, g.data());
}

// Every parameter random, the norms and alpha away from the identity.
template <class T>
void randomize(tenet::image_aim_block<T>& blk, std::uint64_t seed) {
  blk.for_each_param([&](const std::string& name, dtensor<T>& t) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    if (name.ends_with("scale") || name == "norm.weight")
      t.fill_random(seed, 0.6, 1.4);
    else if (name == "alpha")
      t.fill_random(seed, 0.3, 0.9);
    else
      t.fill_random(seed, -0.6, 0.6);
  });
}

// The fixtures sit next to this file; CMake passes sources by absolute path.
fs::path fixture(const std::string& name) { return fs::path(__FILE__).parent_path() / "fixtures" / "dttn" / name; }

io::tensor_map read_fixture(const std::string& name) {
  const fs::path p = fixture(name);
  REQUIRE_MESSAGE(fs::exists(p), "missing fixture " << p.string() << " (scripts/dttn_torch.py fixtures writes it)");
  return io::read_safetensors(p);
}

// The configuration of scripts/dttn_torch.py's fixtures.
tenet::dttn_config tiny(aim_variant v) { return tenet::dttn_config{{2, 2, 2, 2}, {8, 8, 12, 16}, 10, v}; }

// The hand count: stem, downsampling, blocks, head (every conv and the head with a bias).
ix hand_count(const tenet::dttn_config& c) {
  const auto& C = c.channels;
  ix n = (C[0] / 2) * 3 * 4 + C[0] / 2 + C[0] * (C[0] / 2) * 4 + C[0];
  for (int s = 1; s < 4; ++s) n += C[s] * C[s - 1] * 4 + C[s];
  for (int s = 0; s < 4; ++s)
    for (ix b = 0; b < c.blocks[s]; ++b) {
      const ix D = C[s], Hc = b % 2 ? 3 * D : D;
      n += (Hc * 9 + Hc) + (Hc * Hc + Hc) + (Hc * D + Hc) + (Hc * 9 + Hc);  // L1, L2, R1, R2
      n += c.variant == aim_variant::dttn ? 4 * Hc : 2 * Hc;                 // N1 and N2, or the LayerNorm
      n += (D * Hc + D) + 2 * D + 1;                                          // P, N3, alpha
    }
  return n + c.num_classes * C[3] + c.num_classes;
}

template <class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "<no error>";
}
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("image AIM block == its definition by loops: both variants, Hc = C and 3C, float and double, seq and par") {
  const ix N = 2, C = 3, H = 5, W = 4;
  for (aim_variant v : {aim_variant::dttn, aim_variant::dttn_dagger})
    for (ix Hc : {C, 3 * C}) {
      CAPTURE(tenet::to_string(v));
      CAPTURE(Hc);
      tenet::image_aim_block<double> bd(v, C, Hc);
      randomize(bd, static_cast<std::uint64_t>(Hc + (v == aim_variant::dttn ? 0 : 100)));
      dtensor<double> xd(N, C, H, W);
      xd.fill_random(static_cast<std::uint64_t>(Hc), -1.0, 1.0);
      const std::vector<double> ref = ref_block(bd, as_double(xd), N, H, W);
      const dtensor<double> yd = bd.forward(xd);
      REQUIRE(yd.rank() == 4);
      CHECK(yd.extent(0) == N);
      CHECK(yd.extent(1) == C);
      CHECK(max_rel(ref, yd) < 1e-12);
      CHECK(max_rel(ref, bd.forward(tenet::exec::par, xd)) < 1e-12);
      // A strided input (W stride != 1): the same result.
      dtensor<double> xt(N, C, W, H);
      for (ix n = 0; n < N; ++n)
        for (ix c = 0; c < C; ++c)
          for (ix h = 0; h < H; ++h)
            for (ix v2 = 0; v2 < W; ++v2) xt(n, c, v2, h) = xd(n, c, h, v2);
      CHECK(max_rel(ref, bd.forward(tenet::permute(xt, {0, 1, 3, 2}))) < 1e-12);
      // The residual branch matters: y differs from x.
      CHECK(max_rel(ref, as_double(xd).data()) > 1e-2);

      // float: the same parameters rounded; the reference from the rounded values.
      tenet::image_aim_block<float> bf(v, C, Hc);
      std::vector<const dtensor<double>*> src;
      bd.for_each_param([&](const std::string&, const dtensor<double>& t) { src.push_back(&t); });
      std::size_t i = 0;
      bf.for_each_param([&](const std::string&, dtensor<float>& t) {
        for (ix k = 0; k < t.size(); ++k) t.data()[k] = static_cast<float>(src[i]->data()[k]);
        ++i;
      });
      dtensor<float> xf(N, C, H, W);
      for (ix k = 0; k < xf.size(); ++k) xf.data()[k] = static_cast<float>(xd.data()[k]);
      const std::vector<double> reff = ref_block(bf, as_double(xf), N, H, W);
      CHECK(max_rel(reff, bf.forward(xf)) < 1e-5);
      CHECK(max_rel(reff, bf.forward(tenet::exec::par, xf)) < 1e-5);
    }
}

TEST_CASE("image AIM block: bad shapes") {
  CHECK_THROWS_AS(tenet::image_aim_block<float>(aim_variant::dttn, 4, 6), tenet::shape_error);  // Hc not a multiple of C
  CHECK_THROWS_AS(tenet::image_aim_block<float>(aim_variant::dttn, 0, 6), tenet::shape_error);
  const tenet::image_aim_block<float> b(aim_variant::dttn, 4, 12);
  const std::string msg = error_message([&] { (void)b.forward(dtensor<float>(1, 3, 4, 4)); });
  CHECK(has(msg, "(1, 3, 4, 4)"));
  CHECK(has(msg, "C = 4"));
}

TEST_CASE("DTTN network == PyTorch (scripts/dttn_torch.py fixtures), both variants, float seq and par, double") {
  const io::tensor_map data = read_fixture("tiny_io.safetensors");
  const dtensor<float> x = data.get<float>("input", {2, 3, 32, 32});
  for (aim_variant v : {aim_variant::dttn, aim_variant::dttn_dagger}) {
    const std::string tag = v == aim_variant::dttn ? "dttn" : "dagger";
    CAPTURE(tag);
    const io::tensor_map w = read_fixture("tiny_" + tag + ".safetensors");
    const dtensor<double> ref_t = data.get<double>("output." + tag, {2, 10});
    const std::vector<double> ref = as_double(ref_t);

    const auto net = tenet::dttn_from_weights<float>(tiny(v), w);
    CHECK(net.param_count() == hand_count(tiny(v)));
    const dtensor<float> y = net.forward(x);
    REQUIRE(y.rank() == 2);
    CHECK(y.extent(0) == 2);
    CHECK(y.extent(1) == 10);
    CHECK(max_rel(ref, y) <= 1e-4);
    CHECK(max_rel(ref, net.forward(tenet::exec::par, x)) <= 1e-4);

    // In double, from the same float32 weights and input, PyTorch's float64 arithmetic.
    const auto netd = tenet::dttn_from_weights<double>(tiny(v), w);
    CHECK(max_rel(ref, netd.forward(data.get<double>("input"))) < 1e-10);
  }
}

TEST_CASE("DTTN network: parameter counts (T, S, L, custom) equal the hand formula") {
  // T is built (7.8M floats); S and L (12.9M, 35.2M) only through their configurations.
  for (aim_variant v : {aim_variant::dttn, aim_variant::dttn_dagger}) {
    const tenet::dttn_config c = tenet::dttn_preset("T", 1000, v);
    CHECK(tenet::dttn_network<float>(c).param_count() == hand_count(c));
  }
  for (aim_variant v : {aim_variant::dttn, aim_variant::dttn_dagger}) {
    const tenet::dttn_config c{{1, 3, 0, 2}, {6, 4, 8, 2}, 7, v};
    CHECK(tenet::dttn_network<float>(c).param_count() == hand_count(c));
  }
  CHECK(tenet::dttn_preset("L").channels[3] == 384);
  CHECK_THROWS_AS(tenet::dttn_preset("XL"), tenet::shape_error);
  CHECK_THROWS_AS(tenet::dttn_network<float>(tenet::dttn_config{{1, 1, 1, 1}, {7, 8, 8, 8}, 10}), tenet::shape_error);
}

TEST_CASE("DTTN network: Kaiming init is seeded and scaled by fan_in; norms identity, alpha 1") {
  const tenet::dttn_config c{{2, 2, 1, 1}, {16, 16, 16, 16}, 10, aim_variant::dttn};
  const tenet::dttn_network<double> a(c, 5), b(c, 5), d(c, 6);
  CHECK(a.stages[0][1].l2_w.data()[7] == b.stages[0][1].l2_w.data()[7]);
  CHECK(a.stages[0][1].l2_w.data()[7] != d.stages[0][1].l2_w.data()[7]);
  // L2 of an odd block: fan_in = Hc = 48, so the weights' variance is about 2 / 48.
  const dtensor<double>& l2 = a.stages[0][1].l2_w;
  double ss = 0;
  for (ix i = 0; i < l2.size(); ++i) ss += l2.data()[i] * l2.data()[i];
  CHECK(ss / static_cast<double>(l2.size()) == doctest::Approx(2.0 / 48).epsilon(0.1));
  CHECK(a.stages[1][0].n1_scale.data()[3] == 1.0);
  CHECK(a.stages[1][0].n3_shift.data()[3] == 0.0);
  CHECK(a.stages[1][0].l1_b.data()[3] == 0.0);
  CHECK(a.stages[1][0].alpha.data()[0] == 1.0);
}

TEST_CASE("DTTN weights: save -> safetensors bytes -> load reproduces the network exactly") {
  const tenet::dttn_config c = tiny(aim_variant::dttn_dagger);
  tenet::dttn_network<float> a(c, 11);
  for (auto& st : a.stages)
    for (auto& blk : st) randomize(blk, 3);
  const io::tensor_map m = tenet::save_weights(a);
  CHECK(m.contains("stages.2.blocks.1.norm.weight"));
  CHECK(m.contains("stages.1.down.weight"));
  CHECK(!m.contains("stages.0.down.weight"));
  const auto bytes = io::encode_safetensors(m);
  const tenet::dttn_network<float> b = tenet::dttn_from_weights<float>(c, io::decode_safetensors(bytes));
  dtensor<float> x(1, 3, 32, 64);
  x.fill_random(1);
  const dtensor<float> ya = a.forward(x), yb = b.forward(x);
  REQUIRE(ya.size() == 10);
  for (ix i = 0; i < ya.size(); ++i) CHECK(ya.data()[i] == yb.data()[i]);
  CHECK_THROWS_AS((void)a.forward(dtensor<float>(1, 3, 32, 48)), tenet::shape_error);  // 48 not a multiple of 32
  CHECK_THROWS_AS((void)a.forward(dtensor<float>(1, 4, 32, 32)), tenet::shape_error);
}

TEST_CASE("DTTN weights: load errors name the tensor (missing, unknown, wrong shape, other variant)") {
  const io::tensor_map w = read_fixture("tiny_dttn.safetensors");
  tenet::dttn_network<float> net(tiny(aim_variant::dttn));
  {
    io::tensor_map m = w;
    m.erase("stages.3.blocks.1.right.1.bias");
    std::string msg;
    try {
      tenet::load_weights(net, m);
    } catch (const tenet::format_error& e) {
      msg = e.what();
    }
    CHECK(has(msg, "stages.3.blocks.1.right.1.bias"));
  }
  {
    io::tensor_map m = w;
    m.set("stages.0.blocks.2.alpha", dtensor<float>(1));
    m.set("head.extra", dtensor<float>(2));
    std::string msg;
    try {
      tenet::load_weights(net, m);
    } catch (const tenet::format_error& e) {
      msg = e.what();
    }
    CHECK(has(msg, "2 tensors"));
    CHECK(has(msg, "'stages.0.blocks.2.alpha'"));
    CHECK(has(msg, "'head.extra'"));
  }
  {
    io::tensor_map m = w;
    m.set("stages.2.blocks.1.left.1.weight", dtensor<float>(36, 36, 3, 3));
    std::string msg;
    try {
      tenet::load_weights(net, m);
    } catch (const tenet::shape_error& e) {
      msg = e.what();
    }
    CHECK(has(msg, "stages.2.blocks.1.left.1.weight"));
    CHECK(has(msg, "(36, 36, 3, 3)"));
    CHECK(has(msg, "(36, 36, 1, 1)"));
  }
  // DTTN weights into a DTTN-dagger network: its norm.* are missing.
  tenet::dttn_network<float> dag(tiny(aim_variant::dttn_dagger));
  CHECK_THROWS_AS(tenet::load_weights(dag, w), tenet::format_error);
  // The untouched file loads.
  CHECK_NOTHROW(tenet::load_weights(net, w));
}
