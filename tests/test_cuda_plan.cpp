// The CUDA backend's host side, without a GPU: the planner (tenet/exec/cuda/plan.hpp) picks
// the cuBLAS call, its transposes and leading dimensions, and the copies around it; each plan
// is then run on the host (tests/cuda_emulate.hpp: the kernels' per-thread functions in loops,
// cuBLAS's GEMM from its definition, every read bounds-checked) and compared with the CPU
// einsum on the same data. Also: the cuda_error message, and the intermediates of a chain.
#include <doctest/doctest.h>

#include <tenet/tenet.hpp>
#include <tenet/exec/cuda/error.hpp>
#include <tenet/exec/cuda/plan.hpp>
#include <tenet/expr/einsum_device.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cuda_emulate.hpp"

namespace {

using tenet::dtensor;
using idx = tenet::index;
namespace tc = tenet::detail::cuda;
using D = dtensor<double>;

std::vector<int> ints(std::string_view s) { return {s.begin(), s.end()}; }

std::vector<idx> shape_of(const D& t) { return t.shape(); }

D random(std::vector<idx> shape, std::uint64_t seed) {
  D t{tenet::dyn_extents(shape)};
  t.fill_random(seed);
  return t;
}

// Plans A(la) B(lb) -> C(lc), runs the plan on the host and checks it against tenet::einsum.
tc::device_plan check2(std::string_view subscripts, std::vector<idx> sa, std::vector<idx> sb) {
  CAPTURE(subscripts);
  const tenet::einsum_spec spec = tenet::parse_einsum_or_throw(subscripts);
  const D a = random(sa, 1), b = random(sb, 2);
  const D ref = tenet::einsum(subscripts, a, b);
  const auto sc = shape_of(ref);
  const auto p = tc::plan_contraction(sa, ints(spec.operand(0)), sb, ints(spec.operand(1)), sc, ints(spec.output()));
  CAPTURE(p.str());
  D got{tenet::dyn_extents(sc)};
  got.fill(-7.0);
  tenet_test::emulate_plan<double>(p, a.data(), a.size(), b.data(), b.size(), got.data(), got.size());
  CHECK(tenet::allclose(got, ref, 1e-10, 1e-10));
  return p;
}

tc::device_plan check1(std::string_view subscripts, std::vector<idx> sa) {
  CAPTURE(subscripts);
  const tenet::einsum_spec spec = tenet::parse_einsum_or_throw(subscripts);
  const D a = random(sa, 3);
  const D ref = tenet::einsum(subscripts, a);
  const auto sc = shape_of(ref);
  const auto p = tc::plan_copy(sa, ints(spec.operand(0)), sc, ints(spec.output()));
  CAPTURE(p.str());
  D got{tenet::dyn_extents(sc)};
  got.fill(-7.0);
  tenet_test::emulate_plan<double>(p, a.data(), a.size(), nullptr, 0, got.data(), got.size());
  CHECK(tenet::allclose(got, ref, 1e-10, 1e-10));
  return p;
}

bool no_copies(const tc::device_plan& p) { return p.kind == tc::plan_kind::gemm && !p.prep[0] && !p.prep[1] && !p.c_temp; }

}  // namespace

TEST_CASE("cuda plan: GEMM-shaped contractions run as one cuBLAS call on the operands in place") {
  CHECK(no_copies(check2("ij,jk->ik", {40, 24}, {24, 33})));
  CHECK(no_copies(check2("ji,jk->ik", {24, 40}, {24, 33})));
  CHECK(no_copies(check2("ij,kj->ik", {40, 24}, {33, 24})));
  CHECK(no_copies(check2("ji,kj->ik", {24, 40}, {33, 24})));
  CHECK(no_copies(check2("ij,jk->ki", {40, 24}, {24, 33})));
  CHECK(no_copies(check2("ji,kj->ki", {24, 40}, {33, 24})));
  // Row-major C is column-major C^T: C^T = B^T A^T, A row-major is op N as cuBLAS's B.
  const auto p = check2("ij,jk->ik", {40, 24}, {24, 33});
  CHECK(p.gemm.swap);
  CHECK(!p.gemm.trans_a);
  CHECK(!p.gemm.trans_b);
  CHECK(p.gemm.m == 33);
  CHECK(p.gemm.n == 40);
  CHECK(p.gemm.k == 24);
  CHECK(p.gemm.lda == 33);
  CHECK(p.gemm.ldb == 24);
  CHECK(p.gemm.ldc == 33);
  CHECK(p.gemm.batch == 1);
  // Groups of several labels, each adjacent and in one order everywhere.
  CHECK(no_copies(check2("abk,kc->abc", {5, 6, 20}, {20, 7})));
  CHECK(no_copies(check2("abkl,klc->cab", {5, 6, 4, 5}, {4, 5, 7})));
}

TEST_CASE("cuda plan: batch labels become the strided batch") {
  auto p = check2("bij,bjk->bik", {6, 20, 24}, {6, 24, 18});
  CHECK(no_copies(p));
  CHECK(p.gemm.batch == 6);
  CHECK(p.gemm.stride_c == 20 * 18);
  p = check2("ibj,bjk->bik", {20, 6, 24}, {6, 24, 18});  // the batch label in the middle of A
  CHECK(no_copies(p));
  CHECK(p.gemm.batch == 6);
  p = check2("bij,bjk->ikb", {6, 20, 24}, {6, 24, 18});  // batch innermost in C: C packed
  CHECK(p.kind == tc::plan_kind::gemm);
  CHECK(p.c_temp);
  check2("bcij,cbjk->bcik", {3, 4, 10, 24}, {4, 3, 24, 9});
}

TEST_CASE("cuda plan: the issue-2 cases (small extents)") {
  // abc=acd*db: a loops as a strided batch (B's stride 0), no copies.
  auto p = check2("acd,db->abc", {9, 10, 20}, {20, 11});
  CHECK(no_copies(p));
  CHECK(p.gemm.batch == 9);
  // abcd=aebf*fdec: both operands packed, C written in place.
  p = check2("aebf,fdec->abcd", {6, 5, 7, 4}, {4, 8, 5, 6});
  CHECK(p.kind == tc::plan_kind::gemm);
  CHECK(p.prep[0]);
  CHECK(p.prep[1]);
  CHECK(!p.c_temp);
  // ab=acd*dbc: B's k labels are not adjacent: B packed.
  p = check2("acd,dbc->ab", {16, 6, 5}, {5, 17, 6});
  CHECK(p.kind == tc::plan_kind::gemm);
  CHECK(!p.prep[0]);
  CHECK(p.prep[1]);
  // abc=ad*bdc: b loops as a strided batch (A's stride 0).
  p = check2("ad,bdc->abc", {9, 20}, {8, 20, 11});
  CHECK(no_copies(p));
  CHECK(p.gemm.batch == 8);
  CHECK(p.gemm.stride_b == 0);
  CHECK(no_copies(check2("bik,bkj->bij", {4, 12, 20}, {4, 20, 13})));
  // iaj=ibj*ab (a mode-2 product): i as a strided batch.
  p = check2("ibj,ab->iaj", {7, 20, 9}, {11, 20});
  CHECK(no_copies(p));
  CHECK(p.gemm.batch == 7);
}

TEST_CASE("cuda plan: permuted layouts go through the permutation kernels") {
  // m and n interleaved in C: computed packed, then permuted into C.
  auto p = check2("iak,kjb->ijab", {5, 6, 20}, {20, 7, 8});
  CHECK(p.kind == tc::plan_kind::gemm);
  CHECK(p.c_temp);
  p = check2("kia,jkb->abij", {20, 9, 10}, {11, 20, 12});
  CHECK(p.kind == tc::plan_kind::gemm);
  check2("kabc,dkc->bdak", {20, 5, 6, 7}, {8, 20, 7});
  // One-operand permutations: tiles when the inner mode changes, a gather otherwise.
  p = check1("ij->ji", {70, 45});
  CHECK(p.kind == tc::plan_kind::copy);
  CHECK(p.copy.kind == tc::copy_kind::tiled);
  p = check1("abc->cab", {9, 33, 40});
  CHECK(p.copy.kind == tc::copy_kind::tiled);
  p = check1("abcd->bdca", {9, 10, 11, 12});
  CHECK(p.copy.kind == tc::copy_kind::tiled);
  p = check1("abc->bac", {9, 10, 11});
  CHECK(p.copy.kind == tc::copy_kind::gather);
  check1("abcde->ecbda", {3, 4, 5, 6, 7});
  check1("ij->ji", {1, 40});
}

TEST_CASE("cuda plan: traces, diagonals and one-operand labels are summed first") {
  auto p = check1("ii->", {50, 50});
  CHECK(p.kind == tc::plan_kind::copy);
  CHECK(p.copy.kind == tc::copy_kind::reduce);
  p = check1("ij->", {100, 100});
  CHECK(p.copy.kind == tc::copy_kind::reduce_block);
  check1("iij->j", {7, 7, 9});
  check1("ijji->", {4, 5, 5, 4});
  check1("iji->ij", {6, 5, 6});
  check1("abc->b", {30, 4, 40});
  check1("ij->i", {9, 2000});
  p = check2("iij,jk->ik", {20, 20, 24}, {24, 30});  // a diagonal in A
  CHECK(p.kind == tc::plan_kind::gemm);
  CHECK(p.prep[0]);
  CHECK(p.prep_step[0].kind == tc::copy_kind::gather);  // a diagonal is a strided read
  p = check2("ijl,jk->ik", {20, 24, 5}, {24, 30});  // l only in A
  CHECK(p.prep[0]);
  check2("ij,jkl->ik", {20, 24}, {24, 30, 40});
  check2("ii,jk->jk", {6, 6}, {7, 8});  // A is only a trace: direct
  p = check2("ij,kl->kl", {40, 50}, {30, 20});  // A summed to a scalar, then a rank-1 GEMM
  CHECK(p.kind == tc::plan_kind::gemm);
  CHECK(p.prep[0]);
  CHECK(p.prep_size[0] == 1);
  check2("ii,i->i", {30, 30}, {30});
  check2("iij,ijk->jk", {9, 9, 10}, {9, 10, 30});
  check2("abij,bajk->ikab", {3, 4, 10, 20}, {4, 3, 20, 9});
}

TEST_CASE("cuda plan: tiny contractions run as one direct kernel") {
  CHECK(check2("i,j->ij", {30}, {40}).kind == tc::plan_kind::direct);
  CHECK(check2("ij,ij->ij", {30, 40}, {30, 40}).kind == tc::plan_kind::direct);
  CHECK(check2("i,i->", {300}, {300}).kind == tc::plan_kind::direct);
  CHECK(check2("bi,bi->b", {30, 100}, {30, 100}).kind == tc::plan_kind::direct);
  CHECK(check2("bi,bi->b", {3, 5000}, {3, 5000}).kind == tc::plan_kind::gemm);
  CHECK(check2("i,i->", {10000}, {10000}).kind == tc::plan_kind::gemm);
  CHECK(check2("bij,bjk->bik", {50, 3, 2}, {50, 2, 4}).kind == tc::plan_kind::direct);
}

TEST_CASE("cuda plan: extents 1 and 0") {
  CHECK(no_copies(check2("iaj,ajk->ik", {20, 1, 24}, {1, 24, 30})));
  check2("ij,jk->ik", {20, 24}, {24, 1});  // an extent-1 label in C
  CHECK(check2("ij,jk->ik", {20, 0}, {0, 30}).kind == tc::plan_kind::zero);
  CHECK(check2("ij,jk->ik", {0, 24}, {24, 30}).kind == tc::plan_kind::nothing);
  CHECK(check1("ij->i", {5, 0}).kind == tc::plan_kind::zero);
}

TEST_CASE("cuda plan: random contractions (labels of every kind, any order, extents 1 to 9)") {
  tenet::splitmix64 g(2024);
  int kinds[5] = {}, preps = 0, temps = 0;
  auto pick = [&](int n) { return static_cast<int>(g.uniform() * n); };
  for (int t = 0; t < 300; ++t) {
    std::string a, b, c;
    std::vector<idx> ea, eb;
    std::vector<std::pair<char, idx>> labels;
    const int n = 1 + pick(7);
    for (int q = 0; q < n; ++q) labels.emplace_back(static_cast<char>('a' + q), 1 + pick(9));
    for (auto [l, e] : labels) {
      switch (pick(6)) {  // batch, m, n, k, A only, B only
        case 0: a += l, b += l, c += l; break;
        case 1: a += l, c += l; break;
        case 2: b += l, c += l; break;
        case 3: a += l, b += l; break;
        case 4: a += l; break;
        default: b += l; break;
      }
    }
    if (a.empty()) a += labels[0].first;
    if (b.empty()) b += labels[0].first;
    if (pick(8) == 0) a += a[0];  // a diagonal now and then
    auto shuffle = [&](std::string& s) {
      for (std::size_t i = s.size(); i > 1; --i) std::swap(s[i - 1], s[static_cast<std::size_t>(pick(static_cast<int>(i)))]);
    };
    shuffle(a), shuffle(b), shuffle(c);
    auto ext = [&](char l) {
      for (auto [x, e] : labels)
        if (x == l) return e;
      return idx{1};
    };
    for (char l : a) ea.push_back(ext(l));
    for (char l : b) eb.push_back(ext(l));
    const auto p = check2(a + "," + b + "->" + c, ea, eb);
    ++kinds[static_cast<int>(p.kind)];
    preps += p.prep[0] + p.prep[1], temps += p.c_temp;
  }
  // Every kind of plan came up (the mix is fixed by the seed).
  INFO("gemm ", kinds[2], ", direct ", kinds[3], ", packed operands ", preps, ", packed results ", temps);
  CHECK(kinds[static_cast<int>(tc::plan_kind::gemm)] >= 50);
  CHECK(kinds[static_cast<int>(tc::plan_kind::direct)] >= 50);
  CHECK(preps >= 20);
  CHECK(temps >= 5);
}

TEST_CASE("cuda plan: more modes than a kernel holds is a shape_error") {
  std::vector<idx> shape(17, 2);
  std::string in, out;
  for (int r = 0; r < 17; ++r) in += static_cast<char>('a' + r);
  out.assign(in.rbegin(), in.rend());
  std::vector<idx> sc(17, 2);
  CHECK_THROWS_AS(tc::plan_copy(shape, ints(in), sc, ints(out)), tenet::shape_error);
}

TEST_CASE("cuda plan: the intermediates of a left-to-right chain") {
  const std::vector<std::vector<int>> ops = {ints("ij"), ints("jk"), ints("kl"), ints("lm")};
  const auto steps = tc::chain_labels(ops, ints("im"));
  REQUIRE(steps.size() == 2);
  CHECK(steps[0] == ints("ik"));
  CHECK(steps[1] == ints("il"));
  const std::vector<std::vector<int>> ops2 = {ints("ab"), ints("bc"), ints("ca")};
  CHECK(tc::chain_labels(ops2, ints("")) == std::vector<std::vector<int>>{ints("ac")});
}

TEST_CASE("cuda_error: the message names the call, the place and the error") {
  const std::string m = tenet::detail::cuda_error_message("cudaMemcpyAsync(dst, src, bytes, kind, stream)",
                                                          "/src/x/include/tenet/exec/cuda/device_tensor.cuh", 88, 1,
                                                          "cudaErrorInvalidValue", "invalid argument");
  CHECK(m ==
        "tenet: cudaMemcpyAsync(dst, src, bytes, kind, stream) failed at tenet/exec/cuda/device_tensor.cuh:88: "
        "cudaErrorInvalidValue (1): invalid argument");
  CHECK(tenet::detail::cuda_error_message("f()", "main.cu", 3, 7, "CUBLAS_STATUS_INVALID_VALUE", "bad") ==
        "tenet: f() failed at main.cu:3: CUBLAS_STATUS_INVALID_VALUE (7): bad");
  try {
    throw tenet::cuda_error(m, 1);
  } catch (const tenet::error& e) {  // a tenet::error like every other
    CHECK(std::string(e.what()) == m);
    CHECK(dynamic_cast<const tenet::cuda_error&>(e).code() == 1);
  }
}

TEST_CASE("exec::cuda is an execution policy with TF32 off by default") {
  static_assert(tenet::execution_policy<tenet::exec::cuda_policy>);
  constexpr auto p = tenet::exec::cuda;
  static_assert(!p.tf32 && p.stream == nullptr);
  static_assert(p.with_tf32().tf32 && !p.with_tf32(false).tf32);
  CUstream_st* s = reinterpret_cast<CUstream_st*>(std::uintptr_t{16});
  CHECK(tenet::exec::cuda_on(s).stream == s);
  CHECK(tenet::exec::cuda_on(s).with_tf32().stream == s);
  CHECK(tenet::exec::cuda.on(s).stream == s);
}

TEST_CASE("cuda einsum: the shape checks (before any launch) say what the CPU einsum says") {
  const auto spec = tenet::parse_einsum_or_throw("ij,jk->ik");
  const std::vector<std::vector<idx>> ok = {{2, 3}, {3, 5}};
  CHECK(tenet::detail::einsum_device_shape(spec, ok) == std::vector<idx>{2, 5});
  const std::vector<std::vector<idx>> bad = {{2, 3}, {4, 5}};
  try {
    (void)tenet::detail::einsum_device_shape(spec, bad);
    FAIL("no shape_error");
  } catch (const tenet::shape_error& e) {
    CHECK(std::string(e.what()) ==
          "tenet::einsum(exec::cuda, \"ij,jk->ik\"): label 'j' has extent 3 in operand 0 of shape (2, 3) but 4 in "
          "operand 1 of shape (4, 5)");
  }
  const std::vector<std::vector<idx>> one = {{2, 3}};
  CHECK_THROWS_AS((void)tenet::detail::einsum_device_shape(spec, one), tenet::shape_error);
  const std::vector<std::vector<idx>> rank = {{2, 3, 1}, {3, 5}};
  CHECK_THROWS_AS((void)tenet::detail::einsum_device_shape(spec, rank), tenet::shape_error);
  // exec::contract on device tensors checks its labels the same way.
  const std::vector<idx> sa = {2, 3}, sb = {4, 5}, sc = {2, 5};
  CHECK_THROWS_AS(tc::check_contraction(sa, ints("ij"), sb, ints("jk"), sc, ints("ik")), tenet::shape_error);
  const std::vector<idx> sb2 = {3, 5};
  CHECK_NOTHROW(tc::check_contraction(sa, ints("ij"), sb2, ints("jk"), sc, ints("ik")));
  CHECK_THROWS_AS(tc::check_contraction(sa, ints("ij"), sb2, ints("jk"), sc, ints("iq")), tenet::shape_error);
  CHECK_THROWS_AS(tc::check_contraction(sa, ints("ij"), sb2, ints("jk"), sc, ints("ii")), tenet::shape_error);
}
