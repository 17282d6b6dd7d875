// permute and reshape: views that reorder or regroup modes without moving an element.
// Every element of a view is checked against the index arithmetic it stands for.
#include <doctest/doctest.h>

#include <tenet/tenet.hpp>

#include <string>
#include <type_traits>
#include <vector>

namespace {

using tenet::dtensor;
using tenet::dyn;
using tenet::tensor;
using idx = tenet::index;

// The message of the shape_error that f throws ("" if it throws none).
template <class F>
std::string shape_error_of(F&& f) {
  try {
    f();
  } catch (const tenet::shape_error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("views: static permute of a static tensor") {
  tensor<double, 2, 3, 4> X;
  X.iota();  // X(a, b, c) = 12a + 4b + c
  auto p = tenet::permute<2, 0, 1>(X);
  static_assert(std::is_same_v<decltype(p), tenet::tensor_view<double, 4, 2, 3>>);
  CHECK(p.data() == X.data());  // a view, not a copy
  CHECK(p.stride(0) == 1);
  CHECK(p.stride(1) == 12);
  CHECK(p.stride(2) == 4);
  CHECK_FALSE(p.is_contiguous());
  bool ok = true;
  for (idx c = 0; c < 4; ++c)
    for (idx a = 0; a < 2; ++a)
      for (idx b = 0; b < 3; ++b) ok = ok && p(c, a, b) == double(12 * a + 4 * b + c);
  CHECK(ok);

  SUBCASE("writes go through to the tensor") {
    p(3, 1, 2) = -1;
    CHECK(X(1, 2, 3) == -1);
  }
  SUBCASE("the identity permutation is the tensor's own layout") {
    auto q = tenet::permute<0, 1, 2>(X);
    CHECK(q.is_contiguous());
    CHECK(q.strides() == X.strides());
  }
  SUBCASE("permuting a permuted view composes; the inverse restores the layout") {
    auto q = tenet::permute<1, 2, 0>(p);  // inverse of (2, 0, 1)
    static_assert(std::is_same_v<decltype(q), tenet::tensor_view<double, 2, 3, 4>>);
    CHECK(q.is_contiguous());
    CHECK(q(1, 2, 3) == X(1, 2, 3));
  }
  SUBCASE("a const tensor gives a view of const elements") {
    const auto& cx = X;
    auto q = tenet::permute<1, 0, 2>(cx);
    static_assert(std::is_same_v<decltype(q), tenet::tensor_view<const double, 3, 2, 4>>);
    CHECK(q(2, 1, 3) == X(1, 2, 3));
  }
}

TEST_CASE("views: static permute keeps static and dynamic extents apart") {
  tensor<float, dyn, 3, 5> Y(2);
  Y.iota();
  auto p = tenet::permute<1, 2, 0>(Y);
  static_assert(std::is_same_v<decltype(p), tenet::tensor_view<float, 3, 5, dyn>>);
  CHECK(p.extent(2) == 2);
  bool ok = true;
  for (idx a = 0; a < 2; ++a)
    for (idx b = 0; b < 3; ++b)
      for (idx c = 0; c < 5; ++c) ok = ok && p(b, c, a) == Y(a, b, c);
  CHECK(ok);

  SUBCASE("extent-0 and extent-1 modes") {
    tensor<float, dyn, 1, 3> Z(0);
    auto q = tenet::permute<2, 1, 0>(Z);
    CHECK(q.extent(0) == 3);
    CHECK(q.extent(1) == 1);
    CHECK(q.extent(2) == 0);
    CHECK(q.size() == 0);
  }
}

TEST_CASE("views: static permute of a dtensor is checked at run time") {
  dtensor<double> D{2, 3, 4};
  D.iota();
  auto p = tenet::permute<2, 0, 1>(D);
  static_assert(std::is_same_v<decltype(p), tenet::dtensor_view<double>>);
  REQUIRE(p.rank() == 3);
  CHECK(p.extent(0) == 4);
  CHECK(p(3, 1, 2) == D(1, 2, 3));
  const std::string msg = shape_error_of([&] { (void)tenet::permute<1, 0>(D); });
  CHECK(contains(msg, "(1, 0)"));
  CHECK(contains(msg, "(2, 3, 4)"));
}

TEST_CASE("views: run-time permute") {
  tensor<double, 2, 3, 4> X;
  X.iota();
  auto p = tenet::permute(X, {2, 0, 1});
  static_assert(std::is_same_v<decltype(p), tenet::dtensor_view<double>>);
  REQUIRE(p.rank() == 3);
  CHECK(p.data() == X.data());
  bool ok = p.extent(0) == 4 && p.extent(1) == 2 && p.extent(2) == 3;
  for (idx c = 0; ok && c < 4; ++c)
    for (idx a = 0; a < 2; ++a)
      for (idx b = 0; b < 3; ++b) ok = ok && p(c, a, b) == X(a, b, c);
  CHECK(ok);

  SUBCASE("from a span, of a view") {
    const std::vector<std::size_t> perm = {1, 0};
    dtensor<int> M{2, 5};
    M.iota();
    auto q = tenet::permute(M.view(), std::span<const std::size_t>(perm));
    CHECK(q.extent(0) == 5);
    CHECK(q(4, 1) == M(1, 4));
  }
  SUBCASE("a rank-0 tensor permutes by the empty permutation") {
    tensor<double> s;
    auto q = tenet::permute(s, {});
    CHECK(q.rank() == 0);
    CHECK(q.size() == 1);
  }
  SUBCASE("not a permutation: shape_error naming the permutation and the shape") {
    const std::string dup = shape_error_of([&] { (void)tenet::permute(X, {0, 0, 1}); });
    CHECK(contains(dup, "(0, 0, 1)"));
    CHECK(contains(dup, "(2, 3, 4)"));
    const std::string range = shape_error_of([&] { (void)tenet::permute(X, {0, 3, 1}); });
    CHECK(contains(range, "(0, 3, 1)"));
    const std::string length = shape_error_of([&] { (void)tenet::permute(X, {1, 0}); });
    CHECK(contains(length, "(1, 0)"));
    CHECK(contains(length, "(2, 3, 4)"));
  }
}

TEST_CASE("views: static reshape") {
  tensor<double, 2, 3, 4> X;
  X.iota();
  auto r = tenet::reshape<6, 4>(X);
  static_assert(std::is_same_v<decltype(r), tenet::tensor_view<double, 6, 4>>);
  CHECK(r.data() == X.data());
  bool ok = true;
  for (idx a = 0; a < 6; ++a)
    for (idx b = 0; b < 4; ++b) ok = ok && r(a, b) == double(4 * a + b);
  CHECK(ok);

  SUBCASE("writes go through to the tensor") {
    r(5, 3) = -7;
    CHECK(X(1, 2, 3) == -7);
  }
  SUBCASE("a dyn extent is inferred") {
    auto q = tenet::reshape<dyn, 2>(X);
    static_assert(std::is_same_v<decltype(q), tenet::tensor_view<double, dyn, 2>>);
    CHECK(q.extent(0) == 12);
    CHECK(q(11, 1) == 23);
  }
  SUBCASE("to rank 1 and back to rank 3") {
    auto flat = tenet::reshape<24>(X);
    auto back = tenet::reshape<2, 3, 4>(flat);
    CHECK(back(1, 2, 3) == X(1, 2, 3));
    CHECK(back.strides() == X.strides());
  }
  SUBCASE("a const tensor gives a view of const elements") {
    const auto& cx = X;
    auto q = tenet::reshape<4, 6>(cx);
    static_assert(std::is_same_v<decltype(q), tenet::tensor_view<const double, 4, 6>>);
    CHECK(q(3, 5) == 23);
  }
  SUBCASE("a dtensor is checked at run time; the message names both shapes") {
    dtensor<double> D{2, 3, 4};
    D.iota();
    auto q = tenet::reshape<8, 3>(D);
    CHECK(q(7, 2) == 23);
    const std::string msg = shape_error_of([&] { (void)tenet::reshape<5, 5>(D); });
    CHECK(contains(msg, "(2, 3, 4)"));
    CHECK(contains(msg, "(5, 5)"));
    CHECK_THROWS_AS(((void)tenet::reshape<5, dyn>(D)), tenet::shape_error);
  }
  SUBCASE("a (1, 1) tensor reshapes to rank 0") {
    tensor<double, 1, 1> one;
    one(0, 0) = 7;
    auto s = tenet::reshape<>(one);
    CHECK(s.rank() == 0);
    CHECK(*s.data() == 7);
  }
}

TEST_CASE("views: run-time reshape") {
  tensor<float, 2, 3, 4> X;
  X.iota();
  auto r = tenet::reshape(X, {3, 8});
  static_assert(std::is_same_v<decltype(r), tenet::dtensor_view<float>>);
  REQUIRE(r.rank() == 2);
  CHECK(r.data() == X.data());
  CHECK(r(2, 7) == 23);
  auto q = tenet::reshape(X, {-1, 2, 2});
  REQUIRE(q.rank() == 3);
  CHECK(q.extent(0) == 6);
  CHECK(q(5, 1, 1) == 23);

  SUBCASE("extent-0 tensors") {
    dtensor<float> Z{0, 3};
    auto z = tenet::reshape(Z, {3, -1});
    CHECK(z.extent(0) == 3);
    CHECK(z.extent(1) == 0);
  }
  SUBCASE("errors name the asked extents and the shape") {
    const std::string count = shape_error_of([&] { (void)tenet::reshape(X, {5, -1}); });
    CHECK(contains(count, "(5, -1)"));
    CHECK(contains(count, "(2, 3, 4)"));
    const std::string two = shape_error_of([&] { (void)tenet::reshape(X, {-1, -1}); });
    CHECK(contains(two, "(-1, -1)"));
    CHECK_THROWS_AS((void)tenet::reshape(X, {-2, -12}), tenet::shape_error);
    CHECK_THROWS_AS((void)tenet::reshape(X, {25}), tenet::shape_error);
  }
}

TEST_CASE("views: reshape needs a contiguous view") {
  tensor<double, 2, 3, 4> X;
  X.iota();
  auto p = tenet::permute<2, 0, 1>(X);
  const std::string msg = shape_error_of([&] { (void)tenet::reshape(p, {8, 3}); });
  CHECK(contains(msg, "not contiguous"));
  CHECK(contains(msg, "(4, 2, 3)"));
  CHECK_THROWS_AS((void)tenet::reshape<24>(p), tenet::shape_error);

  SUBCASE("a strided view with row-major strides is contiguous") {
    tenet::dtensor_view<double> v(X.data(), tenet::dyn_extents{6, 4}, std::vector<idx>{4, 1});
    auto q = tenet::reshape(v, {24});
    CHECK(q(23) == 23);
  }
  SUBCASE("copying the permuted view into a tensor makes it reshapable") {
    tensor<double, 4, 2, 3> c(p);
    auto q = tenet::reshape<4, 6>(c);
    CHECK(q(3, 5) == X(1, 2, 3));
    CHECK(q(1, 0) == X(0, 0, 1));
  }
}

TEST_CASE("views: permuted and reshaped views as einsum and labelled operands") {
  using namespace tenet::labels;
  tensor<double, 3, 4> A;
  tensor<double, 2, 2, 5> B4;  // reshaped to (4, 5)
  A.fill_random(1);
  B4.fill_random(2);
  auto At = tenet::permute<1, 0>(A);  // (4, 3)
  auto B = tenet::reshape<4, 5>(B4);
  dtensor<double> ref{3, 5};
  for (idx p = 0; p < 3; ++p)
    for (idx q = 0; q < 5; ++q)
      for (idx s = 0; s < 4; ++s) ref(p, q) += A(p, s) * B4(s / 2, s % 2, q);

  tensor<double, 3, 5> C;
  C(i, k) = At(j, i) * B(j, k);
  CHECK(tenet::max_abs_diff(C, ref) < 1e-12);
  auto E = tenet::einsum<"ji,jk->ik">(At, B);
  static_assert(std::is_same_v<decltype(E), tensor<double, 3, 5>>);
  CHECK(tenet::max_abs_diff(E, ref) < 1e-12);
}
