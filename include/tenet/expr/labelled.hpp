#pragma once
// Labelled expression templates: `C(i, k) = A(i, j) * B(j, k);`
// A product of labelled tensors is lazy; assigning it to a labelled target evaluates it as
// one einsum whose output labels are the target's (Einstein convention: labels absent from
// the target are summed). Sums of products and scalar factors are allowed:
// `C(i, k) = 2.0 * A(i, j) * B(j, k) + D(i, k);` and `C(i, k) += ...`.
// With static extents every check is at compile time (the same as einsum<"...">). `=` resizes
// an owning target to the result's shape; `+=` and view targets must already have it. Operands may
// alias the target: the expression is then evaluated into a temporary first.
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "tenet/core/label.hpp"
#include "tenet/core/overlap.hpp"
#include "tenet/core/traits.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/expr/einsum.hpp"
#include "tenet/expr/fixed_string.hpp"

namespace tenet {

/// A lazy product of labelled tensors with a scalar factor.
template <class... L>
struct product_expr {
  std::tuple<L...> leaves;
  double scale = 1.0;
};

/// A lazy sum of products.
template <class... P>
struct sum_expr {
  std::tuple<P...> terms;
};

namespace detail {

template <class X>
struct is_labelled : std::false_type {};
template <class V, char... C>
struct is_labelled<labelled<V, C...>> : std::true_type {};
template <class X>
struct is_product : std::false_type {};
template <class... L>
struct is_product<product_expr<L...>> : std::true_type {};
template <class X>
struct is_sum : std::false_type {};
template <class... P>
struct is_sum<sum_expr<P...>> : std::true_type {};

template <class X>
concept labelled_operand = is_labelled<X>::value || is_product<X>::value || is_sum<X>::value;

// A leaf as a read-only view leaf, whatever it held (a tensor reference or a view).
template <class V, char... C>
auto as_leaf(const labelled<V, C...>& x) {
  auto v = as_view(std::as_const(x.view));
  using CV = basic_tensor_view<const typename decltype(v)::value_type, typename decltype(v)::extents_type>;
  return labelled<CV, C...>{CV(v)};
}

template <class X>
auto as_product(const X& x) {
  if constexpr (is_product<X>::value)
    return x;
  else
    return product_expr<decltype(as_leaf(x))>{std::tuple{as_leaf(x)}, 1.0};
}

template <class X>
auto as_sum(const X& x) {
  if constexpr (is_sum<X>::value)
    return x;
  else
    return sum_expr<decltype(as_product(x))>{std::tuple{as_product(x)}};
}

template <class Leaf>
struct leaf_traits;
template <class V, char... C>
struct leaf_traits<labelled<V, C...>> {
  static constexpr char labels[] = {C..., '\0'};
  static constexpr std::size_t rank = sizeof...(C);
};

// The einsum subscripts of a product assigned to a target labelled Out...
template <class Target, class... L>
struct subscripts_of;
template <class TV, char... Out, class... L>
struct subscripts_of<labelled<TV, Out...>, L...> {
  static constexpr std::size_t N = (leaf_traits<L>::rank + ... + 0) + (sizeof...(L) - 1) + 2 + sizeof...(Out) + 1;
  static constexpr fixed_string<N> make() {
    fixed_string<N> s;
    std::size_t p = 0, op = 0;
    auto add = [&](const char* l, std::size_t n) {
      if (op++) s.s[p++] = ',';
      for (std::size_t i = 0; i < n; ++i) s.s[p++] = l[i];
    };
    (add(leaf_traits<L>::labels, leaf_traits<L>::rank), ...);
    s.s[p++] = '-';
    s.s[p++] = '>';
    for (char c : {Out..., '\0'}) s.s[p++] = c;
    return s;
  }
  static constexpr fixed_string<N> value = make();
};

template <std::size_t Target, std::size_t Expr>
constexpr bool target_extent_matches() {
  static_assert(Target == dyn || Expr == dyn || Target == Expr,
                "labelled assignment: the target's static extent differs from the expression's");
  return true;
}

template <class Ext, class R, std::size_t... I>
constexpr bool target_fits(std::index_sequence<I...>) {
  return (target_extent_matches<Ext::static_extent(I), R::extents_type::static_extent(I)>() && ...);
}

template <class V>
auto target_view(V& v) {
  if constexpr (is_tensor_view<std::remove_cvref_t<V>>::value)
    return v;
  else
    return v.view();
}

// Resizes an owning target to `ext`; a shape its static extents cannot take is a shape_error
// naming both shapes (rather than the bare extents error).
template <class Tensor>
void resize_target(Tensor& t, const std::vector<index>& ext) {
  using Ext = typename Tensor::extents_type;
  if constexpr (is_static_rank<Ext>::value) {
    bool fits = ext.size() == Ext::rank();
    for (std::size_t r = 0; fits && r < ext.size(); ++r)
      fits = Ext::static_extent(r) == dyn || static_cast<index>(Ext::static_extent(r)) == ext[r];
    if (!fits)
      throw shape_error("tenet: labelled assignment: the target has shape " + shape_string(t.extents()) +
                        ", whose static extents cannot take the expression's shape " +
                        shape_string(std::span<const index>(ext)));
  }
  t.resize(Ext(std::span<const index>(ext)));
}

// Evaluates one product into the target (resizing an owning target on the first term).
template <class P, class TV, char... Out, class... L>
void eval_product(P policy, labelled<TV, Out...>& lhs, const product_expr<L...>& e, bool accumulate, bool may_resize) {
  using S = subscripts_of<labelled<TV, Out...>, L...>;
  using check = static_einsum<S::value, typename L::view_type...>;
  if constexpr (check::ok) {
    using R = typename check::result;
    using T = typename check::T;
    auto out = target_view(lhs.view);
    using OutExt = typename decltype(out)::extents_type;
    if constexpr (is_static_rank<OutExt>::value)
      static_assert(target_fits<OutExt, R>(std::make_index_sequence<OutExt::rank()>{}));
    static_assert(std::is_same_v<typename decltype(out)::value_type, T>,
                  "labelled assignment: the target's element type differs from the operands'");
    const std::vector<index> ext = std::apply(
        [&](const auto&... leaf) { return einsum_shape<T>(check::spec, leaf.view...); }, e.leaves);
    bool same = ext.size() == out.rank();
    for (std::size_t r = 0; same && r < ext.size(); ++r) same = ext[r] == out.extent(r);
    if (!same) {
      if constexpr (!is_tensor_view<std::remove_cvref_t<TV>>::value) {
        if (may_resize) {
          resize_target(lhs.view, ext);
          out = target_view(lhs.view);
          same = true;
        }
      }
      if (!same)
        throw shape_error("tenet: labelled assignment: the target has shape " + shape_string(out.extents()) +
                          " but the expression gives " + shape_string(std::span<const index>(ext)));
    }
    const dtensor_view<T> dout(out);
    if (e.scale == 1.0) {
      std::apply([&](const auto&... leaf) { einsum_views_into(policy, check::spec, dout, accumulate, leaf.view...); },
                 e.leaves);
    } else if (!accumulate) {
      std::apply([&](const auto&... leaf) { einsum_views_into(policy, check::spec, dout, false, leaf.view...); },
                 e.leaves);
      std::vector<exec::detail::loop_dim> ld(dout.rank());
      for (std::size_t r = 0; r < dout.rank(); ++r) ld[r] = {dout.extent(r), dout.stride(r), dout.stride(r)};
      const T s = static_cast<T>(e.scale);
      exec::detail::strided_apply(std::move(ld), dout.data(), dout.data(), [s](const T&, const T& x) { return s * x; },
                                  exec::thread_count(policy));
    } else {
      dtensor<T> tmp{dyn_extents(std::span<const index>(ext))};
      product_expr<L...> unscaled{e.leaves, 1.0};
      labelled<dtensor<T>&, Out...> tl{tmp};
      eval_product(policy, tl, unscaled, false, false);
      std::vector<exec::detail::loop_dim> ld(dout.rank());
      for (std::size_t r = 0; r < dout.rank(); ++r) ld[r] = {dout.extent(r), dout.stride(r), tmp.stride(r)};
      const T s = static_cast<T>(e.scale);
      exec::detail::strided_apply(std::move(ld), dout.data(), tmp.data(),
                                  [s](const T& d, const T& x) { return d + s * x; }, exec::thread_count(policy));
    }
  }
}

template <class P, class TV, char... Out, class Expr>
void evaluate_into(P policy, labelled<TV, Out...>& lhs, const Expr& rhs, bool accumulate);

template <class P, class TV, char... Out, class Expr>
void evaluate(P policy, labelled<TV, Out...>& lhs, const Expr& rhs, bool accumulate) {
  using E = typename decltype(target_view(lhs.view))::element_type;
  static_assert(!std::is_const_v<E>, "labelled assignment: the target is read-only (a const tensor or a const view)");
  if constexpr (!std::is_const_v<E>) evaluate_into(policy, lhs, rhs, accumulate);
}

template <class P, class TV, char... Out, class Expr>
void evaluate_into(P policy, labelled<TV, Out...>& lhs, const Expr& rhs, bool accumulate) {
  const auto s = as_sum(rhs);
  const auto out = target_view(lhs.view);
  const bool aliased = std::apply(
      [&](const auto&... prod) {
        return (std::apply([&](const auto&... leaf) { return (overlaps(out, leaf.view) || ...); }, prod.leaves) || ...);
      },
      s.terms);
  if (aliased) {  // evaluate into a fresh tensor, then copy or add it in
    using T = typename decltype(out)::value_type;
    dtensor<T> tmp;
    if (accumulate) tmp = dtensor<T>(out);
    labelled<dtensor<T>&, Out...> tl{tmp};
    evaluate(policy, tl, rhs, accumulate);
    if constexpr (!is_tensor_view<std::remove_cvref_t<TV>>::value) {
      // A dtensor target may change rank too; a static-rank one throws if its extents can't fit.
      resize_target(lhs.view, std::vector<index>(tmp.shape()));
    } else if (!(dyn_extents(out.extents()) == tmp.extents())) {
      throw shape_error("tenet: labelled assignment: the target has shape " + shape_string(out.extents()) +
                        " but the expression gives " + shape_string(tmp.extents()));
    }
    exec::copy(policy, tmp.view(), dtensor_view<T>(target_view(lhs.view)));
    return;
  }
  // Only `=` resizes an owning target; `+=` needs the target's shape (it must not drop its values).
  bool first = true;
  std::apply(
      [&](const auto&... prod) {
        ((eval_product(policy, lhs, prod, accumulate || !first, first && !accumulate), first = false), ...);
      },
      s.terms);
}

}  // namespace detail

template <class X, class Y>
  requires(detail::labelled_operand<X> && detail::labelled_operand<Y> && !detail::is_sum<X>::value &&
           !detail::is_sum<Y>::value)
auto operator*(const X& x, const Y& y) {
  const auto px = detail::as_product(x);
  const auto py = detail::as_product(y);
  return std::apply(
      [&](const auto&... a) {
        return std::apply(
            [&](const auto&... b) {
              return product_expr<std::remove_cvref_t<decltype(a)>..., std::remove_cvref_t<decltype(b)>...>{
                  std::tuple{a..., b...}, px.scale * py.scale};
            },
            py.leaves);
      },
      px.leaves);
}

template <class X>
  requires(detail::labelled_operand<X> && !detail::is_sum<X>::value)
auto operator*(double s, const X& x) {
  auto p = detail::as_product(x);
  p.scale *= s;
  return p;
}
template <class X>
  requires(detail::labelled_operand<X> && !detail::is_sum<X>::value)
auto operator*(const X& x, double s) {
  return s * x;
}

template <class X, class Y>
  requires(detail::labelled_operand<X> && detail::labelled_operand<Y>)
auto operator+(const X& x, const Y& y) {
  const auto sx = detail::as_sum(x);
  const auto sy = detail::as_sum(y);
  return std::apply(
      [&](const auto&... a) {
        return std::apply(
            [&](const auto&... b) {
              return sum_expr<std::remove_cvref_t<decltype(a)>..., std::remove_cvref_t<decltype(b)>...>{
                  std::tuple{a..., b...}};
            },
            sy.terms);
      },
      sx.terms);
}

template <class X>
  requires(detail::labelled_operand<X> && !detail::is_sum<X>::value)
auto operator-(const X& x) {
  return -1.0 * x;
}
template <class X, class Y>
  requires(detail::labelled_operand<X> && detail::labelled_operand<Y> && !detail::is_sum<Y>::value)
auto operator-(const X& x, const Y& y) {
  return x + (-1.0 * y);
}

/// Evaluates `rhs` into `lhs` under a policy: assign(exec::par, C(i, k), A(i, j) * B(j, k)).
template <class P, class TV, char... Out, class Expr>
  requires(execution_policy<P> && detail::labelled_operand<Expr>)
void assign(P policy, labelled<TV, Out...> lhs, const Expr& rhs) {
  detail::evaluate(policy, lhs, rhs, false);
}
/// lhs += rhs under a policy.
template <class P, class TV, char... Out, class Expr>
  requires(execution_policy<P> && detail::labelled_operand<Expr>)
void add_assign(P policy, labelled<TV, Out...> lhs, const Expr& rhs) {
  detail::evaluate(policy, lhs, rhs, true);
}

// Called by labelled::operator= and operator+= (found by argument-dependent lookup).
template <class TV, char... Out, class Expr>
void assign_labelled(labelled<TV, Out...>& lhs, const Expr& rhs) {
  static_assert(detail::labelled_operand<Expr>, "labelled assignment: the right side is not a labelled expression");
  detail::evaluate(exec::seq, lhs, rhs, false);
}
template <class TV, char... Out, class Expr>
void add_assign_labelled(labelled<TV, Out...>& lhs, const Expr& rhs) {
  static_assert(detail::labelled_operand<Expr>, "labelled assignment: the right side is not a labelled expression");
  detail::evaluate(exec::seq, lhs, rhs, true);
}

}  // namespace tenet
