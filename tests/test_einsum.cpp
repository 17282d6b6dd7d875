// einsum, form by form, against explicit loops over the definition written here in double.
//
// Every form runs through check_form: random operands (double, then float), each passed as
//   - a dtensor,
//   - a strided view of a copy stored with its modes in reverse order (a permuted view),
//   - a view with a negative stride on the first mode,
// through both einsum("...") and einsum<"...">, under exec::seq, exec::par and exec::par(2).
// The expected value of every output element is its exact sum in double; the sum of the
// absolute values of its terms bounds the rounding error (|result - sum| <= rtol * sum|term|).
// Forms with static extents also check the deduced result type.
#include <doctest/doctest.h>

#include <tenet/tenet.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

using tenet::dtensor;
using tenet::dtensor_view;
using tenet::dyn;
using idx = tenet::index;
using tenet::tensor;
using tenet::tensor_view;
namespace exec = tenet::exec;
using D = dtensor<double>;

template <class T>
constexpr double rtol_v = std::is_same_v<T, float> ? 1e-4 : 1e-12;

// The expected output: exact sums and sums of |term|, row-major over `shape`.
struct expected {
  std::vector<idx> shape;
  std::vector<double> val, mag;
  explicit expected(std::vector<idx> s) : shape(std::move(s)) {
    idx n = 1;
    for (idx e : shape) n *= e;
    val.assign(static_cast<std::size_t>(n), 0.0);
    mag.assign(static_cast<std::size_t>(n), 0.0);
  }
  template <class... I>
  void add(double term, I... i) {
    if (sizeof...(I) != shape.size()) FAIL("the reference adds to an element of another rank");
    const idx at[] = {static_cast<idx>(i)..., 0};
    idx off = 0;
    for (std::size_t r = 0; r < shape.size(); ++r) off = off * shape[r] + at[r];
    val[static_cast<std::size_t>(off)] += term;
    mag[static_cast<std::size_t>(off)] += std::abs(term);
  }
};

std::string shape_str(const std::vector<idx>& s) {
  std::string r = "(";
  for (std::size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + ")";
}

// Compares a result (an owning tensor: contiguous, row-major) with the expected sums.
template <class R>
void check_matches(const R& res, const expected& e, double rtol, const std::string& what) {
  INFO(what);
  std::vector<idx> got(res.rank());
  for (std::size_t r = 0; r < res.rank(); ++r) got[r] = res.extent(r);
  INFO("result shape " << shape_str(got) << ", expected " << shape_str(e.shape));
  REQUIRE(got == e.shape);
  REQUIRE(static_cast<std::size_t>(res.size()) == e.val.size());
  idx bad = 0, first = -1;
  for (std::size_t n = 0; n < e.val.size(); ++n) {
    const double x = static_cast<double>(res.data()[n]);
    if (!(std::abs(x - e.val[n]) <= rtol * e.mag[n])) {
      if (bad++ == 0) first = static_cast<idx>(n);
    }
  }
  if (bad) {
    const auto f = static_cast<std::size_t>(first);
    INFO("first wrong element at flat index " << first << ": got " << static_cast<double>(res.data()[f])
                                              << ", expected " << e.val[f] << " (sum |terms| " << e.mag[f] << ")");
    CHECK(bad == 0);
  } else {
    CHECK(bad == 0);
  }
}

template <class F>
void for_each_index(const std::vector<idx>& shape, F&& f) {
  idx n = 1;
  for (idx e : shape) n *= e;
  std::vector<idx> i(shape.size(), 0);
  for (idx c = 0; c < n; ++c) {
    f(i);
    for (std::size_t r = shape.size(); r-- > 0;) {
      if (++i[r] < shape[r]) break;
      i[r] = 0;
    }
  }
}

template <class X>
std::vector<idx> shape_of(const X& x) {
  std::vector<idx> s(x.rank());
  for (std::size_t r = 0; r < x.rank(); ++r) s[r] = x.extent(r);
  return s;
}

template <class T>
dtensor<T> random_tensor(const std::vector<idx>& shape, std::uint64_t seed) {
  dtensor<T> x{tenet::dyn_extents(std::span<const idx>(shape))};
  x.fill_random(seed);
  return x;
}

// An owning tensor (contiguous) as a dtensor<double>, element by element.
template <class X>
D to_double(const X& x) {
  const std::vector<idx> s = shape_of(x);
  D d{tenet::dyn_extents(std::span<const idx>(s))};
  for (idx n = 0; n < x.size(); ++n) d.data()[n] = static_cast<double>(x.data()[n]);
  return d;
}

// The logical tensor x stored elsewhere with another layout, and the strided view of that
// storage that shows x again: v(i...) == x(i...).
template <class T>
struct relayout {
  dtensor<T> storage;
  dtensor_view<const T> view;
};

// Storage with the modes in reverse order; the view's strides grow from first to last mode.
template <class T>
relayout<T> reversed_modes(const dtensor<T>& x) {
  const std::vector<idx> s = shape_of(x);
  const std::size_t R = s.size();
  std::vector<idx> rs(s.rbegin(), s.rend());
  relayout<T> out;
  out.storage = dtensor<T>{tenet::dyn_extents(std::span<const idx>(rs))};
  std::vector<idx> str(R);
  idx acc = 1;
  for (std::size_t r = 0; r < R; ++r) {  // storage mode R-1-r is x's mode r
    str[r] = acc;
    acc *= s[r];
  }
  idx n = 0;
  for_each_index(s, [&](const std::vector<idx>& i) {
    idx off = 0;
    for (std::size_t r = 0; r < R; ++r) off += i[r] * str[r];
    out.storage.data()[off] = x.data()[n++];
  });
  out.view = dtensor_view<const T>(out.storage.data(), tenet::dyn_extents(std::span<const idx>(s)), str);
  return out;
}

// Storage with the first mode flipped; the view walks it backwards (a negative stride).
template <class T>
relayout<T> flipped_first_mode(const dtensor<T>& x) {
  const std::vector<idx> s = shape_of(x);
  const std::size_t R = s.size();
  relayout<T> out;
  out.storage = dtensor<T>{tenet::dyn_extents(std::span<const idx>(s))};
  std::vector<idx> str(R);
  idx acc = 1;
  for (std::size_t r = R; r-- > 0;) {
    str[r] = acc;
    acc *= s[r];
  }
  if (R == 0 || x.size() == 0) {
    for (idx n = 0; n < x.size(); ++n) out.storage.data()[n] = x.data()[n];
    out.view = dtensor_view<const T>(out.storage.data(), tenet::dyn_extents(std::span<const idx>(s)), str);
    return out;
  }
  idx n = 0;
  for_each_index(s, [&](const std::vector<idx>& i) {
    idx off = (s[0] - 1 - i[0]) * str[0];
    for (std::size_t r = 1; r < R; ++r) off += i[r] * str[r];
    out.storage.data()[off] = x.data()[n++];
  });
  const idx base = (s[0] - 1) * str[0];
  str[0] = -str[0];
  out.view = dtensor_view<const T>(out.storage.data() + base, tenet::dyn_extents(std::span<const idx>(s)), str);
  return out;
}

constexpr std::uint64_t seed_of(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

// Random operands of one form, in three layouts, with the expected result.
template <class T, std::size_t N>
struct form_case {
  std::array<dtensor<T>, N> x;
  std::array<relayout<T>, N> rev, flip;
  std::array<D, N> xd;  // x in double, for the reference
  std::string ctx;
};

template <class T, std::size_t N>
form_case<T, N> make_case(std::string_view s, const std::array<std::vector<idx>, N>& shapes) {
  form_case<T, N> c;
  std::uint64_t seed = seed_of(s);
  std::string desc;
  for (std::size_t p = 0; p < N; ++p) {
    for (idx e : shapes[p]) seed = seed * 31 + static_cast<std::uint64_t>(e);
    c.x[p] = random_tensor<T>(shapes[p], seed + p);
    c.xd[p] = to_double(c.x[p]);
    c.rev[p] = reversed_modes(c.x[p]);
    c.flip[p] = flipped_first_mode(c.x[p]);
    if (p) desc += ", ";
    desc += shape_str(shapes[p]);
  }
  c.ctx = std::string(s) + " on " + desc + (std::is_same_v<T, float> ? " (float)" : " (double)");
  return c;
}

template <class T, std::size_t N>
auto views_of(const std::array<relayout<T>, N>& rl) {
  return std::apply([](const auto&... l) { return std::make_tuple(l.view...); }, rl);
}

// Run-time subscripts: every layout under every policy (instantiated once per T and N).
template <class T, std::size_t N>
void check_runtime(std::string_view s, const form_case<T, N>& c, const expected& e) {
  const double rtol = rtol_v<T>;
  auto run = [&](auto policy, const std::string& pname) {
    std::apply([&](const auto&... a) { check_matches(tenet::einsum(policy, s, a...), e, rtol, c.ctx + ", dtensors, " + pname); }, c.x);
    std::apply([&](const auto&... a) { check_matches(tenet::einsum(policy, s, a...), e, rtol, c.ctx + ", reversed-mode views, " + pname); }, views_of(c.rev));
    std::apply([&](const auto&... a) { check_matches(tenet::einsum(policy, s, a...), e, rtol, c.ctx + ", negative-stride views, " + pname); }, views_of(c.flip));
  };
  run(exec::seq, "seq");
  run(exec::par, "par");
  run(exec::par(2), "par(2)");
  std::apply([&](const auto&... a) { check_matches(tenet::einsum(s, a...), e, rtol, c.ctx + ", no policy"); }, c.x);
}

// Compile-time subscripts on run-time shapes: the result has only dynamic extents.
template <tenet::fixed_string S, class T, std::size_t N>
void check_compile_time(const form_case<T, N>& c, const expected& e) {
  const double rtol = rtol_v<T>;
  auto check = [&](const auto& r, const std::string& what) {
    using Ext = typename std::remove_cvref_t<decltype(r)>::extents_type;
    static_assert(Ext::rank_dynamic() == Ext::rank(), "einsum<> of dtensors has only dynamic extents");
    CHECK(Ext::rank() == e.shape.size());
    check_matches(r, e, rtol, c.ctx + ", compile-time, " + what);
  };
  std::apply([&](const auto&... a) { check(tenet::einsum<S>(a...), "dtensors, no policy"); }, c.x);
  std::apply([&](const auto&... a) { check(tenet::einsum<S>(exec::par, a...), "dtensors, par"); }, c.x);
  std::apply([&](const auto&... a) { check(tenet::einsum<S>(exec::par(2), a...), "reversed-mode views, par(2)"); }, views_of(c.rev));
}

// One form on operands of the given shapes, in double and in float.
template <tenet::fixed_string S, std::size_t N, class Ref>
void check_form(const std::array<std::vector<idx>, N>& shapes, Ref ref) {
  {
    const auto c = make_case<double>(S.view(), shapes);
    const expected e = std::apply(ref, c.xd);
    check_runtime(S.view(), c, e);
    check_compile_time<S>(c, e);
  }
  {
    const auto c = make_case<float>(S.view(), shapes);
    const expected e = std::apply(ref, c.xd);
    check_runtime(S.view(), c, e);
    check_compile_time<S>(c, e);
  }
}

template <class X>
auto as_view_at(const X& x, const std::vector<idx>& i) {
  const auto v = tenet::as_view(x);
  return v[std::span<const idx>(i)];
}

// A contiguous copy of a tensor or view, made element by element.
template <class X>
auto tensor_copy(const X& x) {
  using T = std::remove_cv_t<typename X::value_type>;
  const std::vector<idx> s = shape_of(x);
  dtensor<T> c{tenet::dyn_extents(std::span<const idx>(s))};
  idx n = 0;
  for_each_index(s, [&](const std::vector<idx>& i) { c.data()[n++] = as_view_at(x, i); });
  return c;
}

// A compile-time result against the reference on the same operands (static tensors or views).
template <class R, class Ref, class... X>
void check_static(const R& r, Ref ref, const X&... x) {
  using T = typename R::value_type;
  check_matches(r, ref(to_double(tensor_copy(x))...), rtol_v<T>, "static extents");
}

// ---- references, by the definitions ----

const auto ref_matmul = [](const D& A, const D& B) {
  expected e({A.extent(0), B.extent(1)});
  for (idx i = 0; i < A.extent(0); ++i)
    for (idx j = 0; j < A.extent(1); ++j)
      for (idx k = 0; k < B.extent(1); ++k) e.add(A(i, j) * B(j, k), i, k);
  return e;
};

}  // namespace

TEST_CASE("einsum: matrix product ij,jk->ik") {
  using S3 = std::array<std::vector<idx>, 2>;
  check_form<"ij,jk->ik">(S3{{{3, 4}, {4, 5}}}, ref_matmul);
  check_form<"ij,jk->ik">(S3{{{1, 1}, {1, 1}}}, ref_matmul);
  check_form<"ij,jk->ik">(S3{{{33, 40}, {40, 29}}}, ref_matmul);
  check_form<"ij,jk->ik">(S3{{{96, 70}, {70, 81}}}, ref_matmul);  // large enough for threads
  check_form<"ij,jk->ik">(S3{{{1, 50}, {50, 40}}}, ref_matmul);  // a row times a matrix
  check_form<"ij,jk->ik">(S3{{{40, 50}, {50, 1}}}, ref_matmul);  // a matrix times a column

  SUBCASE("static extents: deduced result types") {
    tensor<double, 3, 4> A;
    tensor<double, 4, 5> B;
    A.fill_random(1);
    B.fill_random(2);
    auto C = tenet::einsum<"ij,jk->ik">(A, B);
    static_assert(std::is_same_v<decltype(C), tensor<double, 3, 5>>);
    check_static(C, ref_matmul, A, B);
    auto Cp = tenet::einsum<"ij,jk->ik">(exec::par(2), A, B);
    static_assert(std::is_same_v<decltype(Cp), tensor<double, 3, 5>>);
    check_static(Cp, ref_matmul, A, B);

    tensor<double, dyn, 4> Ad(3);
    Ad.fill_random(3);
    auto C2 = tenet::einsum<"ij,jk->ik">(Ad, B);
    static_assert(std::is_same_v<decltype(C2), tensor<double, dyn, 5>>);
    check_static(C2, ref_matmul, Ad, B);

    D Add = random_tensor<double>({3, 4}, 4);
    auto C3 = tenet::einsum<"ij,jk->ik">(Add, B);  // k static from B only
    static_assert(std::is_same_v<decltype(C3), tensor<double, dyn, 5>>);
    check_static(C3, ref_matmul, Add, B);

    // A static view: the transpose of a 4x3 tensor.
    tensor<double, 4, 3> At;
    At.fill_random(5);
    const auto Av = tenet::permute<1, 0>(At);
    auto C4 = tenet::einsum<"ij,jk->ik">(Av, B);
    static_assert(std::is_same_v<decltype(C4), tensor<double, 3, 5>>);
    check_static(C4, ref_matmul, Av, B);

    const tensor<float, 3, 4> Af(A);
    const tensor<float, 4, 5> Bf(B);
    auto C5 = tenet::einsum<"ij,jk->ik">(exec::par, Af, Bf);
    static_assert(std::is_same_v<decltype(C5), tensor<float, 3, 5>>);
    check_static(C5, ref_matmul, Af, Bf);

    // Const views of const elements.
    tensor_view<const double, 3, 4> Acv = A.view();
    auto C6 = tenet::einsum<"ij,jk->ik">(Acv, std::as_const(B).view());
    static_assert(std::is_same_v<decltype(C6), tensor<double, 3, 5>>);
    check_static(C6, ref_matmul, Acv, B);
    // Run-time subscripts on static tensors give a dtensor.
    auto C7 = tenet::einsum("ij,jk->ik", A, B);
    static_assert(std::is_same_v<decltype(C7), dtensor<double>>);
    check_static(C7, ref_matmul, A, B);
  }
}

TEST_CASE("einsum: transposed inputs and outputs") {
  using S2 = std::array<std::vector<idx>, 2>;
  const auto ji_jk_ik = [](const D& A, const D& B) {  // A^T B
    expected e({A.extent(1), B.extent(1)});
    for (idx i = 0; i < A.extent(1); ++i)
      for (idx j = 0; j < A.extent(0); ++j)
        for (idx k = 0; k < B.extent(1); ++k) e.add(A(j, i) * B(j, k), i, k);
    return e;
  };
  const auto ij_kj_ik = [](const D& A, const D& B) {  // A B^T
    expected e({A.extent(0), B.extent(0)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j)
        for (idx k = 0; k < B.extent(0); ++k) e.add(A(i, j) * B(k, j), i, k);
    return e;
  };
  const auto ji_kj_ik = [](const D& A, const D& B) {  // A^T B^T
    expected e({A.extent(1), B.extent(0)});
    for (idx i = 0; i < A.extent(1); ++i)
      for (idx j = 0; j < A.extent(0); ++j)
        for (idx k = 0; k < B.extent(0); ++k) e.add(A(j, i) * B(k, j), i, k);
    return e;
  };
  const auto ij_jk_ki = [](const D& A, const D& B) {  // (A B)^T
    expected e({B.extent(1), A.extent(0)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j)
        for (idx k = 0; k < B.extent(1); ++k) e.add(A(i, j) * B(j, k), k, i);
    return e;
  };
  const auto ji_kj_ki = [](const D& A, const D& B) {  // (A^T B^T)^T = B A
    expected e({B.extent(0), A.extent(1)});
    for (idx i = 0; i < A.extent(1); ++i)
      for (idx j = 0; j < A.extent(0); ++j)
        for (idx k = 0; k < B.extent(0); ++k) e.add(A(j, i) * B(k, j), k, i);
    return e;
  };
  for (const auto& mkn : {std::array<idx, 3>{3, 4, 5}, std::array<idx, 3>{37, 41, 29}}) {
    const idx m = mkn[0], k = mkn[1], n = mkn[2];  // not a structured binding: clang 14 cannot capture those
    check_form<"ji,jk->ik">(S2{{{k, m}, {k, n}}}, ji_jk_ik);
    check_form<"ij,kj->ik">(S2{{{m, k}, {n, k}}}, ij_kj_ik);
    check_form<"ji,kj->ik">(S2{{{k, m}, {n, k}}}, ji_kj_ik);
    check_form<"ij,jk->ki">(S2{{{m, k}, {k, n}}}, ij_jk_ki);
    check_form<"ji,kj->ki">(S2{{{k, m}, {n, k}}}, ji_kj_ki);
  }
  tensor<double, 4, 3> A;
  tensor<double, 5, 4> B;
  A.fill_random(8);
  B.fill_random(9);
  auto C = tenet::einsum<"ji,kj->ki">(A, B);
  static_assert(std::is_same_v<decltype(C), tensor<double, 5, 3>>);
  check_static(C, ji_kj_ki, A, B);
}

TEST_CASE("einsum: acd,db->abc (abc = acd * db)") {
  const auto ref = [](const D& A, const D& B) {
    const idx na = A.extent(0), nc = A.extent(1), nd = A.extent(2), nb = B.extent(1);
    expected e({na, nb, nc});
    for (idx a = 0; a < na; ++a)
      for (idx b = 0; b < nb; ++b)
        for (idx c = 0; c < nc; ++c)
          for (idx d = 0; d < nd; ++d) e.add(A(a, c, d) * B(d, b), a, b, c);
    return e;
  };
  using S2 = std::array<std::vector<idx>, 2>;
  check_form<"acd,db->abc">(S2{{{2, 3, 4}, {4, 5}}}, ref);
  check_form<"acd,db->abc">(S2{{{9, 11, 24}, {24, 13}}}, ref);
  tensor<double, 2, 3, 4> A;
  tensor<double, 4, 5> B;
  A.fill_random(10);
  B.fill_random(11);
  auto C = tenet::einsum<"acd,db->abc">(A, B);
  static_assert(std::is_same_v<decltype(C), tensor<double, 2, 5, 3>>);
  check_static(C, ref, A, B);
}

TEST_CASE("einsum: aebf,fdec->abcd") {
  const auto ref = [](const D& A, const D& B) {
    const idx na = A.extent(0), ne = A.extent(1), nb = A.extent(2), nf = A.extent(3);
    const idx nd = B.extent(1), nc = B.extent(3);
    expected e({na, nb, nc, nd});
    for (idx a = 0; a < na; ++a)
      for (idx b = 0; b < nb; ++b)
        for (idx c = 0; c < nc; ++c)
          for (idx d = 0; d < nd; ++d)
            for (idx ee = 0; ee < ne; ++ee)
              for (idx f = 0; f < nf; ++f) e.add(A(a, ee, b, f) * B(f, d, ee, c), a, b, c, d);
    return e;
  };
  using S2 = std::array<std::vector<idx>, 2>;
  // a, b, c, d, e, f
  check_form<"aebf,fdec->abcd">(S2{{{2, 3, 4, 5}, {5, 2, 3, 3}}}, ref);
  check_form<"aebf,fdec->abcd">(S2{{{7, 6, 5, 8}, {8, 9, 6, 4}}}, ref);
  check_form<"aebf,fdec->abcd">(S2{{{1, 6, 5, 1}, {1, 9, 6, 1}}}, ref);
  tensor<double, 2, 3, 4, 5> A;
  tensor<double, 5, 6, 3, 7> B;
  A.fill_random(12);
  B.fill_random(13);
  auto C = tenet::einsum<"aebf,fdec->abcd">(A, B);
  static_assert(std::is_same_v<decltype(C), tensor<double, 2, 4, 7, 6>>);
  check_static(C, ref, A, B);
}

TEST_CASE("einsum: acd,dbc->ab (two contracted modes)") {
  const auto ref = [](const D& A, const D& B) {
    const idx na = A.extent(0), nc = A.extent(1), nd = A.extent(2), nb = B.extent(1);
    expected e({na, nb});
    for (idx a = 0; a < na; ++a)
      for (idx b = 0; b < nb; ++b)
        for (idx c = 0; c < nc; ++c)
          for (idx d = 0; d < nd; ++d) e.add(A(a, c, d) * B(d, b, c), a, b);
    return e;
  };
  using S2 = std::array<std::vector<idx>, 2>;
  check_form<"acd,dbc->ab">(S2{{{2, 3, 4}, {4, 5, 3}}}, ref);
  check_form<"acd,dbc->ab">(S2{{{20, 12, 15}, {15, 22, 12}}}, ref);
  // c and d multiples of the lanes, A contiguous in d and B in c: GETT splits both (k tiles).
  check_form<"acd,dbc->ab">(S2{{{13, 16, 32}, {32, 17, 16}}}, ref);
  {
    const auto cd = make_case<double>("acd,dbc->ab", S2{{{13, 16, 32}, {32, 17, 16}}});
    const auto cf = make_case<float>("acd,dbc->ab", S2{{{13, 16, 32}, {32, 17, 16}}});
    const auto gett = exec::seq.with(exec::engine::gett);
    CHECK(tenet::explain(gett, "acd,dbc->ab", std::get<0>(cd.x), std::get<1>(cd.x)).steps[0].used == exec::engine::gett);
    check_matches(tenet::einsum(gett, "acd,dbc->ab", std::get<0>(cd.x), std::get<1>(cd.x)), std::apply(ref, cd.xd),
                  rtol_v<double>, "gett, double");
    check_matches(tenet::einsum(exec::par(2).with(exec::engine::gett), "acd,dbc->ab", std::get<0>(cf.x), std::get<1>(cf.x)),
                  std::apply(ref, cf.xd), rtol_v<float>, "gett, float, par(2)");
  }
  tensor<double, 2, 3, 4> A;
  tensor<double, 4, 5, 3> B;
  A.fill_random(14);
  B.fill_random(15);
  auto C = tenet::einsum<"acd,dbc->ab">(A, B);
  static_assert(std::is_same_v<decltype(C), tensor<double, 2, 5>>);
  check_static(C, ref, A, B);
}

TEST_CASE("einsum: ad,bdc->abc") {
  const auto ref = [](const D& A, const D& B) {
    const idx na = A.extent(0), nd = A.extent(1), nb = B.extent(0), nc = B.extent(2);
    expected e({na, nb, nc});
    for (idx a = 0; a < na; ++a)
      for (idx b = 0; b < nb; ++b)
        for (idx c = 0; c < nc; ++c)
          for (idx d = 0; d < nd; ++d) e.add(A(a, d) * B(b, d, c), a, b, c);
    return e;
  };
  using S2 = std::array<std::vector<idx>, 2>;
  check_form<"ad,bdc->abc">(S2{{{3, 4}, {2, 4, 5}}}, ref);
  check_form<"ad,bdc->abc">(S2{{{21, 30}, {10, 30, 17}}}, ref);
  tensor<double, 3, 4> A;
  tensor<double, 2, 4, 5> B;
  A.fill_random(16);
  B.fill_random(17);
  auto C = tenet::einsum<"ad,bdc->abc">(A, B);
  static_assert(std::is_same_v<decltype(C), tensor<double, 3, 2, 5>>);
  check_static(C, ref, A, B);
}

TEST_CASE("einsum: batched products") {
  using S2 = std::array<std::vector<idx>, 2>;
  const auto bik_bkj = [](const D& A, const D& B) {
    const idx nb = A.extent(0), ni = A.extent(1), nk = A.extent(2), nj = B.extent(2);
    expected e({nb, ni, nj});
    for (idx b = 0; b < nb; ++b)
      for (idx i = 0; i < ni; ++i)
        for (idx j = 0; j < nj; ++j)
          for (idx k = 0; k < nk; ++k) e.add(A(b, i, k) * B(b, k, j), b, i, j);
    return e;
  };
  check_form<"bik,bkj->bij">(S2{{{2, 3, 4}, {2, 4, 5}}}, bik_bkj);
  check_form<"bik,bkj->bij">(S2{{{6, 30, 20}, {6, 20, 25}}}, bik_bkj);
  check_form<"bik,bkj->bij">(S2{{{40, 9, 8}, {40, 8, 7}}}, bik_bkj);

  const auto ibk_kjb = [](const D& A, const D& B) {  // the batch mode in the middle and last
    const idx ni = A.extent(0), nb = A.extent(1), nk = A.extent(2), nj = B.extent(1);
    expected e({nb, ni, nj});
    for (idx b = 0; b < nb; ++b)
      for (idx i = 0; i < ni; ++i)
        for (idx j = 0; j < nj; ++j)
          for (idx k = 0; k < nk; ++k) e.add(A(i, b, k) * B(k, j, b), b, i, j);
    return e;
  };
  check_form<"ibk,kjb->bij">(S2{{{3, 2, 4}, {4, 5, 2}}}, ibk_kjb);
  check_form<"ibk,kjb->bij">(S2{{{17, 5, 19}, {19, 23, 5}}}, ibk_kjb);

  const auto bij_bj = [](const D& A, const D& x) {
    expected e({A.extent(0), A.extent(1)});
    for (idx b = 0; b < A.extent(0); ++b)
      for (idx i = 0; i < A.extent(1); ++i)
        for (idx j = 0; j < A.extent(2); ++j) e.add(A(b, i, j) * x(b, j), b, i);
    return e;
  };
  check_form<"bij,bj->bi">(S2{{{3, 4, 5}, {3, 5}}}, bij_bj);
  check_form<"bij,bj->bi">(S2{{{12, 31, 27}, {12, 27}}}, bij_bj);

  const auto bi_bi = [](const D& x, const D& y) {
    expected e({x.extent(0)});
    for (idx b = 0; b < x.extent(0); ++b)
      for (idx i = 0; i < x.extent(1); ++i) e.add(x(b, i) * y(b, i), b);
    return e;
  };
  check_form<"bi,bi->b">(S2{{{4, 6}, {4, 6}}}, bi_bi);
  check_form<"bi,bi->b">(S2{{{50, 70}, {50, 70}}}, bi_bi);

  tensor<double, 2, 3, 4> A;
  tensor<double, 2, 4, 5> B;
  A.fill_random(18);
  B.fill_random(19);
  auto C = tenet::einsum<"bik,bkj->bij">(exec::par, A, B);
  static_assert(std::is_same_v<decltype(C), tensor<double, 2, 3, 5>>);
  check_static(C, bik_bkj, A, B);
}

TEST_CASE("einsum: ibj,ab->iaj (a mode product)") {
  const auto ref = [](const D& X, const D& U) {
    const idx ni = X.extent(0), nb = X.extent(1), nj = X.extent(2), na = U.extent(0);
    expected e({ni, na, nj});
    for (idx i = 0; i < ni; ++i)
      for (idx a = 0; a < na; ++a)
        for (idx j = 0; j < nj; ++j)
          for (idx b = 0; b < nb; ++b) e.add(X(i, b, j) * U(a, b), i, a, j);
    return e;
  };
  using S2 = std::array<std::vector<idx>, 2>;
  check_form<"ibj,ab->iaj">(S2{{{2, 3, 4}, {5, 3}}}, ref);
  check_form<"ibj,ab->iaj">(S2{{{13, 24, 11}, {19, 24}}}, ref);
  tensor<double, 2, 3, 4> X;
  tensor<double, 5, 3> U;
  X.fill_random(20);
  U.fill_random(21);
  auto C = tenet::einsum<"ibj,ab->iaj">(X, U);
  static_assert(std::is_same_v<decltype(C), tensor<double, 2, 5, 4>>);
  check_static(C, ref, X, U);
}

TEST_CASE("einsum: traces and diagonals") {
  using S1 = std::array<std::vector<idx>, 1>;
  using S2 = std::array<std::vector<idx>, 2>;
  const auto trace = [](const D& A) {
    expected e({});
    for (idx i = 0; i < A.extent(0); ++i) e.add(A(i, i));
    return e;
  };
  const auto diag = [](const D& A) {
    expected e({A.extent(0)});
    for (idx i = 0; i < A.extent(0); ++i) e.add(A(i, i), i);
    return e;
  };
  const auto iij_j = [](const D& A) {
    expected e({A.extent(2)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(2); ++j) e.add(A(i, i, j), j);
    return e;
  };
  const auto iji_ij = [](const D& A) {
    expected e({A.extent(0), A.extent(1)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j) e.add(A(i, j, i), i, j);
    return e;
  };
  const auto iii_i = [](const D& A) {
    expected e({A.extent(0)});
    for (idx i = 0; i < A.extent(0); ++i) e.add(A(i, i, i), i);
    return e;
  };
  const auto ii_ij_j = [](const D& A, const D& B) {  // a diagonal inside a contraction
    expected e({B.extent(1)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < B.extent(1); ++j) e.add(A(i, i) * B(i, j), j);
    return e;
  };
  const auto ijji = [](const D& A) {  // two traces at once: sum_ij A(i,j,j,i)
    expected e({});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j) e.add(A(i, j, j, i));
    return e;
  };
  for (idx n : {1, 4, 37}) {
    check_form<"ii->">(S1{{{n, n}}}, trace);
    check_form<"ii">(S1{{{n, n}}}, trace);  // implicit: i occurs twice, so it is summed
    check_form<"ii->i">(S1{{{n, n}}}, diag);
    check_form<"iij->j">(S1{{{n, n, 3}}}, iij_j);
    check_form<"iji->ij">(S1{{{n, 5, n}}}, iji_ij);
    check_form<"iii->i">(S1{{{n, n, n}}}, iii_i);
    check_form<"ii,ij->j">(S2{{{n, n}, {n, 6}}}, ii_ij_j);
    check_form<"ijji->">(S1{{{n, 3, 3, n}}}, ijji);
  }
  tensor<double, 4, 4> A;
  A.fill_random(22);
  auto t = tenet::einsum<"ii->">(A);
  static_assert(std::is_same_v<decltype(t), tensor<double>>);
  check_static(t, trace, A);
  auto d = tenet::einsum<"ii->i">(A);
  static_assert(std::is_same_v<decltype(d), tensor<double, 4>>);
  check_static(d, diag, A);
  tensor<double, 3, 3, 5> B;
  B.fill_random(23);
  auto s = tenet::einsum<"iij->j">(B);
  static_assert(std::is_same_v<decltype(s), tensor<double, 5>>);
  check_static(s, iij_j, B);
}

TEST_CASE("einsum: outer and Hadamard products") {
  using S2 = std::array<std::vector<idx>, 2>;
  const auto outer = [](const D& x, const D& y) {
    expected e({x.extent(0), y.extent(0)});
    for (idx i = 0; i < x.extent(0); ++i)
      for (idx j = 0; j < y.extent(0); ++j) e.add(x(i) * y(j), i, j);
    return e;
  };
  const auto outer3 = [](const D& A, const D& y) {  // "ij,k->ikj"
    expected e({A.extent(0), y.extent(0), A.extent(1)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j)
        for (idx k = 0; k < y.extent(0); ++k) e.add(A(i, j) * y(k), i, k, j);
    return e;
  };
  const auto hadamard = [](const D& A, const D& B) {
    expected e({A.extent(0), A.extent(1)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j) e.add(A(i, j) * B(i, j), i, j);
    return e;
  };
  const auto hadamard_t = [](const D& A, const D& B) {  // "ij,ji->ij"
    expected e({A.extent(0), A.extent(1)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j) e.add(A(i, j) * B(j, i), i, j);
    return e;
  };
  const auto vec_had = [](const D& x, const D& y) {
    expected e({x.extent(0)});
    for (idx i = 0; i < x.extent(0); ++i) e.add(x(i) * y(i), i);
    return e;
  };
  check_form<"i,j->ij">(S2{{{3}, {4}}}, outer);
  check_form<"i,j->ij">(S2{{{130}, {170}}}, outer);
  check_form<"i,j->ji">(S2{{{30}, {17}}}, [&](const D& x, const D& y) {
    expected e({y.extent(0), x.extent(0)});
    for (idx i = 0; i < x.extent(0); ++i)
      for (idx j = 0; j < y.extent(0); ++j) e.add(x(i) * y(j), j, i);
    return e;
  });
  check_form<"ij,k->ikj">(S2{{{3, 4}, {5}}}, outer3);
  check_form<"ij,k->ikj">(S2{{{23, 14}, {25}}}, outer3);
  check_form<"ij,ij->ij">(S2{{{3, 4}, {3, 4}}}, hadamard);
  check_form<"ij,ij->ij">(S2{{{200, 190}, {200, 190}}}, hadamard);  // large: parallel direct loops
  check_form<"ij,ji->ij">(S2{{{3, 4}, {4, 3}}}, hadamard_t);
  check_form<"ij,ji->ij">(S2{{{41, 37}, {37, 41}}}, hadamard_t);
  check_form<"i,i->i">(S2{{{7}, {7}}}, vec_had);

  tensor<double, 3> x;
  tensor<double, 4> y;
  x.fill_random(24);
  y.fill_random(25);
  auto o = tenet::einsum<"i,j->ij">(x, y);
  static_assert(std::is_same_v<decltype(o), tensor<double, 3, 4>>);
  check_static(o, outer, x, y);
  tensor<double, 3, 4> A, B;
  A.fill_random(26);
  B.fill_random(27);
  auto h = tenet::einsum<"ij,ij->ij">(A, B);
  static_assert(std::is_same_v<decltype(h), tensor<double, 3, 4>>);
  check_static(h, hadamard, A, B);
}

TEST_CASE("einsum: sums and permutations of one operand") {
  using S1 = std::array<std::vector<idx>, 1>;
  const auto sum_all = [](const D& A) {
    expected e({});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j) e.add(A(i, j));
    return e;
  };
  const auto sum_rows = [](const D& A) {  // ij->j
    expected e({A.extent(1)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j) e.add(A(i, j), j);
    return e;
  };
  const auto sum_cols = [](const D& A) {  // ij->i
    expected e({A.extent(0)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j) e.add(A(i, j), i);
    return e;
  };
  const auto ijk_ki = [](const D& A) {
    expected e({A.extent(2), A.extent(0)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j)
        for (idx k = 0; k < A.extent(2); ++k) e.add(A(i, j, k), k, i);
    return e;
  };
  const auto transpose = [](const D& A) {
    expected e({A.extent(1), A.extent(0)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j) e.add(A(i, j), j, i);
    return e;
  };
  const auto ijk_kij = [](const D& A) {
    expected e({A.extent(2), A.extent(0), A.extent(1)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j)
        for (idx k = 0; k < A.extent(2); ++k) e.add(A(i, j, k), k, i, j);
    return e;
  };
  const auto identity = [](const D& A) {
    expected e({A.extent(0), A.extent(1)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j) e.add(A(i, j), i, j);
    return e;
  };
  for (auto s : {std::vector<idx>{3, 4}, std::vector<idx>{1, 9}, std::vector<idx>{67, 45}}) {
    check_form<"ij->">(S1{{s}}, sum_all);
    check_form<"ij->j">(S1{{s}}, sum_rows);
    check_form<"ij->i">(S1{{s}}, sum_cols);
    check_form<"ij->ji">(S1{{s}}, transpose);
    check_form<"ij->ij">(S1{{s}}, identity);
  }
  check_form<"ij->ji">(S1{{{230, 310}}}, transpose);  // large: a tiled, threaded transpose
  check_form<"ijk->ki">(S1{{{3, 4, 5}}}, ijk_ki);
  check_form<"ijk->ki">(S1{{{20, 30, 40}}}, ijk_ki);
  check_form<"ijk->kij">(S1{{{3, 4, 5}}}, ijk_kij);
  check_form<"ijk->kij">(S1{{{40, 30, 50}}}, ijk_kij);

  tensor<double, 3, 4> A;
  A.fill_random(28);
  auto s = tenet::einsum<"ij->">(A);
  static_assert(std::is_same_v<decltype(s), tensor<double>>);
  check_static(s, sum_all, A);
  auto r = tenet::einsum<"ij->j">(A);
  static_assert(std::is_same_v<decltype(r), tensor<double, 4>>);
  check_static(r, sum_rows, A);
}

TEST_CASE("einsum: implicit output (labels that occur once, in ASCII order)") {
  using S1 = std::array<std::vector<idx>, 1>;
  using S2 = std::array<std::vector<idx>, 2>;
  const auto transpose = [](const D& A) {
    expected e({A.extent(1), A.extent(0)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j) e.add(A(i, j), j, i);
    return e;
  };
  const auto identity = [](const D& A) {
    expected e({A.extent(0), A.extent(1)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j) e.add(A(i, j), i, j);
    return e;
  };
  const auto frobenius = [](const D& A, const D& B) {
    expected e({});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j) e.add(A(i, j) * B(i, j));
    return e;
  };
  const auto dot = [](const D& x, const D& y) {
    expected e({});
    for (idx i = 0; i < x.extent(0); ++i) e.add(x(i) * y(i));
    return e;
  };
  const auto ijk_kj = [](const D& A, const D& B) {  // -> "i"
    expected e({A.extent(0)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j)
        for (idx k = 0; k < A.extent(2); ++k) e.add(A(i, j, k) * B(k, j), i);
    return e;
  };
  const auto ki_jk = [](const D& A, const D& B) {  // "ki,jk" -> "ij"
    expected e({A.extent(1), B.extent(0)});
    for (idx k = 0; k < A.extent(0); ++k)
      for (idx i = 0; i < A.extent(1); ++i)
        for (idx j = 0; j < B.extent(0); ++j) e.add(A(k, i) * B(j, k), i, j);
    return e;
  };
  check_form<"ij,jk">(S2{{{3, 4}, {4, 5}}}, ref_matmul);
  check_form<"ij,jk">(S2{{{30, 40}, {40, 50}}}, ref_matmul);
  check_form<"ba">(S1{{{3, 4}}}, transpose);  // output "ab": a transpose
  check_form<"ab">(S1{{{3, 4}}}, identity);
  check_form<"bA">(S1{{{3, 4}}}, transpose);  // 'A' < 'b' in ASCII: output "Ab"
  check_form<"Ba">(S1{{{3, 4}}}, identity);   // output "Ba"
  check_form<"ij,ij">(S2{{{3, 4}, {3, 4}}}, frobenius);
  check_form<"i,i">(S2{{{9}, {9}}}, dot);
  check_form<"ijk,kj">(S2{{{3, 4, 5}, {5, 4}}}, ijk_kj);
  check_form<"ki,jk">(S2{{{4, 3}, {5, 4}}}, ki_jk);  // output "ij", not "ij" by position

  tensor<double, 3, 4> A;
  A.fill_random(29);
  auto t = tenet::einsum<"ba">(A);
  static_assert(std::is_same_v<decltype(t), tensor<double, 4, 3>>);
  check_static(t, transpose, A);
  tensor<double, 4, 5> B;
  B.fill_random(30);
  auto c = tenet::einsum<"ij,jk">(A, B);
  static_assert(std::is_same_v<decltype(c), tensor<double, 3, 5>>);
  check_static(c, ref_matmul, A, B);
}

TEST_CASE("einsum: scalars (rank-0 operands and outputs)") {
  using S1 = std::array<std::vector<idx>, 1>;
  using S2 = std::array<std::vector<idx>, 2>;
  using S3 = std::array<std::vector<idx>, 3>;
  const auto scale = [](const D& s, const D& A) {  // ",ij->ij"
    expected e({A.extent(0), A.extent(1)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j) e.add(s() * A(i, j), i, j);
    return e;
  };
  const auto scale_r = [](const D& x, const D& s) {  // "i,->i"
    expected e({x.extent(0)});
    for (idx i = 0; i < x.extent(0); ++i) e.add(x(i) * s(), i);
    return e;
  };
  const auto product = [](const D& s, const D& t) {  // ",->"
    expected e({});
    e.add(s() * t());
    return e;
  };
  const auto product3 = [](const D& s, const D& t, const D& u) {  // ",,->"
    expected e({});
    e.add(s() * t() * u());
    return e;
  };
  const auto copy = [](const D& s) {  // "->"
    expected e({});
    e.add(s());
    return e;
  };
  const auto sum_scaled = [](const D& s, const D& A) {  // ",ij->"
    expected e({});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j) e.add(s() * A(i, j));
    return e;
  };
  check_form<",ij->ij">(S2{{{}, {3, 4}}}, scale);
  check_form<",ij->ij">(S2{{{}, {31, 47}}}, scale);
  check_form<"i,->i">(S2{{{5}, {}}}, scale_r);
  check_form<",->">(S2{{{}, {}}}, product);
  check_form<",">(S2{{{}, {}}}, product);
  check_form<",,->">(S3{{{}, {}, {}}}, product3);
  check_form<"->">(S1{{{}}}, copy);
  check_form<",ij->">(S2{{{}, {6, 7}}}, sum_scaled);
  check_form<",ij">(S2{{{}, {6, 7}}}, scale);

  tensor<double> s;
  s.fill_random(31);
  tensor<double, 3, 4> A;
  A.fill_random(32);
  auto r = tenet::einsum<",ij->ij">(s, A);
  static_assert(std::is_same_v<decltype(r), tensor<double, 3, 4>>);
  check_static(r, scale, s, A);
  auto q = tenet::einsum<",ij->">(s, A);
  static_assert(std::is_same_v<decltype(q), tensor<double>>);
  check_static(q, sum_scaled, s, A);
  auto c = tenet::einsum<"->">(s);
  static_assert(std::is_same_v<decltype(c), tensor<double>>);
  check_static(c, copy, s);
  D ds;  // a default dtensor is a rank-0 scalar
  ds.fill(2.0);
  auto d = tenet::einsum(",ij->ij", ds, A);
  check_static(d, scale, ds, A);
}

TEST_CASE("einsum: chains of three and four operands") {
  using S3 = std::array<std::vector<idx>, 3>;
  using S4 = std::array<std::vector<idx>, 4>;
  const auto chain3 = [](const D& A, const D& B, const D& C) {
    expected e({A.extent(0), C.extent(1)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j)
        for (idx k = 0; k < B.extent(1); ++k)
          for (idx l = 0; l < C.extent(1); ++l) e.add(A(i, j) * B(j, k) * C(k, l), i, l);
    return e;
  };
  const auto chain4 = [](const D& A, const D& B, const D& C, const D& E) {
    expected e({A.extent(0), E.extent(1)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j)
        for (idx k = 0; k < B.extent(1); ++k)
          for (idx l = 0; l < C.extent(1); ++l)
            for (idx m = 0; m < E.extent(1); ++m) e.add(A(i, j) * B(j, k) * C(k, l) * E(l, m), i, m);
    return e;
  };
  const auto trace3 = [](const D& A, const D& B, const D& C) {  // tr(ABC)
    expected e({});
    for (idx a = 0; a < A.extent(0); ++a)
      for (idx b = 0; b < A.extent(1); ++b)
        for (idx c = 0; c < B.extent(1); ++c) e.add(A(a, b) * B(b, c) * C(c, a));
    return e;
  };
  const auto cp = [](const D& A, const D& B, const D& C) {  // sum_i A(a,i) B(b,i) C(c,i)
    expected e({A.extent(0), B.extent(0), C.extent(0)});
    for (idx a = 0; a < A.extent(0); ++a)
      for (idx b = 0; b < B.extent(0); ++b)
        for (idx c = 0; c < C.extent(0); ++c)
          for (idx i = 0; i < A.extent(1); ++i) e.add(A(a, i) * B(b, i) * C(c, i), a, b, c);
    return e;
  };
  const auto mid = [](const D& A, const D& x, const D& B) {  // "ij,j,jk->ik": j in all three
    expected e({A.extent(0), B.extent(1)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j)
        for (idx k = 0; k < B.extent(1); ++k) e.add(A(i, j) * x(j) * B(j, k), i, k);
    return e;
  };
  const auto triple = [](const D& x, const D& y, const D& z) {
    expected e({});
    for (idx i = 0; i < x.extent(0); ++i) e.add(x(i) * y(i) * z(i));
    return e;
  };
  const auto outer3 = [](const D& x, const D& y, const D& z) {
    expected e({x.extent(0), y.extent(0), z.extent(0)});
    for (idx a = 0; a < x.extent(0); ++a)
      for (idx b = 0; b < y.extent(0); ++b)
        for (idx c = 0; c < z.extent(0); ++c) e.add(x(a) * y(b) * z(c), a, b, c);
    return e;
  };
  const auto late_label = [](const D& A, const D& B, const D& C) {  // "ab,bc,ad->cd": a skips B
    expected e({B.extent(1), C.extent(1)});
    for (idx a = 0; a < A.extent(0); ++a)
      for (idx b = 0; b < A.extent(1); ++b)
        for (idx c = 0; c < B.extent(1); ++c)
          for (idx d = 0; d < C.extent(1); ++d) e.add(A(a, b) * B(b, c) * C(a, d), c, d);
    return e;
  };
  check_form<"ij,jk,kl->il">(S3{{{2, 3}, {3, 4}, {4, 5}}}, chain3);
  check_form<"ij,jk,kl->il">(S3{{{20, 30}, {30, 25}, {25, 17}}}, chain3);
  check_form<"ij,jk,kl">(S3{{{2, 3}, {3, 4}, {4, 5}}}, chain3);
  check_form<"ij,jk,kl,lm->im">(S4{{{2, 3}, {3, 4}, {4, 5}, {5, 2}}}, chain4);
  check_form<"ij,jk,kl,lm->im">(S4{{{12, 13}, {13, 14}, {14, 15}, {15, 11}}}, chain4);
  check_form<"ab,bc,ca->">(S3{{{3, 4}, {4, 5}, {5, 3}}}, trace3);
  check_form<"ab,bc,ca->">(S3{{{13, 14}, {14, 15}, {15, 13}}}, trace3);
  check_form<"ai,bi,ci->abc">(S3{{{3, 4}, {5, 4}, {2, 4}}}, cp);
  check_form<"ai,bi,ci->abc">(S3{{{13, 8}, {15, 8}, {12, 8}}}, cp);
  check_form<"ij,j,jk->ik">(S3{{{3, 4}, {4}, {4, 5}}}, mid);
  check_form<"ij,j,jk->ik">(S3{{{23, 24}, {24}, {24, 25}}}, mid);
  check_form<"i,i,i->">(S3{{{7}, {7}, {7}}}, triple);
  check_form<"a,b,c->abc">(S3{{{2}, {3}, {4}}}, outer3);
  check_form<"ab,bc,ad->cd">(S3{{{3, 4}, {4, 5}, {3, 2}}}, late_label);

  tensor<double, 2, 3> A;
  tensor<double, 3, 4> B;
  tensor<double, 4, 5> C;
  tensor<double, 5, 6> E;
  A.fill_random(33);
  B.fill_random(34);
  C.fill_random(35);
  E.fill_random(36);
  auto r3 = tenet::einsum<"ij,jk,kl->il">(A, B, C);
  static_assert(std::is_same_v<decltype(r3), tensor<double, 2, 5>>);
  check_static(r3, chain3, A, B, C);
  auto r4 = tenet::einsum<"ij,jk,kl,lm->im">(exec::par(2), A, B, C, E);
  static_assert(std::is_same_v<decltype(r4), tensor<double, 2, 6>>);
  check_static(r4, chain4, A, B, C, E);
  // All extents static: the contraction order is planned at compile time.
  tensor<double, 4, 2> G;  // closes the trace of A B G
  G.fill_random(37);
  auto t3 = tenet::einsum<"ab,bc,ca->">(A, B, G);
  static_assert(std::is_same_v<decltype(t3), tensor<double>>);
  check_static(t3, trace3, A, B, G);
  tensor<double, 3, 7> P;
  tensor<double, 4, 7> Q;
  tensor<double, 5, 7> R;
  P.fill_random(39);
  Q.fill_random(40);
  R.fill_random(41);
  auto c3 = tenet::einsum<"ai,bi,ci->abc">(exec::par, P, Q, R);
  static_assert(std::is_same_v<decltype(c3), tensor<double, 3, 4, 5>>);
  check_static(c3, cp, P, Q, R);
  tensor<double, 2, 6> F;
  F.fill_random(38);
  auto l3 = tenet::einsum<"ab,bc,ad->cd">(A, B, F);
  static_assert(std::is_same_v<decltype(l3), tensor<double, 4, 6>>);
  check_static(l3, late_label, A, B, F);
  tensor<double, 3> v;
  v.fill_random(42);
  auto m3 = tenet::einsum<"ij,j,jk->ik">(A, v, B);
  static_assert(std::is_same_v<decltype(m3), tensor<double, 2, 4>>);
  check_static(m3, mid, A, v, B);
}

TEST_CASE("einsum: extents of 0 and 1") {
  using S1 = std::array<std::vector<idx>, 1>;
  using S2 = std::array<std::vector<idx>, 2>;
  // Empty sums give zeros; empty outputs have the right shape.
  check_form<"ij,jk->ik">(S2{{{3, 0}, {0, 4}}}, ref_matmul);
  check_form<"ij,jk->ik">(S2{{{30, 0}, {0, 40}}}, ref_matmul);
  check_form<"ij,jk->ik">(S2{{{0, 4}, {4, 5}}}, ref_matmul);
  check_form<"ij,jk->ik">(S2{{{3, 4}, {4, 0}}}, ref_matmul);
  check_form<"ij,jk->ik">(S2{{{0, 0}, {0, 0}}}, ref_matmul);
  check_form<"ij,jk->ik">(S2{{{1, 7}, {7, 1}}}, ref_matmul);
  check_form<"ij,jk->ik">(S2{{{7, 1}, {1, 9}}}, ref_matmul);
  const auto trace = [](const D& A) {
    expected e({});
    for (idx i = 0; i < A.extent(0); ++i) e.add(A(i, i));
    return e;
  };
  check_form<"ii->">(S1{{{0, 0}}}, trace);
  const auto sum_all = [](const D& A) {
    expected e({});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j) e.add(A(i, j));
    return e;
  };
  check_form<"ij->">(S1{{{0, 3}}}, sum_all);
  const auto sum_rows = [](const D& A) {
    expected e({A.extent(1)});
    for (idx i = 0; i < A.extent(0); ++i)
      for (idx j = 0; j < A.extent(1); ++j) e.add(A(i, j), j);
    return e;
  };
  check_form<"ij->j">(S1{{{0, 5}}}, sum_rows);
  check_form<"ij->j">(S1{{{5, 0}}}, sum_rows);
  const auto bmm = [](const D& A, const D& B) {
    expected e({A.extent(0), A.extent(1), B.extent(2)});
    for (idx b = 0; b < A.extent(0); ++b)
      for (idx i = 0; i < A.extent(1); ++i)
        for (idx j = 0; j < B.extent(2); ++j)
          for (idx k = 0; k < A.extent(2); ++k) e.add(A(b, i, k) * B(b, k, j), b, i, j);
    return e;
  };
  check_form<"bik,bkj->bij">(S2{{{0, 3, 4}, {0, 4, 5}}}, bmm);
  check_form<"bik,bkj->bij">(S2{{{2, 3, 0}, {2, 0, 5}}}, bmm);
  check_form<"bik,bkj->bij">(S2{{{1, 1, 1}, {1, 1, 1}}}, bmm);
  check_form<"bik,bkj->bij">(S2{{{1, 20, 1}, {1, 1, 30}}}, bmm);
  const auto outer = [](const D& x, const D& y) {
    expected e({x.extent(0), y.extent(0)});
    for (idx i = 0; i < x.extent(0); ++i)
      for (idx j = 0; j < y.extent(0); ++j) e.add(x(i) * y(j), i, j);
    return e;
  };
  check_form<"i,j->ij">(S2{{{0}, {4}}}, outer);

  tensor<double, 3, 0> A;
  tensor<double, 0, 4> B;
  auto C = tenet::einsum<"ij,jk->ik">(A, B);
  static_assert(std::is_same_v<decltype(C), tensor<double, 3, 4>>);
  check_static(C, ref_matmul, A, B);
  tensor<double, 0, 4> Z;
  tensor<double, 4, 5> B2;
  B2.fill_random(37);
  auto C2 = tenet::einsum<"ij,jk->ik">(Z, B2);
  static_assert(std::is_same_v<decltype(C2), tensor<double, 0, 5>>);
  CHECK(C2.size() == 0);
}

TEST_CASE("exec::contract: C = A B and C += A B into strided outputs") {
  // C(lc) = sum_j A(i,j) B(j,k), with C written as given or in a transposed view of storage;
  // with accumulate, the previous content of C is added.
  for (const auto& mkn : {std::array<idx, 3>{3, 4, 5}, std::array<idx, 3>{45, 38, 52}}) {
    const idx m = mkn[0], k = mkn[1], n = mkn[2];
    const auto A = random_tensor<double>({m, k}, 40);
    const auto B = random_tensor<double>({k, n}, 41);
    const D A_d = to_double(A), B_d = to_double(B);
    const int la[] = {'i', 'j'}, lb[] = {'j', 'k'}, lik[] = {'i', 'k'};
    for (const bool transposed_c : {false, true})
      for (const bool accumulate : {false, true})
        for (const int threads : {1, 2}) {
          INFO("m, k, n = " << m << ", " << k << ", " << n << "; transposed C " << transposed_c << "; accumulate "
                            << accumulate << "; threads " << threads);
          const D C0 = random_tensor<double>({m, n}, 42);  // the previous content, logical (i, k)
          // Storage of C: (i, k) row-major, or (k, i) row-major seen as (i, k).
          D store = transposed_c ? D{n, m} : D{m, n};
          const std::vector<idx> str = transposed_c ? std::vector<idx>{1, m} : std::vector<idx>{n, 1};
          dtensor_view<double> C(store.data(), tenet::dyn_extents{m, n}, str);
          for (idx i = 0; i < m; ++i)
            for (idx q = 0; q < n; ++q) store.data()[i * str[0] + q * str[1]] = C0(i, q);
          exec::contract(exec::par(threads), A.view(), std::span<const int>(la), B.view(), std::span<const int>(lb), C,
                         std::span<const int>(lik), accumulate);
          expected e({m, n});
          for (idx i = 0; i < m; ++i)
            for (idx q = 0; q < n; ++q) {
              if (accumulate) e.add(C0(i, q), i, q);
              for (idx j = 0; j < k; ++j) e.add(A_d(i, j) * B_d(j, q), i, q);
            }
          // Read C back through the storage layout, by definition.
          D got{m, n};
          for (idx i = 0; i < m; ++i)
            for (idx q = 0; q < n; ++q) got(i, q) = store.data()[i * str[0] + q * str[1]];
          check_matches(got, e, 1e-12, "exec::contract");
        }
  }
}

TEST_CASE("exec::copy: permutations through strided views") {
  const auto X = random_tensor<double>({4, 5, 6}, 43);
  // Y(c, a, b) = X(a, b, c): copy a permuted view of X into a contiguous Y.
  D Y{6, 4, 5};
  dtensor_view<const double> Xp(X.data(), tenet::dyn_extents{6, 4, 5}, std::vector<idx>{1, 30, 6});
  for (const int threads : {1, 2}) {
    Y.fill(0.0);
    exec::copy(exec::par(threads), Xp, Y.view());
    idx bad = 0;
    for (idx a = 0; a < 4; ++a)
      for (idx b = 0; b < 5; ++b)
        for (idx c = 0; c < 6; ++c) bad += Y.data()[(c * 4 + a) * 5 + b] != X.data()[(a * 5 + b) * 6 + c];
    CHECK(bad == 0);
  }
  // A large transpose (tiled, threaded) into a strided destination: every other column of Z.
  const auto M = random_tensor<double>({300, 200}, 44);
  D Z{200, 600};
  dtensor_view<double> Zs(Z.data(), tenet::dyn_extents{200, 300}, std::vector<idx>{600, 2});
  exec::copy(exec::par, tenet::permute(M, {1, 0}), Zs);
  idx bad = 0;
  for (idx i = 0; i < 300; ++i)
    for (idx j = 0; j < 200; ++j) {
      bad += Z.data()[j * 600 + 2 * i] != M.data()[i * 200 + j];
      bad += Z.data()[j * 600 + 2 * i + 1] != 0.0;  // untouched
    }
  CHECK(bad == 0);
}

TEST_CASE("einsum: broadcast operands (views with a zero stride)") {
  // Xb(i, j) = x(j) for every i, and Yb(j, k) = y(k) for every j: strides of 0, no copies.
  for (const auto& mkn : {std::array<idx, 3>{3, 4, 5}, std::array<idx, 3>{40, 45, 50}}) {
    const idx m = mkn[0], k = mkn[1], n = mkn[2];
    INFO("m, k, n = " << m << ", " << k << ", " << n);
    const auto x = random_tensor<double>({k}, 50);
    const auto y = random_tensor<double>({n}, 51);
    const auto B = random_tensor<double>({k, n}, 52);
    const auto A = random_tensor<double>({m, k}, 53);
    const dtensor_view<const double> Xb(x.data(), tenet::dyn_extents{m, k}, std::vector<idx>{0, 1});
    const dtensor_view<const double> Yb(y.data(), tenet::dyn_extents{k, n}, std::vector<idx>{0, 1});
    expected e1({m, n}), e2({m, n}), e3({k});
    for (idx i = 0; i < m; ++i)
      for (idx j = 0; j < k; ++j)
        for (idx q = 0; q < n; ++q) {
          e1.add(x(j) * B(j, q), i, q);
          e2.add(A(i, j) * y(q), i, q);
        }
    for (idx i = 0; i < m; ++i)
      for (idx j = 0; j < k; ++j) e3.add(x(j), j);
    for (const int threads : {1, 2}) {
      check_matches(tenet::einsum(exec::par(threads), "ij,jk->ik", Xb, B), e1, 1e-12, "broadcast rows of A");
      check_matches(tenet::einsum(exec::par(threads), "ij,jk->ik", A, Yb), e2, 1e-12, "broadcast rows of B");
      check_matches(tenet::einsum(exec::par(threads), "ij->j", Xb), e3, 1e-12, "sum of broadcast rows");
    }
  }
}
