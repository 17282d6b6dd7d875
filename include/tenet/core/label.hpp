#pragma once
// Index labels for Einstein-style expressions: `C(i, k) = A(i, j) * B(j, k)`.
// A tensor called with labels yields a `labelled` leaf; the operators that combine leaves and
// the evaluation of the result live in tenet/expr/.
#include <cstddef>
#include <type_traits>

namespace tenet {

/// An index label; its name is a character, as in an einsum string.
template <char C>
struct label {
  static constexpr char name = C;
};

template <class X>
struct is_label : std::false_type {};
template <char C>
struct is_label<label<C>> : std::true_type {};
template <class... X>
inline constexpr bool all_labels_v = sizeof...(X) > 0 && (is_label<X>::value && ...);

/// Predefined labels a..z: `using namespace tenet::labels;`. Upper-case ones are spelled
/// `tenet::label<'A'>{}` (predefining them would clash with tensors named A, B, C).
namespace labels {
// clang-format off
inline constexpr label<'a'> a{}; inline constexpr label<'b'> b{}; inline constexpr label<'c'> c{};
inline constexpr label<'d'> d{}; inline constexpr label<'e'> e{}; inline constexpr label<'f'> f{};
inline constexpr label<'g'> g{}; inline constexpr label<'h'> h{}; inline constexpr label<'i'> i{};
inline constexpr label<'j'> j{}; inline constexpr label<'k'> k{}; inline constexpr label<'l'> l{};
inline constexpr label<'m'> m{}; inline constexpr label<'n'> n{}; inline constexpr label<'o'> o{};
inline constexpr label<'p'> p{}; inline constexpr label<'q'> q{}; inline constexpr label<'r'> r{};
inline constexpr label<'s'> s{}; inline constexpr label<'t'> t{}; inline constexpr label<'u'> u{};
inline constexpr label<'v'> v{}; inline constexpr label<'w'> w{}; inline constexpr label<'x'> x{};
inline constexpr label<'y'> y{}; inline constexpr label<'z'> z{};
// clang-format on
}  // namespace labels

/// A tensor (held as a view) with one label per mode: the leaf of a labelled expression.
/// Assigning an expression to it evaluates the expression into the tensor.
template <class View, char... C>
struct labelled {
  using view_type = View;
  View view;

  labelled(View v) : view(v) {}  // NOLINT: implicit, built by operator()
  labelled(const labelled&) = default;
  static constexpr std::size_t arity = sizeof...(C);

  labelled& operator=(const labelled& rhs) {
    assign_labelled(*this, rhs);  // found by ADL in tenet/expr/
    return *this;
  }
  template <class Expr>
  labelled& operator=(const Expr& rhs) {
    assign_labelled(*this, rhs);
    return *this;
  }
  template <class Expr>
  labelled& operator+=(const Expr& rhs) {
    add_assign_labelled(*this, rhs);
    return *this;
  }
};

}  // namespace tenet
