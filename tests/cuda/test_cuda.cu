// The CUDA backend on a device: every device operation against tenet's CPU result of the
// same operation on the same data (reference.cpp), in float and double. Contractions cover
// GEMM-ready layouts (cuBLAS on the operands in place, transposed or not), batch labels,
// layouts that need the permutation kernels (and results that do), traces, diagonals and
// one-operand labels, direct kernels, extents 0 and 1, chains, streams and TF32. Errors:
// shape_error before any launch, and cuda_error messages from deliberately failing calls.
// Without a device, main.cpp skips all of this (the planner is tested on the host by
// tests/test_cuda_plan.cpp).
#include <doctest/doctest.h>

#include <tenet/core/compare.hpp>
#include <tenet/core/permute.hpp>
#include <tenet/cuda.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "reference.hpp"

namespace {

using tenet::device_tensor;
using tenet::dtensor;
using idx = tenet::index;
namespace exec = tenet::exec;

template <class T>
constexpr double tol = std::is_same_v<T, float> ? 2e-5 : 1e-12;
// For sums of 10^5 terms: the CPU reference adds them one by one (in float for float).
template <class T>
constexpr double long_sum_tol = std::is_same_v<T, float> ? 2e-4 : 1e-11;

template <class T>
dtensor<T> random(std::vector<idx> shape, std::uint64_t seed) {
  dtensor<T> t{tenet::dyn_extents(shape)};
  t.fill_random(seed);
  return t;
}

// Relative error of a device result against a host reference (shapes must agree).
template <class T>
double error_of(const device_tensor<T>& got, const dtensor<T>& ref) {
  const dtensor<T> h = tenet::to_host(exec::cuda, got);
  REQUIRE(h.shape() == ref.shape());
  return tenet::rel_error(h, ref);
}

// einsum on the device against the CPU einsum; extents per label.
template <class T>
void check_einsum(std::string_view subscripts, const std::map<char, idx>& ext, exec::cuda_policy policy = exec::cuda,
                  double tolerance = tol<T>) {
  CAPTURE(subscripts);
  const tenet::einsum_spec spec = tenet::parse_einsum_or_throw(subscripts);
  std::vector<dtensor<T>> host;
  for (int i = 0; i < spec.n_ops; ++i) {
    std::vector<idx> shape;
    for (char c : spec.operand(i)) shape.push_back(ext.at(c));
    host.push_back(random<T>(shape, 10 + static_cast<std::uint64_t>(i)));
  }
  std::vector<const dtensor<T>*> hp;
  std::vector<device_tensor<T>> dev;
  for (const auto& h : host) hp.push_back(&h), dev.push_back(tenet::to_device(policy, h));
  const dtensor<T> ref = tenet_ref::einsum<T>(subscripts, hp);
  device_tensor<T> got;
  switch (dev.size()) {
    case 1: got = tenet::einsum(policy, subscripts, dev[0]); break;
    case 2: got = tenet::einsum(policy, subscripts, dev[0], dev[1]); break;
    case 3: got = tenet::einsum(policy, subscripts, dev[0], dev[1], dev[2]); break;
    default: got = tenet::einsum(policy, subscripts, dev[0], dev[1], dev[2], dev[3]); break;
  }
  const dtensor<T> h = tenet::to_host(policy, got);
  REQUIRE(h.shape() == ref.shape());
  CHECK(tenet::rel_error(h, ref) <= tolerance);
}

const std::map<char, idx> small = {{'a', 6}, {'b', 5}, {'c', 7}, {'d', 4}, {'e', 3}, {'f', 8},
                                   {'i', 33}, {'j', 40}, {'k', 24}, {'l', 9}, {'m', 5}, {'x', 1}, {'z', 0}};

}  // namespace

TEST_CASE_TEMPLATE("cuda: device tensors round-trip, with shape errors naming both shapes", T, float, double) {
  const dtensor<T> h = random<T>({3, 4, 5}, 1);
  const device_tensor<T> d = tenet::to_device(exec::cuda, h);
  CHECK(d.rank() == 3);
  CHECK(d.extent(1) == 4);
  CHECK(d.size() == 60);
  CHECK(d.shape() == std::vector<idx>{3, 4, 5});
  CHECK(tenet::max_abs_diff(tenet::to_host(exec::cuda, d), h) == 0);
  // A strided host view goes through a packed copy, both ways.
  const auto pv = tenet::permute<2, 0, 1>(h.view());
  const device_tensor<T> dp = tenet::to_device(exec::cuda, pv);
  CHECK(dp.shape() == std::vector<idx>{5, 3, 4});
  CHECK(tenet::max_abs_diff(tenet::to_host(exec::cuda, dp), pv) == 0);
  dtensor<T> back(4, 5, 3);
  auto bv = tenet::permute<1, 2, 0>(back.view());  // shape (5, 3, 4), strided
  tenet::to_host(exec::cuda, dp, bv);
  CHECK(tenet::max_abs_diff(bv, pv) == 0);
  // Zeros, clone, move, empty.
  const device_tensor<T> z({2, 3});
  CHECK(tenet::max_abs_diff(tenet::to_host(exec::cuda, z), dtensor<T>(2, 3)) == 0);
  device_tensor<T> c = d.clone();
  device_tensor<T> moved = std::move(c);
  CHECK(c.size() == 0);
  CHECK(c.data() == nullptr);
  CHECK(tenet::max_abs_diff(tenet::to_host(exec::cuda, moved), h) == 0);
  const device_tensor<T> e({4, 0});
  CHECK(tenet::to_host(exec::cuda, e).size() == 0);
  // Shape errors name both shapes.
  device_tensor<T> wrong({3, 5});
  try {
    tenet::to_device(exec::cuda, h, wrong);
    FAIL("to_device into a wrong shape did not throw");
  } catch (const tenet::shape_error& x) {
    CHECK(std::string(x.what()).find("(3, 4, 5)") != std::string::npos);
    CHECK(std::string(x.what()).find("(3, 5)") != std::string::npos);
  }
  dtensor<T> small_host(2, 2);
  CHECK_THROWS_AS(tenet::to_host(exec::cuda, d, small_host), tenet::shape_error);
}

TEST_CASE_TEMPLATE("cuda: einsum on GEMM-ready layouts and batch labels", T, float, double) {
  for (const char* s : {"ij,jk->ik", "ji,jk->ik", "ij,kj->ik", "ji,kj->ki", "ij,jk->ki", "abk,kc->abc",
                        "abkl,klc->cab", "bij,bjk->bik", "ibj,bjk->bik", "bcij,cbjk->bcik", "bij,bjk->ikb"})
    check_einsum<T>(s, {{'a', 5}, {'b', 6}, {'c', 7}, {'i', 33}, {'j', 40}, {'k', 24}, {'l', 5}});
  // The issue-2 contractions, small.
  const std::map<char, idx> e = {{'a', 20}, {'b', 18}, {'c', 16}, {'d', 24}, {'e', 6}, {'f', 5}, {'i', 12}, {'j', 14}, {'k', 30}};
  for (const char* s : {"acd,db->abc", "aebf,fdec->abcd", "acd,dbc->ab", "ad,bdc->abc", "bik,bkj->bij", "ibj,ab->iaj"})
    check_einsum<T>(s, e);
  // Implicit output, compile-time subscripts.
  check_einsum<T>("ij,jk", small);
  const dtensor<T> a = random<T>({33, 40}, 3), b = random<T>({40, 24}, 4);
  const auto da = tenet::to_device(exec::cuda, a), db = tenet::to_device(exec::cuda, b);
  CHECK(error_of(tenet::einsum<"ij,jk->ki">(exec::cuda, da, db), tenet_ref::einsum<T>("ij,jk->ki", {&a, &b})) <= tol<T>);
}

TEST_CASE_TEMPLATE("cuda: einsum on layouts that need the permutation kernels", T, float, double) {
  const std::map<char, idx> e = {{'a', 37}, {'b', 40}, {'c', 9}, {'d', 11}, {'i', 5}, {'j', 6}, {'k', 20}};
  for (const char* s : {"iak,kjb->ijab", "kia,jkb->abij", "kabc,dkc->bdak", "ij->ji", "abc->cab", "abcd->bdca",
                        "abc->bac", "ab->ba", "kab,bk->ab"})
    check_einsum<T>(s, e);
  check_einsum<T>("ij->ji", {{'i', 1000}, {'j', 999}});  // many tiles
  check_einsum<T>("abc->cab", {{'a', 70}, {'b', 3}, {'c', 65}});
}

TEST_CASE_TEMPLATE("cuda: traces, diagonals and labels of one operand", T, float, double) {
  const std::map<char, idx> e = {{'i', 30}, {'j', 24}, {'k', 40}, {'l', 5}, {'m', 6}};
  for (const char* s : {"ii->", "ii->i", "iij->j", "ijji->", "iji->ij", "ij->", "ij->i", "ij->j", "iij,jk->ik",
                        "ijl,jk->ik", "ij,jkl->ik", "ii,jk->jk", "ijk,kji->", "lmi,mlj->ij"})
    check_einsum<T>(s, e);
  check_einsum<T>("ij->", {{'i', 400}, {'j', 300}}, exec::cuda, long_sum_tol<T>);  // one block per output
  check_einsum<T>("ij->i", {{'i', 3}, {'j', 100000}}, exec::cuda, long_sum_tol<T>);
}

TEST_CASE_TEMPLATE("cuda: direct kernels, extents 0 and 1, chains", T, float, double) {
  for (const char* s : {"i,j->ij", "ij,ij->ij", "i,i->", "bi,bi->b", "bij,bjk->bik", "ij,jk->ik"})
    check_einsum<T>(s, {{'b', 50}, {'i', 3}, {'j', 2}, {'k', 4}});
  check_einsum<T>("i,i->", {{'i', 100000}}, exec::cuda, long_sum_tol<T>);
  check_einsum<T>("ixj,xjk->ik", small);
  check_einsum<T>("ij,jk->ik", {{'i', 4}, {'j', 0}, {'k', 5}});  // an empty sum: zeros
  check_einsum<T>("ij,jk->ik", {{'i', 0}, {'j', 3}, {'k', 5}});  // an empty result
  check_einsum<T>("ij,jk,kl->il", small);
  check_einsum<T>("ab,bc,ca->", small);
  check_einsum<T>("ij,jk,kl,lm->mi", small);
  check_einsum<T>("bij,bjk,bkl->bil", small);
}

TEST_CASE_TEMPLATE("cuda: exec::contract on device tensors", T, float, double) {
  const dtensor<T> a = random<T>({6, 7, 8}, 5), b = random<T>({8, 6, 9}, 6);
  const auto da = tenet::to_device(exec::cuda, a), db = tenet::to_device(exec::cuda, b);
  device_tensor<T> dc({9, 7});
  const std::vector<int> la = {0, 1, 2}, lb = {2, 0, 3}, lc = {3, 1};
  exec::contract(exec::cuda, da, la, db, lb, dc, lc);
  CHECK(error_of(dc, tenet_ref::einsum<T>("ijk,kil->lj", {&a, &b})) <= tol<T>);
  device_tensor<T> bad({7, 9});
  CHECK_THROWS_AS(exec::contract(exec::cuda, da, la, db, lb, bad, lc), tenet::shape_error);
}

TEST_CASE("cuda: streams and TF32") {
  cudaStream_t s = nullptr;
  REQUIRE(cudaStreamCreate(&s) == cudaSuccess);
  {
    const auto p = exec::cuda_on(s);
    check_einsum<float>("bij,bjk->bik", {{'b', 4}, {'i', 64}, {'j', 300}, {'k', 50}}, p);
    check_einsum<double>("iak,kjb->ijab", {{'i', 5}, {'a', 6}, {'k', 40}, {'j', 7}, {'b', 8}}, p);
    // TF32 rounds the inputs to 10-bit mantissas: close, not exact. Default: exact FP32.
    check_einsum<float>("ij,jk->ik", {{'i', 256}, {'j', 512}, {'k', 128}}, p.with_tf32(), 5e-3);
    check_einsum<float>("ij,jk->ik", {{'i', 256}, {'j', 512}, {'k', 128}}, p, 2e-5);
  }
  REQUIRE(cudaStreamSynchronize(s) == cudaSuccess);
  REQUIRE(cudaStreamDestroy(s) == cudaSuccess);
}

TEST_CASE_TEMPLATE("cuda: hadamard, kron and khatri_rao against the CPU operators", T, float, double) {
  const dtensor<T> a = random<T>({4, 5, 6}, 1), b = random<T>({4, 5, 6}, 2), c = random<T>({4, 5, 6}, 3);
  const auto da = tenet::to_device(exec::cuda, a), db = tenet::to_device(exec::cuda, b),
             dc = tenet::to_device(exec::cuda, c);
  CHECK(error_of(tenet::hadamard(exec::cuda, da, db), tenet_ref::hadamard(a, b)) <= tol<T>);
  CHECK(error_of(tenet::hadamard(exec::cuda, da, db, dc), tenet_ref::hadamard(tenet_ref::hadamard(a, b), c)) <= tol<T>);
  const dtensor<T> m = random<T>({3, 7}, 4), v = random<T>({5}, 5);
  const auto dm = tenet::to_device(exec::cuda, m), dv = tenet::to_device(exec::cuda, v);
  CHECK(error_of(tenet::kron(exec::cuda, da, dm), tenet_ref::kron(a, m)) <= tol<T>);
  CHECK(error_of(tenet::kron(exec::cuda, dv, da), tenet_ref::kron(v, a)) <= tol<T>);
  CHECK(error_of(tenet::kron(exec::cuda, dm, dm, dv), tenet_ref::kron(tenet_ref::kron(m, m), v)) <= tol<T>);
  const dtensor<T> f0 = random<T>({4, 6}, 6), f1 = random<T>({5, 6}, 7), f2 = random<T>({3, 6}, 8), w = random<T>({6}, 9);
  const auto d0 = tenet::to_device(exec::cuda, f0), d1 = tenet::to_device(exec::cuda, f1),
             d2 = tenet::to_device(exec::cuda, f2), dw = tenet::to_device(exec::cuda, w);
  CHECK(error_of(tenet::khatri_rao(exec::cuda, d0, d1, d2), tenet_ref::khatri_rao<T>({&f0, &f1, &f2})) <= tol<T>);
  std::vector<device_tensor<T>> fs;
  fs.push_back(d0.clone()), fs.push_back(d1.clone()), fs.push_back(d2.clone());
  CHECK(error_of(tenet::khatri_rao(exec::cuda, fs, &dw, 1), tenet_ref::khatri_rao<T>({&f0, &f1, &f2}, &w, 1)) <= tol<T>);
  // Shape errors before any launch, with the CPU operators' messages.
  const auto dbad = tenet::to_device(exec::cuda, random<T>({4, 6, 5}, 1));
  try {
    (void)tenet::hadamard(exec::cuda, da, dbad);
    FAIL("hadamard of different shapes did not throw");
  } catch (const tenet::shape_error& x) {
    CHECK(std::string(x.what()) == "tenet::hadamard: shapes differ: (4, 5, 6) vs (4, 6, 5)");
  }
  CHECK_THROWS_AS((void)tenet::khatri_rao(exec::cuda, d0, dm), tenet::shape_error);
}

TEST_CASE_TEMPLATE("cuda: mode_product and partial_trace against the CPU operators", T, float, double) {
  const dtensor<T> x = random<T>({6, 7, 8, 5}, 1);
  const auto dx = tenet::to_device(exec::cuda, x);
  for (std::size_t n = 0; n < 4; ++n) {
    CAPTURE(n);
    const dtensor<T> u = random<T>({9, x.extent(n)}, 2 + n), v = random<T>({x.extent(n)}, 7 + n);
    const auto du = tenet::to_device(exec::cuda, u), dv = tenet::to_device(exec::cuda, v);
    CHECK(error_of(tenet::mode_product(exec::cuda, dx, du, n), tenet_ref::mode_product(x, u, n)) <= tol<T>);
    CHECK(error_of(tenet::mode_product(exec::cuda, dx, dv, n), tenet_ref::mode_product(x, v, n)) <= tol<T>);
  }
  const dtensor<T> u2 = random<T>({3, 8}, 11);
  const auto du2 = tenet::to_device(exec::cuda, u2);
  CHECK(error_of(tenet::mode_product<2>(exec::cuda, dx, du2), tenet_ref::mode_product(x, u2, 2)) <= tol<T>);
  try {
    (void)tenet::mode_product(exec::cuda, dx, du2, 1);
    FAIL("mode_product with a wrong extent did not throw");
  } catch (const tenet::shape_error& e) {
    CHECK(std::string(e.what()).find("X of shape (6, 7, 8, 5) and U of shape (3, 8)") != std::string::npos);
  }
  const dtensor<T> t = random<T>({5, 6, 5, 6, 4}, 12);
  const auto dt = tenet::to_device(exec::cuda, t);
  CHECK(error_of(tenet::partial_trace(exec::cuda, dt, {{0, 2}}), tenet_ref::partial_trace(t, {{0, 2}})) <= tol<T>);
  CHECK(error_of(tenet::partial_trace(exec::cuda, dt, {{0, 2}, {3, 1}}), tenet_ref::partial_trace(t, {{0, 2}, {3, 1}})) <=
        tol<T>);
  CHECK(error_of(tenet::partial_trace<tenet::mode_pair{1, 3}>(exec::cuda, dt), tenet_ref::partial_trace(t, {{1, 3}})) <=
        tol<T>);
  CHECK_THROWS_AS((void)tenet::partial_trace(exec::cuda, dt, {{0, 1}}), tenet::shape_error);
  const dtensor<T> op = random<T>({24, 24}, 13);  // on R^2 kron R^3 kron R^4
  const auto dop = tenet::to_device(exec::cuda, op);
  for (const std::vector<std::size_t>& keep : {std::vector<std::size_t>{0}, {1}, {2}, {0, 2}, {}, {0, 1, 2}})
    CHECK(error_of(tenet::partial_trace(exec::cuda, dop, {2, 3, 4}, keep), tenet_ref::partial_trace(op, {2, 3, 4}, keep)) <=
          tol<T>);
}

TEST_CASE("cuda: shape errors throw before any launch, with the CPU einsum's information") {
  const auto a = tenet::to_device(exec::cuda, random<float>({2, 3}, 1));
  const auto b = tenet::to_device(exec::cuda, random<float>({4, 5}, 2));
  try {
    (void)tenet::einsum(exec::cuda, "ij,jk->ik", a, b);
    FAIL("einsum with mismatched extents did not throw");
  } catch (const tenet::shape_error& e) {
    CHECK(std::string(e.what()) ==
          "tenet::einsum(exec::cuda, \"ij,jk->ik\"): label 'j' has extent 3 in operand 0 of shape (2, 3) but 4 in "
          "operand 1 of shape (4, 5)");
  }
  CHECK_THROWS_AS((void)tenet::einsum(exec::cuda, "ij,jk->ik", a), tenet::shape_error);
  CHECK_THROWS_AS((void)tenet::einsum(exec::cuda, "ijk,jk->ik", a, b), tenet::shape_error);
  CHECK_THROWS_AS((void)tenet::einsum(exec::cuda, "ij,jk->iq", a, b), tenet::parse_error);
  REQUIRE(cudaDeviceSynchronize() == cudaSuccess);  // nothing was queued that could fail
}

TEST_CASE("cuda: a failing CUDA or cuBLAS call is a cuda_error naming the call, the place and the error") {
  try {
    TENET_CUDA_CHECK(cudaSetDevice(1 << 20));
    FAIL("cudaSetDevice(1 << 20) did not fail");
  } catch (const tenet::cuda_error& e) {
    const std::string m = e.what();
    CHECK(m.find("tenet: cudaSetDevice(1 << 20) failed at ") == 0);
    CHECK(m.find("test_cuda.cu:") != std::string::npos);
    CHECK(m.find("cudaErrorInvalidDevice") != std::string::npos);
    CHECK(m.find(cudaGetErrorString(cudaErrorInvalidDevice)) != std::string::npos);
    CHECK(e.code() == static_cast<int>(cudaErrorInvalidDevice));
  }
  cublasHandle_t h = tenet::detail::cuda::cublas_handle(exec::cuda);
  const float one = 1;
  try {
    TENET_CUBLAS_CHECK(cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, -1, 1, 1, &one, nullptr, 1, nullptr, 1, &one, nullptr, 1));
    FAIL("cublasSgemm with m = -1 did not fail");
  } catch (const tenet::cuda_error& e) {
    const std::string m = e.what();
    CHECK(m.find("tenet: cublasSgemm(") == 0);
    CHECK(m.find("CUBLAS_STATUS_INVALID_VALUE") != std::string::npos);
    CHECK(e.code() == static_cast<int>(CUBLAS_STATUS_INVALID_VALUE));
  }
  const tenet::error& base = tenet::cuda_error("x", 1);  // one of tenet's errors
  CHECK(std::string(base.what()) == "x");
}
