// The native GETT kernel against explicit loops, through offset tables with odd strides.
#include <doctest/doctest.h>

#include <tenet/core/random.hpp>
#include <tenet/exec/gett.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace {

using idx = tenet::index;

// Offsets of a group of modes with the given extents and strides, row-major over the group.
std::vector<idx> offsets(const std::vector<idx>& ext, const std::vector<idx>& str) {
  std::vector<idx> off{0};
  for (std::size_t r = 0; r < ext.size(); ++r) {
    std::vector<idx> next;
    for (idx o : off)
      for (idx i = 0; i < ext[r]; ++i) next.push_back(o + i * str[r]);
    off = next;
  }
  return off;
}

template <class T>
void check_gett(idx m, idx n, idx k, bool accumulate, int threads, std::uint64_t seed, bool transposed = false) {
  tenet::splitmix64 g(seed);
  // Padded strides. Plain: k contiguous in A, n in B, m in C (C's tiles go through the
  // scatter path). Transposed: m contiguous in A (A is gathered), k in B (B is packed by
  // transposes), n in C (tiles stored straight into C).
  const auto am = transposed ? offsets({m}, {1}) : offsets({m}, {k * 2 + 1});
  const auto ak = transposed ? offsets({k}, {m + 1}) : offsets({k}, {1});
  const auto bk = transposed ? offsets({k}, {1}) : offsets({k}, {n + 3});
  const auto bn = transposed ? offsets({n}, {k + 5}) : offsets({n}, {1});
  const auto cm = transposed ? offsets({m}, {n + 2}) : offsets({m}, {1});
  const auto cn = transposed ? offsets({n}, {1}) : offsets({n}, {m + 2});
  auto span = [](const std::vector<idx>& x, const std::vector<idx>& y) {
    return static_cast<std::size_t>((x.empty() ? 0 : x.back()) + (y.empty() ? 0 : y.back()) + 2);
  };
  std::vector<T> a(span(am, ak)), b(span(bk, bn)), c(span(cm, cn));
  for (auto& x : a) x = static_cast<T>(g.uniform() - 0.5);
  for (auto& x : b) x = static_cast<T>(g.uniform() - 0.5);
  for (auto& x : c) x = static_cast<T>(g.uniform() - 0.5);
  const std::vector<T> c0 = c;
  tenet::exec::detail::gett<T>(m, n, k, a.data(), am.data(), ak.data(), b.data(), bk.data(), bn.data(), c.data(),
                               cm.data(), cn.data(), accumulate, threads);
  double err = 0, scale = 1e-30;
  for (idx i = 0; i < m; ++i)
    for (idx j = 0; j < n; ++j) {
      double ref = accumulate ? static_cast<double>(c0[static_cast<std::size_t>(cm[i] + cn[j])]) : 0.0;
      for (idx p = 0; p < k; ++p)
        ref += static_cast<double>(a[static_cast<std::size_t>(am[i] + ak[p])]) *
               static_cast<double>(b[static_cast<std::size_t>(bk[p] + bn[j])]);
      err = std::max(err, std::abs(ref - static_cast<double>(c[static_cast<std::size_t>(cm[i] + cn[j])])));
      scale = std::max(scale, std::abs(ref));
    }
  const double tol = sizeof(T) == 4 ? 1e-5 : 1e-13;
  CHECK(err / scale <= tol * std::sqrt(static_cast<double>(k + 1)));
  // Elements outside C's offsets are untouched.
  std::vector<bool> inside(c.size(), false);
  for (idx i = 0; i < m; ++i)
    for (idx j = 0; j < n; ++j) inside[static_cast<std::size_t>(cm[i] + cn[j])] = true;
  bool untouched = true;
  for (std::size_t q = 0; q < c.size(); ++q) untouched = untouched && (inside[q] || c[q] == c0[q]);
  CHECK(untouched);
}

}  // namespace

TEST_CASE("gett matches explicit loops for odd shapes, strides and block edges") {
  const idx sizes[][3] = {{1, 1, 1}, {7, 5, 3}, {13, 17, 1}, {1, 40, 9}, {37, 1, 300}, {61, 53, 257}, {250, 33, 20}, {5, 2100, 3}};
  std::uint64_t seed = 1;
  for (const auto& s : sizes)
    for (bool acc : {false, true})
      for (int threads : {1, 2}) {
        CAPTURE(s[0]);
        CAPTURE(s[1]);
        CAPTURE(s[2]);
        for (bool tr : {false, true}) {
          CAPTURE(tr);
          check_gett<float>(s[0], s[1], s[2], acc, threads, seed++, tr);
          check_gett<double>(s[0], s[1], s[2], acc, threads, seed++, tr);
        }
      }
}

TEST_CASE("gett with k = 0 zeroes C unless accumulating") {
  std::vector<double> c = {1, 2, 3, 4};
  const std::vector<idx> cm = {0, 2}, cn = {0, 1}, none;
  tenet::exec::detail::gett<double>(2, 2, 0, nullptr, none.data(), none.data(), nullptr, none.data(), none.data(),
                                    c.data(), cm.data(), cn.data(), true, 1);
  CHECK(c == std::vector<double>{1, 2, 3, 4});
  tenet::exec::detail::gett<double>(2, 2, 0, nullptr, none.data(), none.data(), nullptr, none.data(), none.data(),
                                    c.data(), cm.data(), cn.data(), false, 1);
  CHECK(c == std::vector<double>{0, 0, 0, 0});
}
