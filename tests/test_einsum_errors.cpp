// einsum's run-time errors: malformed subscripts throw parse_error naming the problem and its
// position; operands that do not fit throw shape_error naming the shapes involved. The
// compile-time parser is checked with static_asserts; compile-time errors live in
// tests/compile_fail/einsum_*.cpp.
#include <doctest/doctest.h>

#include <tenet/tenet.hpp>

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace {

using idx = tenet::index;
using tenet::dtensor;
using tenet::dtensor_view;
using tenet::tensor;
namespace exec = tenet::exec;

template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL("threw another exception: " << e.what());
    return {};
  }
  FAIL("threw nothing");
  return {};
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

dtensor<double> random_tensor(std::vector<idx> shape, std::uint64_t seed) {
  dtensor<double> x{tenet::dyn_extents(std::span<const idx>(shape))};
  x.fill_random(seed);
  return x;
}

// ---- the parser, at compile time ----
using tenet::einsum_error;
using tenet::parse_einsum;
static_assert(parse_einsum("ij,jk->ik").error == einsum_error::none);
static_assert(parse_einsum("ij,jk->ik").n_ops == 2);
static_assert(parse_einsum("ij,jk->ik").operand(0) == "ij");
static_assert(parse_einsum("ij,jk->ik").operand(1) == "jk");
static_assert(parse_einsum("ij,jk->ik").output() == "ik");
static_assert(parse_einsum("ij,jk->ik").explicit_output);
static_assert(parse_einsum(" i j , j k -> i k ").operand(1) == "jk");
static_assert(parse_einsum(" i j , j k -> i k ").output() == "ik");
static_assert(!parse_einsum("ij,jk").explicit_output);
static_assert(parse_einsum("ij,jk").output() == "ik");
static_assert(parse_einsum("ba").output() == "ab");
static_assert(parse_einsum("bA").output() == "Ab");  // ASCII: upper case first
static_assert(parse_einsum("ii").output().empty());
static_assert(parse_einsum("iij,jk").output() == "k");
static_assert(parse_einsum(",ij").n_ops == 2 && parse_einsum(",ij").operand(0).empty());
static_assert(parse_einsum("->").error == einsum_error::none && parse_einsum("->").n_ops == 1);
static_assert(parse_einsum("ij->").output().empty() && parse_einsum("ij->").explicit_output);
static_assert(parse_einsum("ij,j1->i").error == einsum_error::bad_character);
static_assert(parse_einsum("ij,j1->i").error_pos == 4);
static_assert(parse_einsum("ij->ii").error == einsum_error::output_repeated);
static_assert(parse_einsum("ij->q").error == einsum_error::output_unknown);
static_assert(parse_einsum("i...j").error == einsum_error::ellipsis);
static_assert(parse_einsum("ij-ik").error == einsum_error::bad_arrow);
static_assert(parse_einsum("ij->i->j").error == einsum_error::bad_arrow);
static_assert(parse_einsum("ij->i,j").error == einsum_error::bad_arrow);

}  // namespace

TEST_CASE("einsum errors: malformed subscripts throw parse_error with the problem and its position") {
  const auto A = random_tensor({3, 4}, 1);
  const auto B = random_tensor({4, 5}, 2);
  struct bad {
    const char* subscripts;
    const char* problem;
    int position;
  };
  const bad cases[] = {
      {"ij,j1->i", "only letters", 4},       {"ij->ii", "appears twice", 5},
      {"ij->q", "appears in no operand", 4}, {"i...j", "not supported", 1},
      {"ij-ik", "malformed '->'", 2},        {"ij->i->j", "malformed '->'", 5},
      {"ij->i,j", "malformed '->'", 5},      {"ij-", "malformed '->'", 2},
      {"ij->...", "not supported", 4},       {"i\tj", "only letters", 1},
      {"ij>ji", "only letters", 2},          {"ij,jk->ik_", "only letters", 9},
  };
  for (const bad& b : cases) {
    INFO("subscripts \"" << b.subscripts << "\"");
    const std::string m = message_of<tenet::parse_error>([&] { (void)tenet::einsum(b.subscripts, A, B); });
    CHECK(contains(m, b.subscripts));
    CHECK(contains(m, b.problem));
    CHECK(contains(m, "position " + std::to_string(b.position)));
    // The same with one operand and with a policy: parsing comes before any shape check.
    CHECK_THROWS_AS((void)tenet::einsum(exec::par, b.subscripts, A), tenet::parse_error);
  }
  // parse_error is a tenet::error.
  CHECK_THROWS_AS((void)tenet::einsum("ij->q", A), tenet::error);
  static_assert(std::is_base_of_v<tenet::error, tenet::parse_error>);
  static_assert(std::is_base_of_v<std::runtime_error, tenet::error>);
}

TEST_CASE("einsum errors: spaces are ignored anywhere") {
  const auto A = random_tensor({3, 4}, 3);
  const auto B = random_tensor({4, 5}, 4);
  const auto ref = tenet::einsum("ij,jk->ik", A, B);
  for (const char* s : {"ij,jk->i k", " ij , jk -> ik ", "i j,j k->ik", "ij,jk ->ik", "ij,jk-> ik"}) {
    INFO("subscripts \"" << s << "\"");
    dtensor<double> C;
    REQUIRE_NOTHROW(C = tenet::einsum(s, A, B));
    REQUIRE(C.shape() == std::vector<idx>{3, 5});
    idx differ = 0;
    for (idx n = 0; n < C.size(); ++n) differ += C.data()[n] != ref.data()[n];
    CHECK(differ == 0);
  }
  // Loops, for the record: ref is the matrix product.
  for (idx i = 0; i < 3; ++i)
    for (idx k = 0; k < 5; ++k) {
      double s = 0;
      for (idx j = 0; j < 4; ++j) s += A(i, j) * B(j, k);
      CHECK(ref(i, k) == doctest::Approx(s).epsilon(1e-13));
    }
}

TEST_CASE("einsum errors: mismatched extents throw shape_error naming both shapes") {
  SUBCASE("two operands") {
    const auto A = random_tensor({3, 4}, 5);
    const auto B = random_tensor({5, 6}, 6);
    const std::string m = message_of<tenet::shape_error>([&] { (void)tenet::einsum("ij,jk->ik", A, B); });
    CHECK(contains(m, "(3, 4)"));
    CHECK(contains(m, "(5, 6)"));
    CHECK(contains(m, "'j'"));
    CHECK(contains(m, "ij,jk->ik"));
    CHECK_THROWS_AS((void)tenet::einsum(exec::par, "ij,jk->ik", A, B), tenet::shape_error);
  }
  SUBCASE("an output label") {
    const auto A = random_tensor({3, 4}, 7);
    const auto B = random_tensor({5, 4}, 8);
    const std::string m = message_of<tenet::shape_error>([&] { (void)tenet::einsum("ij,ij->ij", A, B); });
    CHECK(contains(m, "(3, 4)"));
    CHECK(contains(m, "(5, 4)"));
    CHECK(contains(m, "'i'"));
  }
  SUBCASE("the first and the third of three operands") {
    const auto A = random_tensor({3, 4}, 9);
    const auto B = random_tensor({4, 2}, 10);
    const auto C = random_tensor({5, 6}, 11);
    const std::string m = message_of<tenet::shape_error>([&] { (void)tenet::einsum("ij,jk,il->l", A, B, C); });
    CHECK(contains(m, "(3, 4)"));
    CHECK(contains(m, "(5, 6)"));
    CHECK(contains(m, "'i'"));
  }
  SUBCASE("a label repeated within one operand") {
    const auto A = random_tensor({3, 4}, 12);
    const std::string m = message_of<tenet::shape_error>([&] { (void)tenet::einsum("ii->i", A); });
    CHECK(contains(m, "(3, 4)"));
    CHECK(contains(m, "'i'"));
  }
  SUBCASE("views: the logical shape is reported") {
    const auto A = random_tensor({4, 3}, 13);
    const auto At = tenet::permute(A, {1, 0});  // (3, 4)
    const auto B = random_tensor({5, 6}, 14);
    const std::string m = message_of<tenet::shape_error>([&] { (void)tenet::einsum("ij,jk->ik", At, B); });
    CHECK(contains(m, "(3, 4)"));
    CHECK(contains(m, "(5, 6)"));
  }
  SUBCASE("compile-time subscripts on run-time extents") {
    const auto A = random_tensor({3, 4}, 15);
    const auto B = random_tensor({5, 6}, 16);
    std::string m = message_of<tenet::shape_error>([&] { (void)tenet::einsum<"ij,jk->ik">(A, B); });
    CHECK(contains(m, "(3, 4)"));
    CHECK(contains(m, "(5, 6)"));
    tensor<double, 3, 4> As;
    m = message_of<tenet::shape_error>([&] { (void)tenet::einsum<"ij,jk->ik">(As, B); });
    CHECK(contains(m, "(3, 4)"));
    CHECK(contains(m, "(5, 6)"));
    // A static extent that a dynamic operand contradicts.
    m = message_of<tenet::shape_error>([&] { (void)tenet::einsum<"ij,ik->jk">(exec::par, As, B); });
    CHECK(contains(m, "(3, 4)"));
    CHECK(contains(m, "(5, 6)"));
    tensor<double, tenet::dyn, 4> Am(5);
    m = message_of<tenet::shape_error>([&] { (void)tenet::einsum<"ij,ik->jk">(As, Am); });
    CHECK(contains(m, "(3, 4)"));
    CHECK(contains(m, "(5, 4)"));
  }
  static_assert(std::is_base_of_v<tenet::error, tenet::shape_error>);
}

TEST_CASE("einsum errors: wrong operand counts and ranks throw shape_error") {
  const auto A = random_tensor({3, 4}, 17);
  const auto B = random_tensor({4, 5}, 18);
  const auto B3 = random_tensor({5, 6, 7}, 19);
  SUBCASE("too few operands") {
    const std::string m = message_of<tenet::shape_error>([&] { (void)tenet::einsum("ij,jk->ik", A); });
    CHECK(contains(m, "2 operands"));
    CHECK(contains(m, "1"));
    CHECK(contains(m, "(3, 4)"));
  }
  SUBCASE("too many operands") {
    const std::string m = message_of<tenet::shape_error>([&] { (void)tenet::einsum("ij->ji", A, B); });
    CHECK(contains(m, "1 operands"));
    CHECK(contains(m, "(3, 4)"));
    CHECK(contains(m, "(4, 5)"));
  }
  SUBCASE("an operand of another rank than its labels") {
    std::string m = message_of<tenet::shape_error>([&] { (void)tenet::einsum("ij,jk->ik", A, B3); });
    CHECK(contains(m, "(5, 6, 7)"));
    CHECK(contains(m, "'jk'"));
    m = message_of<tenet::shape_error>([&] { (void)tenet::einsum("ijk->k", A); });
    CHECK(contains(m, "(3, 4)"));
    CHECK(contains(m, "'ijk'"));
    // The compile-time form cannot see a dtensor's rank: it checks at run time.
    m = message_of<tenet::shape_error>([&] { (void)tenet::einsum<"ij,jk->ik">(A, B3); });
    CHECK(contains(m, "(5, 6, 7)"));
    // A rank-0 tensor for a labelled operand, and the other way round.
    const dtensor<double> s;
    m = message_of<tenet::shape_error>([&] { (void)tenet::einsum("i,ij->j", s, A); });
    CHECK(contains(m, "()"));
    CHECK(contains(m, "'i'"));
    CHECK_THROWS_AS((void)tenet::einsum(",ij->j", A, A), tenet::shape_error);
  }
}

TEST_CASE("exec::contract and exec::copy: errors") {
  const auto A = random_tensor({3, 4}, 20);
  const auto B = random_tensor({4, 5}, 21);
  const int ij[] = {'i', 'j'}, jk[] = {'j', 'k'}, ik[] = {'i', 'k'}, iq[] = {'i', 'q'}, ii[] = {'i', 'i'};
  auto la = std::span<const int>(ij), lb = std::span<const int>(jk);
  SUBCASE("an output of the wrong rank") {
    dtensor<double> C{3, 5, 1};
    const std::string m = message_of<tenet::shape_error>(
        [&] { exec::contract(exec::seq, A.view(), la, B.view(), lb, C.view(), std::span<const int>(ik)); });
    CHECK(contains(m, "(3, 5, 1)"));
  }
  SUBCASE("an output label no operand has") {
    dtensor<double> C{3, 5};
    CHECK_THROWS_AS(exec::contract(exec::seq, A.view(), la, B.view(), lb, C.view(), std::span<const int>(iq)),
                    tenet::shape_error);
  }
  SUBCASE("a repeated output label") {
    dtensor<double> C{3, 3};
    CHECK_THROWS_AS(exec::contract(exec::seq, A.view(), la, B.view(), lb, C.view(), std::span<const int>(ii)),
                    tenet::shape_error);
  }
  SUBCASE("mismatched extents name the shapes") {
    const auto B2 = random_tensor({6, 5}, 22);
    dtensor<double> C{3, 5};
    const std::string m = message_of<tenet::shape_error>(
        [&] { exec::contract(exec::seq, A.view(), la, B2.view(), lb, C.view(), std::span<const int>(ik)); });
    CHECK(contains(m, "(3, 4)"));
    CHECK(contains(m, "(6, 5)"));
  }
  SUBCASE("an output extent that differs from the operands'") {
    dtensor<double> C{3, 6};
    const std::string m = message_of<tenet::shape_error>(
        [&] { exec::contract(exec::seq, A.view(), la, B.view(), lb, C.view(), std::span<const int>(ik)); });
    CHECK(contains(m, "(3, 6)"));
  }
  SUBCASE("labels that do not match the operand's rank") {
    const int i_only[] = {'i'};
    dtensor<double> C{3, 5};
    CHECK_THROWS_AS(exec::contract(exec::seq, A.view(), std::span<const int>(i_only), B.view(), lb, C.view(),
                                   std::span<const int>(ik)),
                    tenet::shape_error);
  }
  SUBCASE("copy between different shapes") {
    dtensor<double> C{4, 3};
    const std::string m = message_of<tenet::shape_error>([&] { exec::copy(exec::seq, A.view(), C.view()); });
    CHECK(contains(m, "(3, 4)"));
    CHECK(contains(m, "(4, 3)"));
  }
}
