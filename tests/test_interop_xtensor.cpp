// Zero-copy interop with xtensor (tenet/interop/xtensor.hpp): adaptors and views must alias the
// other side's elements, with the right strides (xtensor's zero strides on extent-1 modes
// included), and carry constness.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xfixed.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xstrided_view.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include <tenet/interop/xtensor.hpp>
#include <tenet/tenet.hpp>

using tenet::dyn;
using ix = tenet::index;

namespace {

template <class E>
void fill_counting(E& e) {
  double n = 0;
  for (auto& x : e) x = n++;
}

template <class A>
std::vector<ix> strides_vec(const A& s) {
  return std::vector<ix>(s.begin(), s.end());
}

}  // namespace

TEST_CASE("as_xtensor: a static-rank tensor as an xtensor adaptor, zero copy, writes both ways") {
  tenet::tensor<double, 3, 4> A;
  A.iota();
  auto X = tenet::as_xtensor(A);
  static_assert(decltype(X)::rank == 2);
  CHECK(X.data() == A.data());
  CHECK(X.dimension() == 2);
  CHECK(X.shape()[0] == 3);
  CHECK(X.shape()[1] == 4);
  CHECK(X.strides()[0] == 4);
  CHECK(X.strides()[1] == 1);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 4; ++j) CHECK(X(i, j) == A(i, j));
  X(2, 3) = 42.0;
  CHECK(A(2, 3) == 42.0);
  A(0, 1) = -7.0;
  CHECK(X(0, 1) == -7.0);
  // An xtensor expression assigned into the adaptor lands in tenet's storage.
  X = 2.0 * xt::ones<double>({3, 4});
  CHECK(A(1, 1) == 2.0);
  CHECK(xt::sum(X)() == doctest::Approx(24.0));
}

TEST_CASE("as_xtensor: strided and permuted views keep their strides") {
  tenet::tensor<double, 3, 4> A;
  A.iota();
  auto T = tenet::as_xtensor(tenet::permute<1, 0>(A));  // 4 x 3, strides (1, 4)
  CHECK(T.data() == A.data());
  CHECK(T.shape()[0] == 4);
  CHECK(T.shape()[1] == 3);
  CHECK(T.strides()[0] == 1);
  CHECK(T.strides()[1] == 4);
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 3; ++j) CHECK(T(i, j) == A(j, i));
  // Evaluating and assigning through the strided adaptor follow the strides.
  xt::xtensor<double, 2> copy = T;
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 3; ++j) CHECK(copy(i, j) == A(j, i));
  // Assign with noalias() or assign(): they write through the strides. (A plain `T = expr`
  // makes xtensor adopt the temporary's row-major strides; see docs/interop.md.)
  xt::xtensor<double, 2> src = xt::zeros<double>({4, 3});
  src(3, 0) = 5.0;  // lands at A(0, 3)
  xt::noalias(T) = src;
  CHECK(A(0, 3) == 5.0);
  CHECK(A(1, 2) == 0.0);
  T.assign(src + 1.0);
  CHECK(A(0, 3) == 6.0);
  CHECK(A(2, 1) == 1.0);
  CHECK(T.strides()[0] == 1);
  // Every other column: strides (4, 2).
  tenet::tensor_view<double, 3, 2> half(A.data() + 1, tenet::extents<3, 2>{}, {4, 2});
  auto H = tenet::as_xtensor(half);
  CHECK(H.strides()[1] == 2);
  H(2, 1) = 9.0;
  CHECK(A(2, 3) == 9.0);
  // xtensor's convention: an extent-1 mode has stride 0.
  tenet::tensor<double, 3, 1, 4> U;
  auto XU = tenet::as_xtensor(U);
  CHECK(XU.strides()[1] == 0);
}

TEST_CASE("as_xtensor: run-time rank gives an xarray adaptor; constness carries over") {
  tenet::dtensor<float> D{2, 3, 4};
  D.iota();
  auto X = tenet::as_xtensor(D);
  CHECK(X.dimension() == 3);
  CHECK(X.data() == D.data());
  CHECK(X(1, 2, 3) == 23.0f);
  X(0, 0, 1) = -1.0f;
  CHECK(D(0, 0, 1) == -1.0f);
  auto P = tenet::as_xtensor(tenet::permute(D, {2, 0, 1}));
  CHECK(P.shape()[0] == 4);
  CHECK(P(3, 1, 2) == D(1, 2, 3));

  const auto C = tenet::as_xtensor(std::as_const(D));
  static_assert(std::is_const_v<std::remove_pointer_t<decltype(C.data())>>);
  static_assert(std::is_const_v<std::remove_reference_t<decltype(*tenet::as_xtensor(std::as_const(D)).data())>>);
  CHECK(C.data() == D.data());
  CHECK(C(1, 2, 3) == 23.0f);
  const double cbuf[2] = {1.0, 2.0};
  tenet::tensor_view<const double, 2> cv(cbuf, tenet::extents<2>{});
  auto CV = tenet::as_xtensor(cv);
  static_assert(std::is_const_v<std::remove_pointer_t<decltype(CV.data())>>);
}

TEST_CASE("as_xtensor: negative strides throw shape_error") {
  tenet::tensor<double, 4> A;
  tenet::tensor_view<double, 4> rev(A.data() + 3, tenet::extents<4>{}, {-1});
  CHECK_THROWS_AS(tenet::as_xtensor(rev), tenet::shape_error);
  try {
    (void)tenet::as_xtensor(rev);
    FAIL("no exception");
  } catch (const tenet::shape_error& e) {
    CHECK(std::string(e.what()).find("(-1,)") != std::string::npos);
  }
}

TEST_CASE("view_of: xarray and xtensor, row-major, zero copy") {
  xt::xarray<double> a = xt::zeros<double>({2, 3, 4});
  fill_counting(a);
  auto va = tenet::view_of(a);
  static_assert(std::is_same_v<decltype(va), tenet::dtensor_view<double>>);
  CHECK(va.data() == a.data());
  CHECK(va.rank() == 3);
  CHECK(va.stride(0) == 12);
  CHECK(va.stride(1) == 4);
  CHECK(va.stride(2) == 1);
  CHECK(va.is_contiguous());
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      for (std::size_t k = 0; k < 4; ++k) CHECK(va(i, j, k) == a(i, j, k));
  va(1, 2, 3) = -1.0;
  CHECK(a(1, 2, 3) == -1.0);
  a(0, 0, 2) = 55.0;
  CHECK(va(0, 0, 2) == 55.0);

  xt::xtensor<float, 2> t = xt::zeros<float>({3, 5});
  auto vt = tenet::view_of(t);
  static_assert(std::is_same_v<decltype(vt), tenet::tensor_view<float, dyn, dyn>>);
  CHECK(vt.data() == t.data());
  CHECK(vt.extent(1) == 5);
  vt(2, 4) = 1.5f;
  CHECK(t(2, 4) == 1.5f);

  const xt::xarray<double>& ca = a;
  static_assert(std::is_same_v<decltype(tenet::view_of(ca)), tenet::dtensor_view<const double>>);
  static_assert(std::is_same_v<decltype(tenet::view_of(std::as_const(t))), tenet::tensor_view<const float, dyn, dyn>>);
}

TEST_CASE("view_of: xtensor's zero strides on extent-1 modes read as row-major") {
  xt::xarray<double> a = xt::zeros<double>({3, 1, 4});
  REQUIRE(a.strides()[1] == 0);  // xtensor's convention
  fill_counting(a);
  auto v = tenet::view_of(a);
  CHECK(v.stride(0) == 4);
  CHECK(v.stride(1) == 4);
  CHECK(v.stride(2) == 1);
  CHECK(v.is_contiguous());
  CHECK(tenet::reshape(v, {12}).data() == a.data());
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t k = 0; k < 4; ++k) CHECK(v(i, 0, k) == a(i, 0, k));

  xt::xtensor<double, 2> row = xt::zeros<double>({1, 5});
  xt::xtensor<double, 2> col = xt::zeros<double>({5, 1});
  xt::xtensor<double, 3> ones = xt::zeros<double>({1, 1, 1});
  CHECK(tenet::view_of(row).is_contiguous());
  CHECK(tenet::view_of(col).is_contiguous());
  CHECK(tenet::view_of(ones).is_contiguous());
  CHECK(strides_vec(tenet::view_of(row).strides()) == std::vector<ix>{5, 1});
  CHECK(strides_vec(tenet::view_of(col).strides()) == std::vector<ix>{1, 1});
  // Column-major with an extent-1 mode: that mode gets the row-major stride, the others stay.
  xt::xarray<double, xt::layout_type::column_major> cm = xt::zeros<double>({2, 1, 3});
  CHECK(strides_vec(tenet::view_of(cm).strides()) == std::vector<ix>{1, 6, 2});
}

TEST_CASE("view_of: column-major containers, adapt results, views and transposes") {
  xt::xarray<double, xt::layout_type::column_major> cm = xt::zeros<double>({3, 4});
  fill_counting(cm);
  auto vcm = tenet::view_of(cm);
  CHECK(vcm.stride(0) == 1);
  CHECK(vcm.stride(1) == 3);
  CHECK_FALSE(vcm.is_contiguous());
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 4; ++j) CHECK(vcm(i, j) == cm(i, j));

  // xt::adapt over a std::vector and over a raw pointer with strides (temporaries are fine).
  std::vector<double> buf(24);
  for (std::size_t n = 0; n < buf.size(); ++n) buf[n] = static_cast<double>(n);
  auto ad = xt::adapt(buf, std::vector<std::size_t>{4, 6});
  auto vad = tenet::view_of(ad);
  CHECK(vad.data() == buf.data());
  CHECK(vad(3, 5) == 23.0);
  vad(1, 1) = -2.0;
  CHECK(buf[7] == -2.0);
  auto vs = tenet::view_of(xt::adapt(buf.data(), 6, xt::no_ownership(), std::array<std::size_t, 2>{2, 3},
                                     std::array<std::ptrdiff_t, 2>{1, 2}));
  static_assert(std::is_same_v<decltype(vs), tenet::tensor_view<double, dyn, dyn>>);
  CHECK(vs.data() == buf.data());
  CHECK(vs.stride(0) == 1);
  CHECK(vs.stride(1) == 2);
  CHECK(vs(1, 2) == 5.0);

  // A strided xt::view: the data offset is applied.
  xt::xtensor<double, 2> t = xt::zeros<double>({5, 6});
  fill_counting(t);
  auto sub = xt::view(t, xt::range(1, 4), xt::range(0, 6, 2));
  auto vsub = tenet::view_of(sub);
  CHECK(vsub.data() == &t(1, 0));
  CHECK(vsub.extent(0) == 3);
  CHECK(vsub.extent(1) == 3);
  CHECK(vsub.stride(0) == 6);
  CHECK(vsub.stride(1) == 2);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j) CHECK(vsub(i, j) == t(1 + i, 2 * j));
  vsub(2, 2) = -9.0;
  CHECK(t(3, 4) == -9.0);
  // Reversed rows: a negative stride, also zero copy.
  auto rev = xt::view(t, xt::range(4, xt::placeholders::_, -1), xt::all());
  auto vrev = tenet::view_of(rev);
  CHECK(vrev.stride(0) == -6);
  for (std::size_t i = 0; i < 5; ++i)
    for (std::size_t j = 0; j < 6; ++j) CHECK(vrev(i, j) == t(4 - i, j));
  // A transpose.
  auto tt = xt::transpose(t);
  auto vtt = tenet::view_of(tt);
  CHECK(vtt.data() == t.data());
  CHECK(vtt.stride(0) == 1);
  CHECK(vtt.stride(1) == 6);
  for (std::size_t i = 0; i < 6; ++i)
    for (std::size_t j = 0; j < 5; ++j) CHECK(vtt(i, j) == t(j, i));
}

TEST_CASE("view_of: xtensor_fixed gives static extents") {
  xt::xtensor_fixed<double, xt::xshape<2, 3>> f;
  fill_counting(f);
  auto v = tenet::view_of(f);
  static_assert(std::is_same_v<decltype(v), tenet::tensor_view<double, 2, 3>>);
  CHECK(v.data() == f.data());
  CHECK(v.is_contiguous());
  CHECK(v(1, 2) == 5.0);
}

TEST_CASE("view_of(as_xtensor(x)) is x again") {
  tenet::tensor<double, 3, 4> A;
  A.iota();
  const auto p = tenet::permute<1, 0>(A);
  auto v = tenet::view_of(tenet::as_xtensor(p));
  CHECK(v.data() == A.data());
  CHECK(v.stride(0) == 1);
  CHECK(v.stride(1) == 4);
  CHECK(tenet::max_abs_diff(v, p) == 0.0);
  tenet::dtensor<double> D{2, 1, 3};
  auto vd = tenet::view_of(tenet::as_xtensor(D));
  static_assert(std::is_same_v<decltype(vd), tenet::dtensor_view<double>>);
  CHECK(vd.strides() == D.strides());
}

TEST_CASE("einsum and labelled expressions through views of xtensor data, against loops") {
  const std::size_t I = 6, J = 4, K = 5;
  xt::xarray<double> A = xt::zeros<double>({I, J});
  xt::xtensor<double, 2> Bbig = xt::zeros<double>({K, J + 2});
  double n = 0.25;
  for (auto& x : A) x = std::sin(n += 1.0);
  for (auto& x : Bbig) x = std::cos(n += 1.0);
  auto Bt = xt::transpose(xt::view(Bbig, xt::all(), xt::range(1, J + 1)));  // J x K, strided
  std::vector<double> ref(I * K);
  for (std::size_t i = 0; i < I; ++i)
    for (std::size_t k = 0; k < K; ++k) {
      double s = 0;
      for (std::size_t j = 0; j < J; ++j) s += A(i, j) * Bbig(k, j + 1);
      ref[i * K + k] = s;
    }
  const auto vA = tenet::view_of(A);    // dtensor_view
  const auto vB = tenet::view_of(Bt);   // tensor_view<double, dyn, dyn>, strides (1, J + 2)
  CHECK(vB.stride(1) == static_cast<ix>(J + 2));
  const auto C = tenet::einsum<"ij,jk->ik">(vA, vB);
  const auto C2 = tenet::einsum("ij,jk->ik", tenet::view_of(std::as_const(A)), vB);
  for (std::size_t i = 0; i < I; ++i)
    for (std::size_t k = 0; k < K; ++k) {
      CHECK(C(i, k) == doctest::Approx(ref[i * K + k]).epsilon(1e-12));
      CHECK(C2(i, k) == doctest::Approx(ref[i * K + k]).epsilon(1e-12));
    }
  // The result written straight into xtensor storage, and read back through as_xtensor.
  xt::xtensor<double, 2> out = xt::zeros<double>({I, K});
  auto vout = tenet::view_of(out);
  using namespace tenet::labels;
  vout(i, k) = vA(i, j) * vB(j, k);
  for (std::size_t ii = 0; ii < I; ++ii)
    for (std::size_t kk = 0; kk < K; ++kk) CHECK(out(ii, kk) == doctest::Approx(ref[ii * K + kk]).epsilon(1e-12));
  CHECK(xt::amax(xt::abs(tenet::as_xtensor(C) - out))() < 1e-12);
}
