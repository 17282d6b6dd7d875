// The native GETT kernel against explicit loops, through offset tables with odd strides.
#include <doctest/doctest.h>

#include <tenet/core/random.hpp>
#include <tenet/exec/contract_gett.hpp>
#include <tenet/exec/gett.hpp>
#include <tenet/tenet.hpp>

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

enum class layout { plain, transposed, tiled, grouped, strips, odd };

template <class T>
void check_gett(idx m, idx n, idx k, bool accumulate, int threads, std::uint64_t seed, layout lay = layout::plain,
                idx groups = 1, idx v_ext = 0) {
  tenet::splitmix64 g(seed);
  // Padded strides. Plain: k contiguous in A, n in B, m in C (C's tiles go through the
  // scatter path). Transposed: m contiguous in A (A is gathered), k in B (B is packed by
  // transposes), n in C (tiles stored straight into C). Tiled: k is two modes (x, y) of
  // extents 2L and 3L (L lanes), A(i, x, y) contiguous in y and B(y, j, x) in x, in the
  // order contract_gett.hpp gives them, (x_hi, y_hi, x_lo, y_lo): both pack by transposes.
  // Grouped: n is two modes (u, v) of extents L + 3 and 2 NR, B(p, u, v) contiguous in u but
  // the panels run along v: groups of L rows (u) of V columns (v) are packed together
  // (pack.hpp b_group), the last 3 u's one by one. Strips: the same with v = 3L, 1.5 panels,
  // so that a panel's two halves are in different groups. Odd: v = L + 5 (or `v_ext`), u = L
  // + 7: rows start anywhere in a panel, the last group has 7 rows. `groups`: groups of L
  // rows along u.
  const bool tr = lay == layout::transposed;
  constexpr idx L = tenet::exec::detail::kernel_shape<T>::lanes, X = 2 * L, Y = 3 * L;
  const bool grouped = lay == layout::grouped || lay == layout::strips || lay == layout::odd;
  const idx U = groups * L + (lay == layout::odd ? 7 : 3);
  const idx V = lay == layout::strips ? 3 * L
                : lay == layout::odd  ? (v_ext > 0 ? v_ext : L + 5)
                                      : 2 * tenet::exec::detail::gett_blocking<T>::nr;
  if (lay == layout::tiled) k = X * Y;
  if (grouped) n = U * V;
  auto k_offsets = [&](bool in_a) {
    if (lay == layout::tiled)
      return in_a ? offsets({X / L, Y / L, L, L}, {L * Y, L, Y, 1})
                  : offsets({X / L, Y / L, L, L}, {L, L * (n * X + 3), 1, n * X + 3});
    if (grouped && !in_a) return offsets({k}, {(U + 1) * V + 1});
    return in_a ? (tr ? offsets({k}, {m + 1}) : offsets({k}, {1})) : (tr ? offsets({k}, {1}) : offsets({k}, {n + 3}));
  };
  const auto am = tr ? offsets({m}, {1}) : offsets({m}, {k * 2 + 1});
  const auto ak = k_offsets(true);
  const auto bk = k_offsets(false);
  const auto bn = lay == layout::tiled     ? offsets({n}, {X})
                  : grouped                ? offsets({U, V}, {1, U + 1})
                  : tr                     ? offsets({n}, {k + 5})
                                           : offsets({n}, {1});
  const auto cm = tr ? offsets({m}, {n + 2}) : offsets({m}, {1});
  const auto cn = tr ? offsets({n}, {1}) : offsets({n}, {m + 2});
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
  // {530, 45, 270}: several blocks of A on one thread (a block holds more rows where k is
  // short: {300, 230, 40} is one block).
  const idx sizes[][3] = {{1, 1, 1},      {7, 5, 3},      {13, 17, 1},     {1, 40, 9},      {37, 1, 300},
                          {61, 53, 257},  {250, 33, 20},  {5, 2100, 3},    {37, 1100, 20},  {300, 230, 40},
                          {20, 2100, 40}, {530, 45, 270}};
  std::uint64_t seed = 1;
  for (const auto& s : sizes)
    for (bool acc : {false, true})
      for (int threads : {1, 2}) {
        CAPTURE(s[0]);
        CAPTURE(s[1]);
        CAPTURE(s[2]);
        for (layout lay : {layout::plain, layout::transposed, layout::tiled, layout::grouped, layout::strips,
                           layout::odd}) {
          CAPTURE(static_cast<int>(lay));
          check_gett<float>(s[0], s[1], s[2], acc, threads, seed++, lay);
          check_gett<double>(s[0], s[1], s[2], acc, threads, seed++, lay);
        }
      }
}

TEST_CASE("gett splits a long k between threads: whole k-slices each, the slices left by rows") {
  // m, n <= 512 and k >= 4 slices of 256 per thread (gett_split_k; smaller k, as on 3
  // threads for the first three, takes another scheme). k = 2300: 8 full slices and a short
  // one, so on 2 threads 4 each, the short one shared by rows; 2400: 9 and a short one, both
  // left over; 2048: 8, none left; 3100: 12 and a short one, 4 each on 3 threads; 3072: 12,
  // none left. Plain: C strided along n; transposed: contiguous.
  const idx sizes[][3] = {{45, 70, 2300}, {9, 33, 2048}, {20, 40, 2400}, {70, 5, 3100}, {33, 9, 3072}};
  std::uint64_t seed = 500;
  for (const auto& s : sizes)
    for (bool acc : {false, true})
      for (int threads : {2, 3}) {
        CAPTURE(s[0]);
        CAPTURE(s[2]);
        CAPTURE(threads);
        for (layout lay : {layout::plain, layout::transposed}) {
          check_gett<float>(s[0], s[1], s[2], acc, threads, seed++, lay);
          check_gett<double>(s[0], s[1], s[2], acc, threads, seed++, lay);
        }
      }
}

TEST_CASE("gett's k layout: strands L apart are found where they are contiguous, nowhere else") {
  using tenet::exec::detail::make_k_runs;
  // k = (x_hi, y_hi, x_lo, y_lo) over x = 8, y = 4 with L = 4: y_lo contiguous (vec), x_lo a
  // strand (tile), in one operand each.
  std::vector<idx> a, b;
  for (idx xh = 0; xh < 2; ++xh)
    for (idx yh = 0; yh < 1; ++yh)
      for (idx xl = 0; xl < 4; ++xl)
        for (idx yl = 0; yl < 4; ++yl) {
          const idx x = xh * 4 + xl, y = yh * 4 + yl;
          a.push_back(x * 4 + y);
          b.push_back(y * 100 + x);
        }
  const auto ra = make_k_runs(a.data(), 32, 4), rb = make_k_runs(b.data(), 32, 4);
  CHECK(ra.vec == std::vector<unsigned char>(8, 1));
  CHECK(rb.vec == std::vector<unsigned char>(8, 0));
  CHECK(rb.tile == std::vector<unsigned char>(2, 1));
  CHECK(ra.tile == std::vector<unsigned char>(2, 0));
  b[17] += 1;  // one strand broken: that tile is gathered
  CHECK(make_k_runs(b.data(), 32, 4).tile == std::vector<unsigned char>{1, 0});
}

TEST_CASE("gett's n layout: groups of columns whose rows are the first row moved by one element") {
  using tenet::exec::detail::b_group;
  using tenet::exec::detail::make_n_panels;
  auto same = [](const std::vector<b_group>& g, const std::vector<std::pair<idx, idx>>& want) {
    bool ok = g.size() == want.size();
    for (std::size_t i = 0; ok && i < g.size(); ++i) ok = g[i].x0 == want[i].first && g[i].rows == want[i].second;
    return ok;
  };
  const idx big = 1 << 20;
  // n = (u, v), u = 5 contiguous, v = 4 at stride 7: column 4 (u = 1) is column 0 moved by
  // one. With 2 lanes, groups of 2 rows (u); u = 4 has no partner. Panels of 2 columns.
  std::vector<idx> bn;
  for (idx u = 0; u < 5; ++u)
    for (idx v = 0; v < 4; ++v) bn.push_back(u + 7 * v);
  const auto np = make_n_panels(bn.data(), 20, 2, 2, big);
  CHECK(np.unit == std::vector<unsigned char>(10, 0));
  CHECK(np.c1 == 4);
  CHECK(same(np.groups, {{0, 2}, {8, 2}}));
  CHECK(np.covered == std::vector<unsigned char>{1, 1, 1, 1, 1, 1, 1, 1, 0, 0});
  bn[13] += 100;  // u = 3, v = 1 no longer one past u = 2: that group goes
  const auto broken = make_n_panels(bn.data(), 20, 2, 2, big);
  CHECK(same(broken.groups, {{0, 2}}));
  CHECK(broken.covered == std::vector<unsigned char>{1, 1, 1, 1, 0, 0, 0, 0, 0, 0});

  // v = 5, u = 9, 4 lanes, panels of 4: groups of 4 rows of 5 columns start inside panels
  // (abcd=dbea*ec: rows of 527 columns), u = 8 is left alone.
  bn.clear();
  for (idx u = 0; u < 9; ++u)
    for (idx v = 0; v < 5; ++v) bn.push_back(u + 11 * v);
  const auto odd = make_n_panels(bn.data(), 45, 4, 4, big);
  CHECK(odd.c1 == 5);
  CHECK(same(odd.groups, {{0, 4}, {20, 4}}));
  CHECK(odd.width() == 20);
  CHECK(odd.covered == std::vector<unsigned char>{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0});
  // Chunks of B end where a group ends, past the 4 panels they would otherwise hold.
  using tenet::exec::detail::chunk_end;
  CHECK(chunk_end(odd, 4, 0, 0, 12) == 5);
  CHECK(chunk_end(odd, 4, 0, 5, 12) == 10);
  CHECK(chunk_end(odd, 4, 0, 10, 12) == 12);
  CHECK(make_n_panels(bn.data(), 45, 4, 4, 19).groups.empty());  // wider than allowed
  // Rows of 3 columns: too narrow for groups.
  bn.clear();
  for (idx u = 0; u < 9; ++u)
    for (idx v = 0; v < 3; ++v) bn.push_back(u + 11 * v);
  CHECK(make_n_panels(bn.data(), 27, 4, 4, big).groups.empty());

  // Against loops: three groups of L rows of 64 or 48 columns, more than one block of B
  // (2448 columns with 16 lanes), each of whole groups; rows of 201 columns, groups wider
  // than a block (3216 columns), cut by the blocks' edges.
  for (int threads : {1, 2}) {
    check_gett<float>(37, 0, 40, false, threads, 11, layout::strips, 3);
    check_gett<double>(37, 0, 40, true, threads, 12, layout::strips, 3);
    check_gett<float>(29, 0, 40, true, threads, 13, layout::odd, 2, 201);
    check_gett<double>(29, 0, 40, false, threads, 14, layout::odd, 2, 201);
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

TEST_CASE("gett panels that straddle runs of a label: tables, and results through einsum") {
  using tenet::exec::detail::make_panel_runs;
  // Runs of 6 contiguous columns 100 apart, panels of 8: each panel straddles two runs.
  std::vector<idx> off;
  for (idx j = 0; j < 18; ++j) off.push_back(j / 6 * 100 + j % 6);
  const auto r = make_panel_runs(off.data(), {8, 8, 2}, 8);
  CHECK(r.count(0) == 2);
  CHECK(r.begin(0, 0) == 0);
  CHECK(r.end(0, 0, 8) == 6);
  CHECK(r.begin(0, 1) == 6);
  CHECK(r.end(0, 1, 8) == 8);
  CHECK(r.count(1) == 2);
  CHECK(r.begin(1, 1) == 4);
  CHECK(r.count(2) == 1);  // the last, partial panel: columns 16 and 17, of one run
  CHECK(r.end(2, 0, 2) == 2);
  // Stretches averaging under 4 columns: element by element instead.
  const std::vector<idx> odd = {0, 1, 5, 6, 10, 11, 15, 16};
  CHECK(make_panel_runs(odd.data(), {8}, 8).count(0) == 0);

  // c = 150 is no multiple of NR (8, 16 or 32) on any target. abc=ad*bdc: panels straddle
  // runs of c in B and in C; abc=acd*db (operands swapped): in C only. b = 8 gives the
  // 2-thread run chunks of columns. Against explicit loops, written and added onto.
  const idx A_ = 13, B_ = 8, C_ = 150, D_ = 7;
  auto check = [&](auto policy, auto zero, bool swapped) {
    using T = decltype(zero);
    tenet::dtensor<T> a = swapped ? tenet::dtensor<T>(A_, C_, D_) : tenet::dtensor<T>(A_, D_);
    tenet::dtensor<T> b = swapped ? tenet::dtensor<T>(D_, B_) : tenet::dtensor<T>(B_, D_, C_);
    tenet::dtensor<T> c0(A_, B_, C_);
    a.fill_random(3);
    b.fill_random(4);
    c0.fill_random(5);
    const char* sub = swapped ? "acd,db->abc" : "ad,bdc->abc";
    const auto c = tenet::einsum(policy.with(tenet::exec::engine::gett), sub, a, b);
    tenet::dtensor<T> c2 = c0;
    tenet::einsum_add(policy.with(tenet::exec::engine::gett), sub, c2, a, b);
    double err = 0, err2 = 0;
    for (idx i = 0; i < A_; ++i)
      for (idx j = 0; j < B_; ++j)
        for (idx l = 0; l < C_; ++l) {
          double ref = 0;
          for (idx p = 0; p < D_; ++p)
            ref += swapped ? static_cast<double>(a(i, l, p)) * static_cast<double>(b(p, j))
                           : static_cast<double>(a(i, p)) * static_cast<double>(b(j, p, l));
          err = std::max(err, std::abs(ref - static_cast<double>(c(i, j, l))));
          err2 = std::max(err2, std::abs(ref + static_cast<double>(c0(i, j, l)) - static_cast<double>(c2(i, j, l))));
        }
    const double tol = sizeof(T) == 4 ? 1e-5 : 1e-13;
    CHECK(err <= tol);
    CHECK(err2 <= tol);
  };
  for (bool swapped : {false, true}) {
    CAPTURE(swapped);
    check(tenet::exec::seq, 0.0f, swapped);
    check(tenet::exec::seq, 0.0, swapped);
    check(tenet::exec::par(2), 0.0f, swapped);
    check(tenet::exec::par(2), 0.0, swapped);
  }
}

TEST_CASE("gett in a batch loop: each call reads the next one's operands ahead, results unchanged") {
  // bij = sum_k A(b, i, k) B(b, k, j): a loop of calls over b (contract_gett.hpp passes each
  // the next one's operands to prefetch), k long enough for the prefetch plans; sequential,
  // and on 2 threads (the loop split between them).
  const idx nb = 3, ni = 20, nk = 40, nj = 50;
  auto check = [&](auto policy, auto zero) {
    using T = decltype(zero);
    tenet::dtensor<T> a(nb, ni, nk), b(nb, nk, nj);
    a.fill_random(6);
    b.fill_random(7);
    const auto c = tenet::einsum(policy.with(tenet::exec::engine::gett), "bik,bkj->bij", a, b);
    double err = 0;
    for (idx q = 0; q < nb; ++q)
      for (idx i = 0; i < ni; ++i)
        for (idx j = 0; j < nj; ++j) {
          double ref = 0;
          for (idx p = 0; p < nk; ++p) ref += static_cast<double>(a(q, i, p)) * static_cast<double>(b(q, p, j));
          err = std::max(err, std::abs(ref - static_cast<double>(c(q, i, j))));
        }
    CHECK(err <= (sizeof(T) == 4 ? 1e-5 : 1e-13));
  };
  check(tenet::exec::seq, 0.0f);
  check(tenet::exec::seq, 0.0);
  check(tenet::exec::par(2), 0.0f);
  check(tenet::exec::par(2), 0.0);
}

TEST_CASE("gett orders B's n labels outside C's run so that its column groups fill the lanes") {
  // abcde = sum_f A(e, f, b, a, d) B(c, f): GETT's B is A (C's fastest label e is A's), n =
  // (a, b, d, e), C contiguous along (d, e). In C's order B's rows (moving it by one element)
  // are d's 5, part of a vector on every target; as (b, a, d, e) they run over a and d, then
  // b: 75 rows.
  const idx E[6] = {5, 3, 7, 5, 6, 9};  // a b c d e f
  auto check = [&](auto policy, auto zero) {
    using T = decltype(zero);
    tenet::dtensor<T> x(tenet::dyn_extents({E[4], E[5], E[1], E[0], E[3]})), y(E[2], E[5]);
    x.fill_random(8);
    y.fill_random(9);
    const auto gett = policy.with(tenet::exec::engine::gett);
    const auto r = tenet::explain(gett, "efbad,cf->abcde", x, y);
    REQUIRE(r.steps.size() == 1);
    CHECK(r.steps[0].n_labels == "bade");
    const auto c = tenet::einsum(gett, "efbad,cf->abcde", x, y);
    double err = 0;
    for (idx a = 0; a < E[0]; ++a)
      for (idx b = 0; b < E[1]; ++b)
        for (idx cc = 0; cc < E[2]; ++cc)
          for (idx d = 0; d < E[3]; ++d)
            for (idx e = 0; e < E[4]; ++e) {
              double ref = 0;
              for (idx f = 0; f < E[5]; ++f)
                ref += static_cast<double>(x(e, f, b, a, d)) * static_cast<double>(y(cc, f));
              err = std::max(err, std::abs(ref - static_cast<double>(c(a, b, cc, d, e))));
            }
    CHECK(err <= (sizeof(T) == 4 ? 1e-5 : 1e-13));
    // abcd = sum_e A(d, b, e, a) B(e, c): B's rows are a's 31 in either order (C's, the
    // wider rows, is kept).
    tenet::dtensor<T> u(tenet::dyn_extents({5, 3, 4, 31})), v(4, 6);
    CHECK(tenet::explain(gett, "dbea,ec->abcd", u, v).steps[0].n_labels == "abd");
  };
  check(tenet::exec::seq, 0.0f);
  check(tenet::exec::seq, 0.0);
  check(tenet::exec::par(2), 0.0f);
  check(tenet::exec::par(2), 0.0);
}
