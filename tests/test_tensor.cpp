// Tensors and views: layout, construction, extents checks, fills, strided views, conversions,
// comparison helpers. Expected values are computed here from the definitions (row-major
// offsets, explicit loops), never through the code under test.
#include <doctest/doctest.h>

#include <tenet/tenet.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
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

// The message of the exception E that f throws; fails the test if f throws nothing or another type.
template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (...) {
    FAIL("threw an exception of another type");
    return {};
  }
  FAIL("threw nothing");
  return {};
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("tensor: a tensor with static extents is one pointer; dynamic extents add one index each") {
  static_assert(sizeof(tensor<float, 3, 4>) == sizeof(void*));
  static_assert(sizeof(tensor<double, 2, 3, 4, 5>) == sizeof(void*));
  static_assert(sizeof(tensor<double>) == sizeof(void*));  // rank 0
  static_assert(sizeof(tensor<double, dyn, 4>) == sizeof(void*) + sizeof(idx));
  static_assert(sizeof(tensor<double, dyn, 4, dyn>) == sizeof(void*) + 2 * sizeof(idx));
  static_assert(tenet::extents<3, dyn, 5>::rank() == 3);
  static_assert(tenet::extents<3, dyn, 5>::rank_dynamic() == 1);
  static_assert(tenet::extents<3, dyn, 5>::static_extent(0) == 3);
  static_assert(tenet::extents<3, dyn, 5>::static_extent(1) == dyn);
  static_assert(tenet::extents<3, 5>::is_static() && !tenet::extents<3, dyn>::is_static());
  CHECK(tenet::extents<3, dyn, 5>(7).extent(1) == 7);
  CHECK(tenet::extents<3, dyn, 5>(7).size() == 105);
}

TEST_CASE("tensor: construction with static, dynamic and run-time-rank extents") {
  SUBCASE("all static: allocated, zeros, 64-byte aligned") {
    tensor<float, 3, 4> A;
    CHECK(A.rank() == 2);
    CHECK(A.extent(0) == 3);
    CHECK(A.extent(1) == 4);
    CHECK(A.size() == 12);
    CHECK(A.shape() == std::array<idx, 2>{3, 4});
    CHECK(A.stride(0) == 4);
    CHECK(A.stride(1) == 1);
    CHECK(A.strides() == std::array<idx, 2>{4, 1});
    REQUIRE(A.data() != nullptr);
    CHECK(reinterpret_cast<std::uintptr_t>(A.data()) % 64 == 0);
    for (idx n = 0; n < 12; ++n) CHECK(A.data()[n] == 0.0f);
  }
  SUBCASE("mixed: dynamic extents only, or all extents") {
    tensor<double, dyn, 4> B(3);
    CHECK(B.shape() == std::array<idx, 2>{3, 4});
    CHECK(B.size() == 12);
    tensor<double, dyn, 4> B2(3, 4);
    CHECK(B2.shape() == std::array<idx, 2>{3, 4});
    tensor<double, dyn, 2, dyn> C(5, 7);
    CHECK(C.shape() == std::array<idx, 3>{5, 2, 7});
    CHECK(C.strides() == std::array<idx, 3>{14, 7, 1});
    for (double x : C) CHECK(x == 0.0);
    tensor<double, dyn, 4> E;  // dynamic extents default to 0: empty
    CHECK(E.size() == 0);
    CHECK(E.extent(0) == 0);
    CHECK(E.extent(1) == 4);
  }
  SUBCASE("dtensor: braces are extents") {
    dtensor<double> D{2, 3, 4};
    CHECK(D.rank() == 3);
    CHECK(D.shape() == std::vector<idx>{2, 3, 4});
    CHECK(D.size() == 24);
    CHECK(D.strides() == std::vector<idx>{12, 4, 1});
    for (double x : D) CHECK(x == 0.0);
    dtensor<double> D1(5);
    CHECK(D1.shape() == std::vector<idx>{5});
    dtensor<double> D2(tenet::dyn_extents{2, 3});
    CHECK(D2.shape() == std::vector<idx>{2, 3});
    const std::vector<idx> ext = {4, 1, 2};
    dtensor<float> D3{tenet::dyn_extents(std::span<const idx>(ext))};
    CHECK(D3.shape() == ext);
  }
  SUBCASE("a default dtensor is a rank-0 scalar") {
    dtensor<double> S;
    CHECK(S.rank() == 0);
    CHECK(S.size() == 1);
    REQUIRE(S.data() != nullptr);
    CHECK(S.data()[0] == 0.0);
    S.fill(2.5);
    CHECK(S() == 2.5);
    tensor<double> s0;  // static rank 0
    CHECK(s0.size() == 1);
    s0() = 4.0;
    CHECK(s0.data()[0] == 4.0);
  }
  SUBCASE("extent 0") {
    dtensor<double> Z{3, 0, 2};
    CHECK(Z.size() == 0);
    CHECK(Z.begin() == Z.end());
    tensor<double, 0, 5> Z2;
    CHECK(Z2.size() == 0);
    tensor<double, dyn, 4> Z3(0);
    CHECK(Z3.size() == 0);
  }
}

TEST_CASE("tensor: mismatched static extents and negative extents throw shape_error") {
  std::string m = message_of<tenet::shape_error>([] { tensor<double, 3, 4> A(3, 5); });
  CHECK(contains(m, "(3, 5)"));
  CHECK(contains(m, "(3, 4)"));
  m = message_of<tenet::shape_error>([] { tensor<double, dyn, 4> A(3, 5); });
  CHECK(contains(m, "(3, 5)"));
  m = message_of<tenet::shape_error>([] { tensor<double, dyn, 4> A(-1); });
  CHECK(contains(m, "negative"));
  CHECK(contains(m, "-1"));
  m = message_of<tenet::shape_error>([] { tensor<double, dyn, 4> A(-2, 4); });
  CHECK(contains(m, "(-2, 4)"));
  m = message_of<tenet::shape_error>([] { dtensor<double> D{2, -3}; });
  CHECK(contains(m, "(2, -3)"));
  CHECK_THROWS_AS(tenet::dyn_extents{-1}, tenet::shape_error);
  m = message_of<tenet::shape_error>([] {
    const idx e[] = {1, 2, 3};
    tenet::extents<3, dyn> x{std::span<const idx>(e)};
  });
  CHECK(contains(m, "(1, 2, 3)"));
  CHECK(contains(m, "rank 2"));
  // A correct set of all extents is accepted.
  CHECK_NOTHROW(tensor<double, dyn, 4>(3, 4));
}

TEST_CASE("tensor: element access is row-major") {
  tensor<double, 3, 4, 5> A;
  tensor<double, dyn, 4, dyn> B(3, 5);
  dtensor<double> D{3, 4, 5};
  for (idx i = 0; i < 3; ++i)
    for (idx j = 0; j < 4; ++j)
      for (idx k = 0; k < 5; ++k) {
        const double v = 100.0 * static_cast<double>(i) + 10.0 * static_cast<double>(j) + static_cast<double>(k);
        A(i, j, k) = v;
        B(i, j, k) = v;
        D(i, j, k) = v;
      }
  for (idx i = 0; i < 3; ++i)
    for (idx j = 0; j < 4; ++j)
      for (idx k = 0; k < 5; ++k) {
        const double v = 100.0 * static_cast<double>(i) + 10.0 * static_cast<double>(j) + static_cast<double>(k);
        const idx off = (i * 4 + j) * 5 + k;
        CHECK(A.data()[off] == v);
        CHECK(B.data()[off] == v);
        CHECK(D.data()[off] == v);
        CHECK(A.view()(i, j, k) == v);
        CHECK(std::as_const(D).view()(i, j, k) == v);
      }
  // Writes through data() are seen by operator().
  A.data()[1 * 20 + 2 * 5 + 3] = -1.0;
  CHECK(A(1, 2, 3) == -1.0);
  // Writes through a view are seen by the tensor.
  auto v = D.view();
  v(2, 3, 4) = -7.0;
  CHECK(D.data()[59] == -7.0);
}

TEST_CASE("tensor: fill and iota") {
  tensor<double, 3, 4> A;
  CHECK(&A.iota() == &A);
  for (idx n = 0; n < 12; ++n) CHECK(A.data()[n] == static_cast<double>(n));
  A.iota(2.5, 0.5);
  for (idx i = 0; i < 3; ++i)
    for (idx j = 0; j < 4; ++j) CHECK(A(i, j) == 2.5 + 0.5 * static_cast<double>(i * 4 + j));
  CHECK(&A.fill(7.0) == &A);
  for (double x : A) CHECK(x == 7.0);
  dtensor<float> F{2, 3};
  F.iota(-1.0f, 2.0f);
  for (idx n = 0; n < 6; ++n) CHECK(F.data()[n] == -1.0f + 2.0f * static_cast<float>(n));
}

TEST_CASE("tensor: fill_random is reproducible by seed and differs between seeds") {
  dtensor<double> A{40, 50}, B{40, 50}, C{40, 50};
  A.fill_random(42);
  B.fill_random(42);
  C.fill_random(43);
  idx same_ab = 0, same_ac = 0;
  double lo = 1, hi = -1, sum = 0;
  for (idx n = 0; n < A.size(); ++n) {
    same_ab += A.data()[n] == B.data()[n];
    same_ac += A.data()[n] == C.data()[n];
    lo = std::min(lo, A.data()[n]);
    hi = std::max(hi, A.data()[n]);
    sum += A.data()[n];
  }
  CHECK(same_ab == A.size());
  CHECK(same_ac == 0);
  // Uniform on [-1, 1): the range is covered and the mean is near 0.
  CHECK(lo >= -1.0);
  CHECK(hi < 1.0);
  CHECK(lo < -0.99);
  CHECK(hi > 0.99);
  CHECK(std::abs(sum / static_cast<double>(A.size())) < 0.05);
  // Not a constant or a repeating short pattern.
  idx distinct_neighbours = 0;
  for (idx n = 1; n < A.size(); ++n) distinct_neighbours += A.data()[n] != A.data()[n - 1];
  CHECK(distinct_neighbours == A.size() - 1);

  SUBCASE("a range [lo, hi)") {
    tensor<double, 1000> R;
    R.fill_random(7, 2.0, 3.0);
    double mn = 10, mx = -10;
    for (double x : R) mn = std::min(mn, x), mx = std::max(mx, x);
    CHECK(mn >= 2.0);
    CHECK(mx < 3.0);
    CHECK(mx - mn > 0.95);
  }
  SUBCASE("float tensors take the same stream, rounded") {
    dtensor<float> Af{40, 50};
    Af.fill_random(42);
    idx same = 0;
    for (idx n = 0; n < A.size(); ++n) same += Af.data()[n] == static_cast<float>(A.data()[n]);
    CHECK(same == A.size());
  }
  SUBCASE("fill_normal: reproducible, with the requested moments") {
    dtensor<double> N1{20000}, N2{20000}, N3{20000};
    N1.fill_normal(5, 1.5, 2.0);
    N2.fill_normal(5, 1.5, 2.0);
    N3.fill_normal(6, 1.5, 2.0);
    double s = 0, s2 = 0;
    idx same12 = 0, same13 = 0;
    for (idx n = 0; n < N1.size(); ++n) {
      same12 += N1.data()[n] == N2.data()[n];
      same13 += N1.data()[n] == N3.data()[n];
      s += N1.data()[n];
      s2 += N1.data()[n] * N1.data()[n];
    }
    CHECK(same12 == N1.size());
    CHECK(same13 == 0);
    const double mean = s / 20000.0, var = s2 / 20000.0 - mean * mean;
    CHECK(std::abs(mean - 1.5) < 0.06);
    CHECK(std::abs(std::sqrt(var) - 2.0) < 0.06);
  }
}

TEST_CASE("tensor_view: strided views read and write the underlying storage") {
  tensor<double, 4, 6> A;
  A.iota();
  auto at = [&](idx i, idx j) { return A.data()[i * 6 + j]; };  // row-major, by definition

  SUBCASE("contiguous view") {
    tensor_view<double, 4, 6> V(A.data(), tenet::extents<4, 6>{});
    CHECK(V.is_contiguous());
    CHECK(V.strides() == std::array<idx, 2>{6, 1});
    CHECK(V(2, 5) == at(2, 5));
  }
  SUBCASE("every other column") {
    tensor_view<double, 4, 3> V(A.data() + 1, tenet::extents<4, 3>{}, {6, 2});
    CHECK_FALSE(V.is_contiguous());
    CHECK(V.size() == 12);
    for (idx i = 0; i < 4; ++i)
      for (idx j = 0; j < 3; ++j) CHECK(V(i, j) == at(i, 2 * j + 1));
    V(3, 2) = -5.0;
    CHECK(A(3, 5) == -5.0);
  }
  SUBCASE("transposed") {
    tensor_view<double, 6, 4> T(A.data(), tenet::extents<6, 4>{}, {1, 6});
    for (idx i = 0; i < 4; ++i)
      for (idx j = 0; j < 6; ++j) CHECK(T(j, i) == at(i, j));
    // Copied into a tensor, the transpose is contiguous row-major.
    tensor<double, 6, 4> Tt(T);
    for (idx i = 0; i < 4; ++i)
      for (idx j = 0; j < 6; ++j) CHECK(Tt.data()[j * 4 + i] == at(i, j));
    dtensor<double> Td(T);
    CHECK(Td.shape() == std::vector<idx>{6, 4});
    for (idx i = 0; i < 4; ++i)
      for (idx j = 0; j < 6; ++j) CHECK(Td.data()[j * 4 + i] == at(i, j));
    // A copy converts the element type.
    tensor<float, 6, 4> Tf(T);
    CHECK(Tf(5, 3) == static_cast<float>(at(3, 5)));
    // Copies into a tensor of another shape throw.
    std::string m = message_of<tenet::shape_error>([&] { tensor<double, 4, 6> X(T); });
    CHECK(contains(m, "(6, 4)"));
    m = message_of<tenet::shape_error>([&] { tensor<double, 24> X{dtensor_view<double>(T)}; });
    CHECK(contains(m, "(6, 4)"));
  }
  SUBCASE("negative strides: rows reversed") {
    tensor_view<double, 4, 6> R(A.data() + 3 * 6, tenet::extents<4, 6>{}, {-6, 1});
    for (idx i = 0; i < 4; ++i)
      for (idx j = 0; j < 6; ++j) CHECK(R(i, j) == at(3 - i, j));
    tensor<double, 4, 6> Rc(R);
    for (idx i = 0; i < 4; ++i)
      for (idx j = 0; j < 6; ++j) CHECK(Rc.data()[i * 6 + j] == at(3 - i, j));
  }
  SUBCASE("dtensor_view: a diagonal and a sub-block") {
    dtensor_view<double> Dg(A.data(), tenet::dyn_extents{4}, std::vector<idx>{7});
    for (idx i = 0; i < 4; ++i) CHECK(Dg(i) == at(i, i));
    dtensor_view<double> blk(A.data() + 1 * 6 + 2, tenet::dyn_extents{2, 3}, std::vector<idx>{6, 1});
    CHECK_FALSE(blk.is_contiguous());
    const std::array<idx, 2> ij = {1, 2};
    CHECK(blk[std::span<const idx>(ij)] == at(2, 4));
    CHECK(blk(0, 0) == at(1, 2));
    CHECK_THROWS_AS(dtensor_view<double>(A.data(), tenet::dyn_extents{2, 3}, std::vector<idx>{1}),
                    tenet::shape_error);
  }
  SUBCASE("permute and reshape") {
    auto P = tenet::permute<1, 0>(A);
    static_assert(std::is_same_v<decltype(P), tensor_view<double, 6, 4>>);
    for (idx i = 0; i < 4; ++i)
      for (idx j = 0; j < 6; ++j) CHECK(P(j, i) == at(i, j));
    auto Pd = tenet::permute(A, {1, 0});
    CHECK(Pd.extents() == tenet::dyn_extents{6, 4});
    CHECK(Pd.strides() == std::vector<idx>{1, 6});
    auto S = tenet::reshape<2, 12>(A);
    for (idx n = 0; n < 24; ++n) CHECK(S(n / 12, n % 12) == A.data()[n]);
    CHECK_THROWS_AS((tenet::reshape<2, 12>(P)), tenet::shape_error);  // not contiguous
  }
}

TEST_CASE("tensor_view: conversions") {
  using V = tensor_view<double, 3, 4>;
  using CV = tensor_view<const double, 3, 4>;
  static_assert(std::is_convertible_v<V, CV>);
  static_assert(std::is_convertible_v<V, dtensor_view<double>>);
  static_assert(std::is_convertible_v<V, dtensor_view<const double>>);
  static_assert(std::is_convertible_v<CV, dtensor_view<const double>>);
  static_assert(std::is_convertible_v<dtensor_view<double>, dtensor_view<const double>>);
  static_assert(!std::is_convertible_v<CV, V>);
  static_assert(!std::is_convertible_v<CV, dtensor_view<double>>);
  static_assert(!std::is_convertible_v<dtensor_view<const double>, dtensor_view<double>>);
  static_assert(!std::is_convertible_v<V, tensor_view<double, 4, 3>>);
  static_assert(!std::is_convertible_v<V, tensor_view<float, 3, 4>>);
  // Tensors pass for their views; const tensors only for const views.
  static_assert(std::is_convertible_v<tensor<double, 3, 4>&, V>);
  static_assert(std::is_convertible_v<tensor<double, 3, 4>&, dtensor_view<double>>);
  static_assert(std::is_convertible_v<const tensor<double, 3, 4>&, CV>);
  static_assert(std::is_convertible_v<const tensor<double, 3, 4>&, dtensor_view<const double>>);
  static_assert(!std::is_convertible_v<const tensor<double, 3, 4>&, V>);
  static_assert(!std::is_convertible_v<const tensor<double, 3, 4>&, dtensor_view<double>>);
  static_assert(tenet::tensor_like<tensor<double, 3>> && tenet::tensor_like<const dtensor<float>&>);
  static_assert(tenet::tensor_like<V> && tenet::tensor_like<dtensor_view<const double>>);
  static_assert(!tenet::tensor_like<double> && !tenet::tensor_like<std::vector<double>>);
  static_assert(std::is_same_v<decltype(tenet::as_view(std::declval<tensor<double, 3, 4>&>())), V>);
  static_assert(std::is_same_v<decltype(tenet::as_view(std::declval<const tensor<double, 3, 4>&>())), CV>);
  static_assert(std::is_same_v<decltype(tenet::as_view(std::declval<const V&>())), V>);

  tensor<double, 3, 8> A;
  A.iota();
  // A strided view (every other column) keeps its strides through each conversion.
  V s(A.data() + 1, tenet::extents<3, 4>{}, {8, 2});
  CV cs = s;
  dtensor_view<double> ds = s;
  dtensor_view<const double> dcs = cs;
  CHECK(cs.data() == s.data());
  CHECK(ds.data() == s.data());
  CHECK(dcs.data() == s.data());
  CHECK(cs.strides() == std::array<idx, 2>{8, 2});
  CHECK(ds.strides() == std::vector<idx>{8, 2});
  CHECK(dcs.extents() == tenet::dyn_extents{3, 4});
  CHECK(ds.rank() == 2);
  for (idx i = 0; i < 3; ++i)
    for (idx j = 0; j < 4; ++j) CHECK(dcs(i, j) == A.data()[i * 8 + 2 * j + 1]);
  dtensor_view<const double> from_tensor = A;
  CHECK(from_tensor.data() == A.data());
  CHECK(from_tensor.strides() == std::vector<idx>{8, 1});
}

TEST_CASE("compare: allclose, max_abs_diff and rel_error") {
  tensor<double, 3, 4> A;
  A.iota();
  tensor<double, 3, 4> B = A;
  CHECK(B.data() != A.data());  // a deep copy
  CHECK(tenet::max_abs_diff(A, B) == 0.0);
  CHECK(tenet::allclose(A, B));
  B(1, 2) += 0.25;
  CHECK(tenet::max_abs_diff(A, B) == 0.25);
  CHECK(tenet::max_abs_diff(B, A) == 0.25);
  CHECK_FALSE(tenet::allclose(A, B));
  CHECK(tenet::allclose(A, B, 0.0, 0.25));
  CHECK_FALSE(tenet::allclose(A, B, 0.0, 0.24));
  // rtol is relative to the second argument: |6 - 6.25| <= rtol * 6.25.
  CHECK(tenet::allclose(A, B, 0.25 / 6.25 + 1e-12, 0.0));
  CHECK_FALSE(tenet::allclose(A, B, 0.25 / 6.25 - 1e-6, 0.0));
  CHECK(tenet::rel_error(A, B) == doctest::Approx(0.25 / 11.0));

  SUBCASE("views, strides and element types mix") {
    tensor<double, 4, 3> At;  // At = A^T, stored contiguously
    for (idx i = 0; i < 3; ++i)
      for (idx j = 0; j < 4; ++j) At.data()[j * 3 + i] = A.data()[i * 4 + j];
    tensor_view<const double, 3, 4> T(At.data(), tenet::extents<3, 4>{}, {1, 3});
    CHECK(tenet::max_abs_diff(A, T) == 0.0);
    CHECK(tenet::max_abs_diff(B, T) == 0.25);
    dtensor<float> F{3, 4};
    F.iota();
    CHECK(tenet::max_abs_diff(F, A) == 0.0);
    CHECK(tenet::allclose(F, B, 0.0, 0.3));
  }
  SUBCASE("different shapes throw, naming both") {
    tensor<double, 4, 3> C;
    std::string m = message_of<tenet::shape_error>([&] { (void)tenet::allclose(A, C); });
    CHECK(contains(m, "(3, 4)"));
    CHECK(contains(m, "(4, 3)"));
    dtensor<double> D{3, 4, 1};
    m = message_of<tenet::shape_error>([&] { (void)tenet::max_abs_diff(A, D); });
    CHECK(contains(m, "(3, 4)"));
    CHECK(contains(m, "(3, 4, 1)"));
  }
  SUBCASE("NaN is never close") {
    B(0, 0) = std::numeric_limits<double>::quiet_NaN();
    CHECK_FALSE(tenet::allclose(A, B, 1.0, 1e9));
    CHECK(std::isnan(tenet::max_abs_diff(A, B)));
    B(0, 0) = 0.0;
    B(2, 3) = std::numeric_limits<double>::quiet_NaN();  // the last element too
    CHECK(std::isnan(tenet::max_abs_diff(A, B)));
  }
  SUBCASE("rank 0 and empty tensors") {
    dtensor<double> s1, s2;
    s1.fill(1.0);
    s2.fill(1.5);
    CHECK(tenet::max_abs_diff(s1, s2) == 0.5);
    dtensor<double> z1{0, 3}, z2{0, 3};
    CHECK(tenet::max_abs_diff(z1, z2) == 0.0);
    CHECK(tenet::allclose(z1, z2));
  }
}

TEST_CASE("tensor: copies are deep, moves steal, and a dtensor takes any moved tensor") {
  SUBCASE("from a static tensor") {
    tensor<double, 3, 4> A;
    A.iota();
    const double* p = A.data();
    dtensor<double> D(std::move(A));
    CHECK(D.data() == p);  // no copy
    CHECK(D.shape() == std::vector<idx>{3, 4});
    for (idx i = 0; i < 3; ++i)
      for (idx j = 0; j < 4; ++j) CHECK(D(i, j) == static_cast<double>(i * 4 + j));
  }
  SUBCASE("from a mixed tensor, implicitly; the source is left empty") {
    tensor<double, dyn, 4> B(5);
    B.iota(1.0);
    const double* p = B.data();
    dtensor<double> D = std::move(B);
    CHECK(D.data() == p);
    CHECK(D.shape() == std::vector<idx>{5, 4});
    CHECK(D(4, 3) == 20.0);
    CHECK(B.size() == 0);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  }
  SUBCASE("move-assigned into an existing dtensor") {
    dtensor<double> D{2, 2};
    tensor<double, 2, 3, 4> C;
    C.iota();
    const double* p = C.data();
    D = std::move(C);
    CHECK(D.data() == p);
    CHECK(D.shape() == std::vector<idx>{2, 3, 4});
    CHECK(D(1, 2, 3) == 23.0);
    dtensor<double> E = std::move(D);
    CHECK(E(1, 2, 3) == 23.0);
    CHECK(D.size() == 0);  // NOLINT(bugprone-use-after-move)
    CHECK(D.begin() == D.end());
  }
  SUBCASE("copy and copy-assignment") {
    dtensor<double> D{2, 3};
    D.iota();
    dtensor<double> E(D);
    CHECK(E.data() != D.data());
    CHECK(E.shape() == D.shape());
    D(0, 0) = 9.0;
    CHECK(E(0, 0) == 0.0);
    dtensor<double> F{7};
    F = D;  // resizes
    CHECK(F.shape() == std::vector<idx>{2, 3});
    CHECK(F(0, 0) == 9.0);
    CHECK(F(1, 2) == 5.0);
    dtensor<double> G(std::move(F));
    CHECK(G(1, 2) == 5.0);
    // A moved-from dtensor is empty: no element claims storage it no longer has.
    CHECK(F.size() == 0);  // NOLINT(bugprone-use-after-move)
    CHECK(F.begin() == F.end());
    F = G;  // and it can be assigned again
    CHECK(F(1, 2) == 5.0);
  }
  SUBCASE("a moved-from static tensor can be assigned again") {
    tensor<double, 3, 4> A;
    A.iota();
    tensor<double, 3, 4> B = std::move(A);
    A = B;  // NOLINT(bugprone-use-after-move): assignment restores a moved-from tensor
    REQUIRE(A.data() != nullptr);
    CHECK(A.data() != B.data());
    for (idx n = 0; n < 12; ++n) CHECK(A.data()[n] == static_cast<double>(n));
    tensor<double, 3, 4> C = std::move(B);
    B = std::move(C);  // and moved into
    CHECK(B(2, 3) == 11.0);
  }
  SUBCASE("resize gives value-initialized storage of the new shape") {
    dtensor<double> D{2, 3};
    D.fill(1.0);
    D.resize(tenet::dyn_extents{4, 5});
    CHECK(D.shape() == std::vector<idx>{4, 5});
    for (double x : D) CHECK(x == 0.0);
  }
}

TEST_CASE("storage: freed buffers of 256 KiB and more are reused, bounded; small ones are not cached") {
  auto& cache = tenet::detail::block_cache::instance();
  // Blocks that earlier tests freed (their sizes) could be taken below before the ones this
  // test frees: push them out (the oldest go first) with max_blocks of 256-510 KiB, a size
  // that no request below takes.
  {
    std::vector<tenet::dtensor<float>> flush;
    for (int i = 0; i < int(tenet::detail::block_cache::max_blocks); ++i)
      flush.emplace_back(tenet::for_overwrite, tenet::dyn_extents{(idx(1) << 16) + idx(i) * 1024 + 512});
  }
  const idx n = idx(4) << 20;  // 4 Mi floats = 16 MiB
  const float* first = nullptr;
  {
    tenet::dtensor<float> a(tenet::for_overwrite, tenet::dyn_extents{n});
    first = a.data();
    CHECK(reinterpret_cast<std::uintptr_t>(first) % tenet::detail::huge_page_bytes == 0);
  }
  CHECK(cache.cached_bytes() >= std::size_t(n) * sizeof(float));
  {
    // The same size again: the freed block comes back, and a zero-filled tensor is zero.
    tenet::dtensor<float> b(tenet::dyn_extents{n});
    CHECK(b.data() == first);
    bool zero = true;
    for (idx i = 0; i < n; i += 4099) zero = zero && b.data()[i] == 0.0f;
    CHECK(zero);
    b.fill(7.0f);
  }
  {
    // Somewhat smaller (10 MiB): the 16 MiB block fits (at most twice the request).
    tenet::dtensor<float> c(tenet::for_overwrite, tenet::dyn_extents{(idx(10) << 20) / 4});
    CHECK(c.data() == first);
#ifndef NDEBUG
    CHECK(std::isnan(c.data()[12345]));  // for_overwrite storage starts as NaN in debug builds, reused or not
#endif
  }
  {
    // Much smaller (1 MiB): not the 16 MiB block (more than twice the request).
    tenet::dtensor<float> d(tenet::for_overwrite, tenet::dyn_extents{idx(1) << 18});
    CHECK(d.data() != first);
  }
  {
    // Mid-sized buffers (here 1 MiB + 12 KiB and 1.5 MiB + 12 KiB) are page aligned and come
    // back too.
    const idx m = ((idx(1) << 20) + (idx(12) << 10)) / 4, m2 = ((idx(3) << 19) + (idx(12) << 10)) / 4;
    const float* mid = nullptr;
    {
      tenet::dtensor<float> e(tenet::for_overwrite, tenet::dyn_extents{m2});
      tenet::dtensor<float> f(tenet::for_overwrite, tenet::dyn_extents{m});
      mid = f.data();
      CHECK(reinterpret_cast<std::uintptr_t>(mid) % tenet::detail::page_bytes == 0);
    }
    tenet::dtensor<float> g(tenet::dyn_extents{m - 100});
    // The larger free block (m2) fits too; the exact-size one is taken.
    CHECK(g.data() == mid);
    CHECK(g.data()[m - 101] == 0.0f);
  }
  {
    // Small (64 KiB): never cached.
    const std::size_t before = cache.cached_bytes();
    { tenet::dtensor<float> s(tenet::for_overwrite, tenet::dyn_extents{idx(1) << 14}); }
    CHECK(cache.cached_bytes() == before);
  }
  // Bounded: freeing more blocks than it keeps leaves at most max_blocks, and more bytes at
  // most max_bytes.
  using cache_t = tenet::detail::block_cache;
  {
    std::vector<tenet::dtensor<float>> many;  // 256 KiB + i * 4 KiB each: distinct, all cached
    for (int i = 0; i < int(cache_t::max_blocks) + 2; ++i)
      many.emplace_back(tenet::for_overwrite, tenet::dyn_extents{(idx(1) << 16) + idx(i) * 1024});
  }
  CHECK(cache.cached_blocks() == cache_t::max_blocks);
  {
    std::vector<tenet::dtensor<float>> big;
    const idx per = n + (idx(1) << 20);  // 20 MiB
    for (idx i = 0; i * per * idx(sizeof(float)) <= idx(cache_t::max_bytes); ++i)
      big.emplace_back(tenet::for_overwrite, tenet::dyn_extents{per + i});
  }
  CHECK(cache.cached_bytes() <= cache_t::max_bytes);
  CHECK(cache.cached_bytes() >= cache_t::max_bytes - 2 * (std::size_t(n) << 2));
}
