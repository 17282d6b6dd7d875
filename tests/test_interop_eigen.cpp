// Zero-copy interop with Eigen (tenet/interop/eigen.hpp): every map and view must alias the
// other side's elements, with the right strides, and carry constness.
#include <doctest/doctest.h>

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <tenet/interop/eigen.hpp>
#include <tenet/tenet.hpp>

using tenet::dyn;
using ix = tenet::index;

namespace {

using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ColMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;

template <class M>
M counting(ix rows, ix cols) {
  M m(rows, cols);
  for (ix i = 0; i < rows; ++i)
    for (ix j = 0; j < cols; ++j) m(i, j) = static_cast<double>(10 * i + j);
  return m;
}

// Every element of the view equals the Eigen object's, by ix.
template <class V, class M>
void check_same_elements(const V& v, const M& m) {
  REQUIRE(v.extent(0) == m.rows());
  REQUIRE(v.extent(1) == m.cols());
  for (ix i = 0; i < m.rows(); ++i)
    for (ix j = 0; j < m.cols(); ++j) CHECK(v(i, j) == m(i, j));
}

}  // namespace

TEST_CASE("as_eigen: a rank-2 tensor as an Eigen map, zero copy, both directions of writes") {
  tenet::tensor<double, 3, 4> A;
  A.iota();
  auto M = tenet::as_eigen(A);
  static_assert(std::is_same_v<decltype(M), tenet::eigen_matrix_map<double>>);
  static_assert(std::is_same_v<decltype(M), Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>,
                                                       Eigen::Unaligned, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>>);
  CHECK(M.data() == A.data());
  CHECK(M.rows() == 3);
  CHECK(M.cols() == 4);
  CHECK(M.outerStride() == 4);
  CHECK(M.innerStride() == 1);
  for (ix i = 0; i < 3; ++i)
    for (ix j = 0; j < 4; ++j) CHECK(M(i, j) == A(i, j));
  M(2, 3) = 42.0;
  CHECK(A(2, 3) == 42.0);
  A(0, 1) = -7.0;
  CHECK(M(0, 1) == -7.0);
  M.row(1).setZero();  // an Eigen operation writes into tenet's storage
  for (ix j = 0; j < 4; ++j) CHECK(A(1, j) == 0.0);
}

TEST_CASE("as_eigen: constness carries over") {
  tenet::tensor<double, 2, 3> A;
  A.iota();
  using ConstMap = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, Eigen::Unaligned,
                              Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>;
  static_assert(std::is_same_v<decltype(tenet::as_eigen(std::as_const(A))), ConstMap>);
  static_assert(std::is_same_v<decltype(tenet::as_eigen(std::as_const(A).view())), ConstMap>);
  static_assert(std::is_same_v<tenet::eigen_matrix_map<const double>, ConstMap>);
  static_assert(std::is_same_v<decltype(tenet::as_eigen(A.view())), tenet::eigen_matrix_map<double>>);
  const auto M = tenet::as_eigen(std::as_const(A));
  CHECK(M.data() == A.data());
  CHECK(M(1, 2) == 5.0);
}

TEST_CASE("as_eigen: a transposed (permuted) view maps with swapped strides; Eigen's product is right") {
  tenet::tensor<double, 3, 4> A;
  A.fill_random(1);
  tenet::tensor<double, dyn, dyn> B(3, 5);
  B.fill_random(2);
  auto At = tenet::as_eigen(tenet::permute<1, 0>(A));  // 4 x 3, strides (1, 4)
  CHECK(At.data() == A.data());
  CHECK(At.rows() == 4);
  CHECK(At.cols() == 3);
  CHECK(At.outerStride() == 1);
  CHECK(At.innerStride() == 4);
  for (ix i = 0; i < 4; ++i)
    for (ix j = 0; j < 3; ++j) CHECK(At(i, j) == A(j, i));
  const RowMat C = At * tenet::as_eigen(B);  // (A^T B)(i, k) = sum_j A(j, i) B(j, k)
  for (ix i = 0; i < 4; ++i)
    for (ix k = 0; k < 5; ++k) {
      double s = 0;
      for (ix j = 0; j < 3; ++j) s += A(j, i) * B(j, k);
      CHECK(C(i, k) == doctest::Approx(s).epsilon(1e-14));
    }
}

TEST_CASE("as_eigen: strided views of a larger tensor, and negative strides") {
  tenet::tensor<double, 4, 6> A;
  A.iota();
  // Every other column of rows 1..3: pointer at A(1, 0), strides (6, 2).
  tenet::tensor_view<double, 3, 3> v(&A(1, 0), tenet::extents<3, 3>{}, {6, 2});
  auto M = tenet::as_eigen(v);
  CHECK(M.outerStride() == 6);
  CHECK(M.innerStride() == 2);
  for (ix i = 0; i < 3; ++i)
    for (ix j = 0; j < 3; ++j) CHECK(M(i, j) == A(1 + i, 2 * j));
  M(2, 2) = -1.0;
  CHECK(A(3, 4) == -1.0);
  // Rows in reverse order: a negative outer stride.
  tenet::tensor_view<double, 4, 6> rev(&A(3, 0), tenet::extents<4, 6>{}, {-6, 1});
  auto R = tenet::as_eigen(rev);
  for (ix i = 0; i < 4; ++i)
    for (ix j = 0; j < 6; ++j) CHECK(R(i, j) == A(3 - i, j));
}

TEST_CASE("as_eigen: run-time rank is checked") {
  tenet::dtensor<float> D{2, 3};
  D.iota();
  auto M = tenet::as_eigen(D);
  static_assert(std::is_same_v<decltype(M), tenet::eigen_matrix_map<float>>);
  CHECK(M.data() == D.data());
  CHECK(M(1, 2) == 5.0f);
  tenet::dtensor<float> E{2, 3, 4};
  CHECK_THROWS_AS(tenet::as_eigen(E), tenet::shape_error);
  try {
    (void)tenet::as_eigen(E.view());
  } catch (const tenet::shape_error& e) {
    CHECK(std::string(e.what()).find("(2, 3, 4)") != std::string::npos);
  }
}

TEST_CASE("as_eigen_tensor: a contiguous tensor as an Eigen::TensorMap, zero copy") {
  tenet::tensor<float, 2, 3, 4> A;
  A.iota();
  auto T = tenet::as_eigen_tensor(A);
  static_assert(std::is_same_v<decltype(T), Eigen::TensorMap<Eigen::Tensor<float, 3, Eigen::RowMajor>>>);
  static_assert(std::is_same_v<decltype(T), tenet::eigen_tensor_map<float, 3>>);
  CHECK(T.data() == A.data());
  CHECK(T.dimension(0) == 2);
  CHECK(T.dimension(1) == 3);
  CHECK(T.dimension(2) == 4);
  for (ix i = 0; i < 2; ++i)
    for (ix j = 0; j < 3; ++j)
      for (ix k = 0; k < 4; ++k) CHECK(T(i, j, k) == A(i, j, k));
  T(1, 2, 3) = 99.0f;
  CHECK(A(1, 2, 3) == 99.0f);
  A(0, 0, 0) = -5.0f;
  CHECK(T(0, 0, 0) == -5.0f);
  T.setConstant(2.0f);  // an Eigen operation writes into tenet's storage
  CHECK(A(1, 1, 1) == 2.0f);

  // Dynamic extents, static rank; the rank-0 case; const.
  tenet::tensor<double, dyn, dyn> B(2, 5);
  B.iota();
  auto TB = tenet::as_eigen_tensor(B);
  static_assert(std::is_same_v<decltype(TB), tenet::eigen_tensor_map<double, 2>>);
  CHECK(TB(1, 4) == 9.0);
  tenet::tensor<double> S;
  S.data()[0] = 3.5;
  CHECK(tenet::as_eigen_tensor(S)() == 3.5);
  const auto TC = tenet::as_eigen_tensor(std::as_const(B));
  static_assert(std::is_same_v<std::remove_const_t<decltype(TC)>, Eigen::TensorMap<const Eigen::Tensor<double, 2, Eigen::RowMajor>>>);
  CHECK(TC.data() == B.data());
  // An Eigen contraction on the maps equals the loops.
  tenet::tensor<double, 5, 3> C;
  C.fill_random(3);
  const Eigen::array<Eigen::IndexPair<int>, 1> dims = {Eigen::IndexPair<int>(1, 0)};
  const Eigen::Tensor<double, 2, Eigen::RowMajor> P = tenet::as_eigen_tensor(B).contract(tenet::as_eigen_tensor(C), dims);
  for (ix i = 0; i < 2; ++i)
    for (ix k = 0; k < 3; ++k) {
      double s = 0;
      for (ix j = 0; j < 5; ++j) s += B(i, j) * C(j, k);
      CHECK(P(i, k) == doctest::Approx(s).epsilon(1e-14));
    }
}

TEST_CASE("as_eigen_tensor: a non-contiguous view throws shape_error naming its shape") {
  tenet::tensor<double, 2, 3, 4> A;
  const auto p = tenet::permute<1, 0, 2>(A);  // shape (3, 2, 4), not row-major
  CHECK_THROWS_AS(tenet::as_eigen_tensor(p), tenet::shape_error);
  try {
    (void)tenet::as_eigen_tensor(p);
    FAIL("no exception");
  } catch (const tenet::shape_error& e) {
    const std::string what = e.what();
    CHECK(what.find("(3, 2, 4)") != std::string::npos);
    CHECK(what.find("not contiguous") != std::string::npos);
  }
  // Every other element of a row: strided, so it throws too.
  tenet::tensor_view<double, 2, 2> every_other(A.data(), tenet::extents<2, 2>{}, {4, 2});
  CHECK_THROWS_AS(tenet::as_eigen_tensor(every_other), tenet::shape_error);
  // The stride of an extent-1 mode does not matter.
  tenet::tensor_view<double, 3, 1, 4> unit(A.data(), tenet::extents<3, 1, 4>{}, {4, 123, 1});
  CHECK(tenet::as_eigen_tensor(unit).data() == A.data());
}

TEST_CASE("view_of: Eigen matrices in both storage orders") {
  ColMat C = counting<ColMat>(3, 4);
  auto vc = tenet::view_of(C);
  static_assert(std::is_same_v<decltype(vc), tenet::tensor_view<double, dyn, dyn>>);
  CHECK(vc.data() == C.data());
  CHECK(vc.stride(0) == 1);
  CHECK(vc.stride(1) == 3);
  CHECK_FALSE(vc.is_contiguous());
  check_same_elements(vc, C);

  RowMat R = counting<RowMat>(3, 4);
  auto vr = tenet::view_of(R);
  CHECK(vr.data() == R.data());
  CHECK(vr.stride(0) == 4);
  CHECK(vr.stride(1) == 1);
  CHECK(vr.is_contiguous());
  check_same_elements(vr, R);

  // Writes go both ways.
  vc(2, 1) = -1.0;
  CHECK(C(2, 1) == -1.0);
  R(0, 3) = 77.0;
  CHECK(vr(0, 3) == 77.0);

  // Arrays too, and a const object gives a const view.
  Eigen::ArrayXXf arr = Eigen::ArrayXXf::Zero(2, 2);
  auto va = tenet::view_of(arr);
  static_assert(std::is_same_v<decltype(va), tenet::tensor_view<float, dyn, dyn>>);
  va(1, 0) = 3.0f;
  CHECK(arr(1, 0) == 3.0f);
  const ColMat& cref = C;
  auto vconst = tenet::view_of(cref);
  static_assert(std::is_same_v<decltype(vconst), tenet::tensor_view<const double, dyn, dyn>>);
  CHECK(vconst.data() == C.data());
}

TEST_CASE("view_of: fixed-size Eigen types give static extents") {
  Eigen::Matrix<double, 3, 4> F = counting<Eigen::Matrix<double, 3, 4>>(3, 4);
  auto v = tenet::view_of(F);
  static_assert(std::is_same_v<decltype(v), tenet::tensor_view<double, 3, 4>>);
  CHECK(v.stride(0) == 1);
  CHECK(v.stride(1) == 3);
  check_same_elements(v, F);
  Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor> H(5, 2);
  static_assert(std::is_same_v<decltype(tenet::view_of(H)), tenet::tensor_view<float, dyn, 2>>);
  CHECK(tenet::view_of(H).is_contiguous());
  static_assert(std::is_same_v<decltype(tenet::view_of(F.block<2, 2>(1, 1))), tenet::tensor_view<double, 2, 2>>);
}

TEST_CASE("view_of: blocks, rows and columns keep the parent's strides") {
  ColMat C = counting<ColMat>(5, 6);
  auto b = tenet::view_of(C.block(1, 2, 3, 2));
  CHECK(b.data() == &C(1, 2));
  CHECK(b.extent(0) == 3);
  CHECK(b.extent(1) == 2);
  CHECK(b.stride(0) == 1);
  CHECK(b.stride(1) == 5);
  check_same_elements(b, C.block(1, 2, 3, 2));
  b(2, 1) = -3.0;
  CHECK(C(3, 3) == -3.0);

  RowMat R = counting<RowMat>(5, 6);
  auto rb = tenet::view_of(R.block(1, 2, 3, 2));
  CHECK(rb.data() == &R(1, 2));
  CHECK(rb.stride(0) == 6);
  CHECK(rb.stride(1) == 1);
  check_same_elements(rb, R.block(1, 2, 3, 2));

  // A column of a row-major matrix and a row of a column-major one are strided vectors.
  auto col = tenet::view_of(R.col(3));
  CHECK(col.extent(0) == 5);
  CHECK(col.extent(1) == 1);
  CHECK(col.stride(0) == 6);
  check_same_elements(col, R.col(3));
  auto row = tenet::view_of(C.row(4));
  CHECK(row.extent(0) == 1);
  CHECK(row.extent(1) == 6);
  CHECK(row.stride(1) == 5);
  check_same_elements(row, C.row(4));
  // A contiguous column vector reads as contiguous (the extent-1 mode's stride is tidied).
  Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(4, 0.0, 3.0);
  auto vx = tenet::view_of(x);
  CHECK(vx.is_contiguous());
  CHECK(tenet::reshape(vx, {4}).data() == x.data());
}

TEST_CASE("view_of: transposes swap the strides") {
  ColMat C = counting<ColMat>(3, 4);
  auto t = tenet::view_of(C.transpose());
  CHECK(t.data() == C.data());
  CHECK(t.extent(0) == 4);
  CHECK(t.extent(1) == 3);
  CHECK(t.stride(0) == 3);
  CHECK(t.stride(1) == 1);
  CHECK(t.is_contiguous());
  for (ix i = 0; i < 4; ++i)
    for (ix j = 0; j < 3; ++j) CHECK(t(i, j) == C(j, i));
  t(3, 0) = 50.0;
  CHECK(C(0, 3) == 50.0);
  const ColMat& cref = C;
  static_assert(std::is_same_v<decltype(tenet::view_of(cref.transpose())), tenet::tensor_view<const double, dyn, dyn>>);

  RowMat R = counting<RowMat>(3, 4);
  auto rt = tenet::view_of(R.transpose());
  CHECK(rt.stride(0) == 1);
  CHECK(rt.stride(1) == 4);
  check_same_elements(rt, R.transpose());
  // The transpose of a block.
  auto bt = tenet::view_of(R.block(1, 1, 2, 3).transpose());
  CHECK(bt.data() == &R(1, 1));
  check_same_elements(bt, R.block(1, 1, 2, 3).transpose());
}

TEST_CASE("view_of: Eigen maps with strides, and Ref") {
  double buf[64];
  for (int n = 0; n < 64; ++n) buf[n] = n;
  using Strided = Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>;
  // Column-major, inner stride 2, outer stride 10: (i, j) at 2i + 10j.
  Eigen::Map<ColMat, Eigen::Unaligned, Strided> mc(buf, 3, 4, Strided(10, 2));
  auto vc = tenet::view_of(mc);
  CHECK(vc.data() == buf);
  CHECK(vc.stride(0) == 2);
  CHECK(vc.stride(1) == 10);
  check_same_elements(vc, mc);
  // Row-major, inner stride 3, outer stride 13: (i, j) at 13i + 3j.
  Eigen::Map<RowMat, Eigen::Unaligned, Strided> mr(buf + 1, 4, 3, Strided(13, 3));
  auto vr = tenet::view_of(mr);
  CHECK(vr.data() == buf + 1);
  CHECK(vr.stride(0) == 13);
  CHECK(vr.stride(1) == 3);
  check_same_elements(vr, mr);
  vr(1, 2) = -1.0;
  CHECK(buf[1 + 13 + 6] == -1.0);
  // OuterStride<> maps and read-only maps.
  Eigen::Map<const ColMat, Eigen::Unaligned, Eigen::OuterStride<>> mo(buf, 2, 3, Eigen::OuterStride<>(7));
  auto vo = tenet::view_of(mo);
  static_assert(std::is_same_v<decltype(vo), tenet::tensor_view<const double, dyn, dyn>>);
  CHECK(vo.stride(0) == 1);
  CHECK(vo.stride(1) == 7);
  check_same_elements(vo, mo);
  // A temporary map is fine: it does not own the elements.
  CHECK(tenet::view_of(Eigen::Map<RowMat>(buf, 2, 2)).data() == buf);
  // Ref.
  ColMat C = counting<ColMat>(4, 4);
  Eigen::Ref<ColMat, 0, Eigen::OuterStride<>> ref = C.block(1, 1, 2, 2);
  auto vref = tenet::view_of(ref);
  CHECK(vref.data() == &C(1, 1));
  CHECK(vref.stride(1) == 4);
  check_same_elements(vref, C.block(1, 1, 2, 2));
}

TEST_CASE("view_of(as_eigen(x)) is x again") {
  tenet::tensor<double, 3, 5> A;
  A.iota();
  auto v = tenet::view_of(tenet::as_eigen(tenet::permute<1, 0>(A)));
  CHECK(v.data() == A.data());
  CHECK(v.stride(0) == 1);
  CHECK(v.stride(1) == 5);
  CHECK(tenet::max_abs_diff(v, tenet::permute<1, 0>(A)) == 0.0);
}

TEST_CASE("view_of: Eigen::Tensor in both layouts, TensorMap and TensorFixedSize") {
  Eigen::Tensor<double, 3, Eigen::RowMajor> R(2, 3, 4);
  Eigen::Tensor<double, 3, Eigen::ColMajor> C(2, 3, 4);
  for (ix i = 0; i < 2; ++i)
    for (ix j = 0; j < 3; ++j)
      for (ix k = 0; k < 4; ++k) R(i, j, k) = C(i, j, k) = static_cast<double>(100 * i + 10 * j + k);
  auto vr = tenet::view_of(R);
  static_assert(std::is_same_v<decltype(vr), tenet::tensor_view<double, dyn, dyn, dyn>>);
  CHECK(vr.data() == R.data());
  CHECK(vr.stride(0) == 12);
  CHECK(vr.stride(1) == 4);
  CHECK(vr.stride(2) == 1);
  CHECK(vr.is_contiguous());
  auto vc = tenet::view_of(C);
  CHECK(vc.data() == C.data());
  CHECK(vc.stride(0) == 1);  // ColMajor: strides reversed
  CHECK(vc.stride(1) == 2);
  CHECK(vc.stride(2) == 6);
  for (ix i = 0; i < 2; ++i)
    for (ix j = 0; j < 3; ++j)
      for (ix k = 0; k < 4; ++k) {
        CHECK(vr(i, j, k) == R(i, j, k));
        CHECK(vc(i, j, k) == C(i, j, k));
      }
  CHECK(tenet::max_abs_diff(vr, vc) == 0.0);
  vc(1, 2, 3) = -1.0;
  CHECK(C(1, 2, 3) == -1.0);

  // Maps over raw memory, mutable and const (temporaries are fine: they own nothing).
  double buf[24] = {};
  auto vm = tenet::view_of(Eigen::TensorMap<Eigen::Tensor<double, 2>>(buf, 4, 6));
  static_assert(std::is_same_v<decltype(vm), tenet::tensor_view<double, dyn, dyn>>);
  CHECK(vm.data() == buf);
  CHECK(vm.stride(0) == 1);
  CHECK(vm.stride(1) == 4);
  vm(3, 5) = 8.0;
  CHECK(buf[23] == 8.0);
  const Eigen::TensorMap<const Eigen::Tensor<double, 2, Eigen::RowMajor>> cm(buf, 4, 6);
  auto vcm = tenet::view_of(cm);
  static_assert(std::is_same_v<decltype(vcm), tenet::tensor_view<const double, dyn, dyn>>);
  CHECK(vcm.stride(0) == 6);
  CHECK(vcm(3, 5) == 8.0);
  const auto& cR = R;
  static_assert(std::is_same_v<decltype(tenet::view_of(cR)), tenet::tensor_view<const double, dyn, dyn, dyn>>);

  // Fixed sizes become static extents; a ColMajor extent-1 mode gets the row-major stride.
  Eigen::TensorFixedSize<float, Eigen::Sizes<2, 1, 3>> F;
  F.setZero();
  auto vf = tenet::view_of(F);
  static_assert(std::is_same_v<decltype(vf), tenet::tensor_view<float, 2, 1, 3>>);
  CHECK(vf.stride(0) == 1);
  CHECK(vf.stride(1) == 6);
  CHECK(vf.stride(2) == 2);
  vf(1, 0, 2) = 4.0f;
  CHECK(F(1, 0, 2) == 4.0f);

  // Round trip: a row-major TensorMap of a tenet tensor, viewed again.
  tenet::tensor<double, 2, 3> A;
  A.iota();
  auto back = tenet::view_of(tenet::as_eigen_tensor(A));
  CHECK(back.data() == A.data());
  CHECK(back.is_contiguous());
}

TEST_CASE("einsum and labelled expressions through views of Eigen data, against loops") {
  const ix I = 7, J = 5, K = 6;
  ColMat A(I, J);
  RowMat B(J, K);
  A.setRandom();
  B.setRandom();
  // A column-major operand, a row-major one, and a transposed block of a larger one.
  ColMat big = ColMat::Random(K + 2, J + 3);
  auto Bt = big.block(1, 2, K, J).transpose();  // J x K, strides (K + 2, 1)
  std::vector<double> ref(static_cast<std::size_t>(I * K)), ref2(static_cast<std::size_t>(I * K));
  for (ix i = 0; i < I; ++i)
    for (ix k = 0; k < K; ++k) {
      double s = 0, s2 = 0;
      for (ix j = 0; j < J; ++j) {
        s += A(i, j) * B(j, k);
        s2 += A(i, j) * Bt(j, k);
      }
      ref[static_cast<std::size_t>(i * K + k)] = s;
      ref2[static_cast<std::size_t>(i * K + k)] = s2;
    }

  const auto C = tenet::einsum<"ij,jk->ik">(tenet::view_of(A), tenet::view_of(B));
  REQUIRE(C.extent(0) == I);
  REQUIRE(C.extent(1) == K);
  const auto C2 = tenet::einsum<"ij,jk->ik">(tenet::view_of(A), tenet::view_of(Bt));
  const auto C3 = tenet::einsum("ij,jk->ik", tenet::view_of(std::as_const(A)), tenet::view_of(B));
  for (ix i = 0; i < I; ++i)
    for (ix k = 0; k < K; ++k) {
      const double r = ref[static_cast<std::size_t>(i * K + k)];
      CHECK(C(i, k) == doctest::Approx(r).epsilon(1e-12));
      CHECK(C3(i, k) == doctest::Approx(r).epsilon(1e-12));
      CHECK(C2(i, k) == doctest::Approx(ref2[static_cast<std::size_t>(i * K + k)]).epsilon(1e-12));
    }

  // Writing the result straight into Eigen storage (column-major), through a view.
  ColMat out = ColMat::Zero(I, K);
  auto vout = tenet::view_of(out);
  using namespace tenet::labels;
  vout(i, k) = tenet::view_of(A)(i, j) * tenet::view_of(B)(j, k);
  for (ix ii = 0; ii < I; ++ii)
    for (ix kk = 0; kk < K; ++kk) CHECK(out(ii, kk) == doctest::Approx(ref[static_cast<std::size_t>(ii * K + kk)]).epsilon(1e-12));
  // And the same through Eigen's own product on the maps.
  const ColMat viaEigen = tenet::as_eigen(C);
  CHECK((viaEigen - A * B).cwiseAbs().maxCoeff() < 1e-12);
}
