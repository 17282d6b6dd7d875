// Randomized einsum: random subscripts (1-3 operands of rank 0-6, repeated labels within an
// operand, labels summed that only one operand has, random outputs, implicit outputs), random
// extents in {1..5} (now and then 0), random layouts and policies, all from a fixed seed.
// Each case is compared with a generic evaluator written here: a loop over every assignment of
// values to the labels, in double.
#include <doctest/doctest.h>

#include <tenet/tenet.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace {

using idx = tenet::index;
using tenet::dtensor;
using tenet::dtensor_view;
namespace exec = tenet::exec;

// Only the raw mt19937_64 stream is used (its output is fixed by the standard; the
// distributions are not).
struct rng {
  std::mt19937_64 g;
  explicit rng(std::uint64_t seed) : g(seed) {}
  int below(int n) { return static_cast<int>(g() % static_cast<std::uint64_t>(n)); }
  bool chance(int percent) { return below(100) < percent; }
};

struct einsum_case {
  std::vector<std::string> operands;  // labels of each operand
  std::string output;                 // output labels (the implicit rule applied when !explicit_output)
  bool explicit_output = true;
  std::vector<idx> extent;            // by label character (index = char)
  std::string subscripts;
};

std::vector<idx> shape_of(const einsum_case& c, const std::string& labels) {
  std::vector<idx> s;
  for (char l : labels) s.push_back(c.extent[static_cast<unsigned char>(l)]);
  return s;
}

einsum_case random_case(rng& r) {
  static const std::string pool_all = "abcdefgijkXYZ";
  einsum_case c;
  c.extent.assign(128, -1);
  // A pool of labels: few labels make repeats (diagonals, shared labels) likely.
  std::string pool = pool_all;
  for (std::size_t i = pool.size(); i-- > 1;) std::swap(pool[i], pool[static_cast<std::size_t>(r.below(static_cast<int>(i + 1)))]);
  pool.resize(static_cast<std::size_t>(1 + r.below(7)));
  const int n_ops = 1 + r.below(3);
  std::string used;
  for (int p = 0; p < n_ops; ++p) {
    const int rank = r.below(7);
    std::string ops;
    for (int q = 0; q < rank; ++q) ops += pool[static_cast<std::size_t>(r.below(static_cast<int>(pool.size())))];
    c.operands.push_back(ops);
    for (char l : ops)
      if (used.find(l) == std::string::npos) used += l;
  }
  // Extents in 1..5 (0 now and then), shrunk until the reference loop stays small.
  for (char l : used) c.extent[static_cast<unsigned char>(l)] = r.chance(3) ? 0 : 1 + r.below(5);
  auto total = [&] {
    idx t = 1;
    for (char l : used) t *= std::max<idx>(1, c.extent[static_cast<unsigned char>(l)]);
    return t;
  };
  while (total() > 5000) {
    const char l = used[static_cast<std::size_t>(r.below(static_cast<int>(used.size())))];
    idx& e = c.extent[static_cast<unsigned char>(l)];
    if (e > 1) --e;
  }
  // The output: an explicit random subset in random order, or NumPy's implicit rule.
  c.explicit_output = !r.chance(25);
  if (c.explicit_output) {
    for (char l : used)
      if (r.chance(50)) c.output += l;
    for (std::size_t i = c.output.size(); i-- > 1;)
      std::swap(c.output[i], c.output[static_cast<std::size_t>(r.below(static_cast<int>(i + 1)))]);
  } else {
    // Every label that occurs exactly once (counting repeats within an operand), in ASCII order.
    std::string all;
    for (const auto& o : c.operands) all += o;
    for (int ch = 0; ch < 128; ++ch)
      if (std::count(all.begin(), all.end(), static_cast<char>(ch)) == 1) c.output += static_cast<char>(ch);
  }
  for (int p = 0; p < n_ops; ++p) {
    if (p) c.subscripts += r.chance(20) ? " , " : ",";
    c.subscripts += c.operands[static_cast<std::size_t>(p)];
  }
  // A lone rank-0 operand needs the arrow: "" names no operands.
  if (c.subscripts.empty()) c.explicit_output = true;
  if (c.explicit_output) {
    c.subscripts += r.chance(20) ? " -> " : "->";
    c.subscripts += c.output;
  }
  return c;
}

// The definition: out(o) = sum over all label values that agree with o of prod_p X_p(labels_p).
struct reference {
  std::vector<double> val, mag;
};

reference evaluate(const einsum_case& c, const std::vector<const dtensor<double>*>& x) {
  std::string labels;
  for (const auto& o : c.operands)
    for (char l : o)
      if (labels.find(l) == std::string::npos) labels += l;
  const std::size_t L = labels.size();
  std::vector<idx> ext(L);
  for (std::size_t q = 0; q < L; ++q) ext[q] = c.extent[static_cast<unsigned char>(labels[q])];
  // Positions of each operand's and the output's labels in `labels`.
  auto positions = [&](const std::string& s) {
    std::vector<std::size_t> p;
    for (char l : s) p.push_back(labels.find(l));
    return p;
  };
  std::vector<std::vector<std::size_t>> pos;
  for (const auto& o : c.operands) pos.push_back(positions(o));
  const std::vector<std::size_t> out_pos = positions(c.output);
  const std::vector<idx> out_shape = shape_of(c, c.output);
  idx out_size = 1;
  for (idx e : out_shape) out_size *= e;
  reference ref{std::vector<double>(static_cast<std::size_t>(out_size), 0.0),
                std::vector<double>(static_cast<std::size_t>(out_size), 0.0)};
  idx total = 1;
  for (idx e : ext) total *= e;
  std::vector<idx> v(L, 0);  // the current value of every label
  for (idx n = 0; n < total; ++n) {
    double term = 1;
    for (std::size_t p = 0; p < c.operands.size(); ++p) {
      const dtensor<double>& X = *x[p];
      idx off = 0;  // row-major offset, by definition
      for (std::size_t r = 0; r < pos[p].size(); ++r) off = off * X.extent(r) + v[pos[p][r]];
      term *= X.data()[off];
    }
    idx o = 0;
    for (std::size_t r = 0; r < out_pos.size(); ++r) o = o * out_shape[r] + v[out_pos[r]];
    ref.val[static_cast<std::size_t>(o)] += term;
    ref.mag[static_cast<std::size_t>(o)] += std::abs(term);
    for (std::size_t q = L; q-- > 0;) {
      if (++v[q] < ext[q]) break;
      v[q] = 0;
    }
  }
  return ref;
}

// x stored with its modes in a random order, and the permuted view of that storage that shows x.
template <class T>
struct relayout {
  dtensor<T> storage;
  dtensor_view<const T> view;
};

template <class T>
relayout<T> permuted_storage(const dtensor<T>& x, rng& r) {
  const std::size_t R = x.rank();
  std::vector<std::size_t> perm(R);  // storage mode q holds x's mode perm[q]
  for (std::size_t q = 0; q < R; ++q) perm[q] = q;
  for (std::size_t i = R; i-- > 1;) std::swap(perm[i], perm[static_cast<std::size_t>(r.below(static_cast<int>(i + 1)))]);
  std::vector<idx> sext(R), sstr(R), str(R);
  for (std::size_t q = 0; q < R; ++q) sext[q] = x.extent(perm[q]);
  idx acc = 1;
  for (std::size_t q = R; q-- > 0;) {
    sstr[q] = acc;
    acc *= sext[q];
  }
  for (std::size_t q = 0; q < R; ++q) str[perm[q]] = sstr[q];
  relayout<T> out;
  out.storage = dtensor<T>{tenet::dyn_extents(std::span<const idx>(sext))};
  std::vector<idx> i(R, 0);
  for (idx n = 0; n < x.size(); ++n) {
    idx off = 0;
    for (std::size_t m = 0; m < R; ++m) off += i[m] * str[m];
    out.storage.data()[off] = x.data()[n];
    for (std::size_t m = R; m-- > 0;) {
      if (++i[m] < x.extent(m)) break;
      i[m] = 0;
    }
  }
  std::vector<idx> ext(R);
  for (std::size_t m = 0; m < R; ++m) ext[m] = x.extent(m);
  out.view = dtensor_view<const T>(out.storage.data(), tenet::dyn_extents(std::span<const idx>(ext)), str);
  return out;
}

template <class P, class T>
dtensor<T> run_einsum(P policy, const std::string& s, const std::vector<dtensor_view<const T>>& v) {
  switch (v.size()) {
    case 1: return tenet::einsum(policy, s, v[0]);
    case 2: return tenet::einsum(policy, s, v[0], v[1]);
    default: return tenet::einsum(policy, s, v[0], v[1], v[2]);
  }
}

template <class T>
bool run_case(const einsum_case& c, std::uint64_t seed, rng& r, double rtol) {
  INFO("case seed " << seed << ": \"" << c.subscripts << "\" (output \"" << c.output << "\")");
  std::vector<dtensor<double>> xd;
  std::vector<dtensor<T>> x;
  std::string shapes;
  for (std::size_t p = 0; p < c.operands.size(); ++p) {
    const std::vector<idx> s = shape_of(c, c.operands[p]);
    dtensor<T> t{tenet::dyn_extents(std::span<const idx>(s))};
    t.fill_random(seed * 7 + p);
    dtensor<double> d{tenet::dyn_extents(std::span<const idx>(s))};
    for (idx n = 0; n < t.size(); ++n) d.data()[n] = static_cast<double>(t.data()[n]);
    x.push_back(std::move(t));
    xd.push_back(std::move(d));
    shapes += "(";
    for (std::size_t q = 0; q < s.size(); ++q) {
      if (q) shapes += ',';
      shapes += std::to_string(s[q]);
    }
    shapes += ") ";
  }
  INFO("operand shapes " << shapes);
  std::vector<const dtensor<double>*> xp;
  for (const auto& d : xd) xp.push_back(&d);
  const reference ref = evaluate(c, xp);

  // Each operand as the tensor itself or as a permuted view of a relaid copy.
  std::vector<relayout<T>> keep;
  keep.reserve(x.size());
  std::vector<dtensor_view<const T>> views;
  std::string layout;
  for (const auto& t : x) {
    if (r.chance(50)) {
      keep.push_back(permuted_storage(t, r));
      views.push_back(keep.back().view);
      layout += "permuted ";
    } else {
      views.push_back(t.view());
      layout += "contiguous ";
    }
  }
  const int policy = r.below(3);
  // Every engine the planner can choose, forced in turn: each must give the same result.
  // engine::blas only where it can run (with a CBLAS): the draw stays the same without one.
#ifdef TENET_HAS_CBLAS
  const auto eng = static_cast<exec::engine>(r.below(6));
#else
  const auto eng = static_cast<exec::engine>(r.below(5));
#endif
  INFO("layouts " << layout << "policy " << (policy == 0 ? "seq" : policy == 1 ? "par" : "par(2)") << ", engine "
                  << exec::engine_name(eng));
  const dtensor<T> res = policy == 0   ? run_einsum(exec::seq.with(eng), c.subscripts, views)
                         : policy == 1 ? run_einsum(exec::par.with(eng), c.subscripts, views)
                                       : run_einsum(exec::par(2).with(eng), c.subscripts, views);
  const std::vector<idx> want = shape_of(c, c.output);
  bool ok = res.shape() == want;
  CHECK(ok);
  if (!ok) return false;
  idx bad = 0;
  for (std::size_t n = 0; n < ref.val.size(); ++n)
    bad += !(std::abs(static_cast<double>(res.data()[n]) - ref.val[n]) <= rtol * ref.mag[n]);
  CHECK(bad == 0);
  return bad == 0;
}

}  // namespace

TEST_CASE("einsum property: random subscripts against a generic reference evaluator") {
  rng r(20240611);
  int failures = 0, cases = 0, with_repeats = 0, with_single_sums = 0, implicit = 0, rank0 = 0;
  constexpr int n_cases = 600;
  for (int n = 0; n < n_cases; ++n) {
    const std::uint64_t seed = 1000 + static_cast<std::uint64_t>(n);
    const einsum_case c = random_case(r);
    std::string all;
    for (const auto& o : c.operands) all += o;
    bool rep = false, single = false;
    for (const auto& o : c.operands)
      for (char l : o) {
        rep = rep || std::count(o.begin(), o.end(), l) > 1;
        single = single || (std::count(all.begin(), all.end(), l) == 1 && c.output.find(l) == std::string::npos);
      }
    with_repeats += rep;
    with_single_sums += single;
    implicit += !c.explicit_output;
    for (const auto& o : c.operands) rank0 += o.empty();
    failures += !run_case<double>(c, seed, r, 1e-12);
    if (n % 3 == 0) failures += !run_case<float>(c, seed, r, 1e-4);
    ++cases;
  }
  CHECK(failures == 0);
  CHECK(cases == n_cases);
  // The generator must keep producing the interesting cases.
  INFO(cases << " cases: " << with_repeats << " with repeated labels, " << with_single_sums
             << " summing a label of one operand, " << implicit << " implicit, " << rank0 << " rank-0 operands");
  CHECK(with_repeats > n_cases / 10);
  CHECK(with_single_sums > n_cases / 10);
  CHECK(implicit > n_cases / 10);
  CHECK(rank0 > n_cases / 20);
}
