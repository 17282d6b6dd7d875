#pragma once
// The unrolled engine: a contraction whose every extent and stride is known at compile time
// and whose whole loop nest is tiny, as straight-line code. The offsets of every term are
// constants computed at compile time, and each output element is one expression
// c[o] = a[..] * b[..] + a[..] * b[..] + ... built by fold expressions, so the compiler sees
// no loop, no index arithmetic and no plan (the run-time planner costs more than such a
// contraction: microseconds against nanoseconds).
//
// The problem is described by labels: `unrolled_problem` lists each label's extent, and for
// A, B and C the label at each mode and the mode's stride. Labels of C are free; all others
// are summed (contracted, traced or summed out of one operand). expr/einsum.hpp builds it
// from the subscripts and the static extents of owning tensors.
#include <array>
#include <cstddef>
#include <utility>

#include "tenet/core/extents.hpp"

namespace tenet::exec {

/// The most terms (output elements times summed combinations) the unrolled engine takes.
inline constexpr std::size_t unrolled_max_terms = 512;

namespace detail {

struct unrolled_operand {
  std::size_t rank = 0;
  std::array<int, 16> label{};       // label id (0 .. n_labels-1) of each mode
  std::array<index, 16> stride{};
};

struct unrolled_problem {
  std::size_t n_labels = 0;
  std::array<index, 32> extent{};     // per label id
  unrolled_operand a, b, c;
  bool ok = false;                   // every label has an extent and C's labels are distinct

  constexpr bool is_free(int l) const {
    for (std::size_t r = 0; r < c.rank; ++r)
      if (c.label[r] == l) return true;
    return false;
  }
  constexpr std::size_t out_size() const {
    std::size_t n = 1;
    for (std::size_t r = 0; r < c.rank; ++r) n *= static_cast<std::size_t>(extent[static_cast<std::size_t>(c.label[r])]);
    return n;
  }
  constexpr std::size_t sum_size() const {
    std::size_t n = 1;
    for (std::size_t l = 0; l < n_labels; ++l)
      if (!is_free(static_cast<int>(l))) n *= static_cast<std::size_t>(extent[l]);
    return n;
  }
  constexpr std::size_t terms() const { return out_size() * sum_size(); }
};

/// The offsets of every term: [o * sum_size + s] = {offset in A, offset in B}, and C's offset
/// of output element o (row-major over C's labels; summed labels row-major in label order).
template <const unrolled_problem& P>
struct unrolled_offsets {
  static constexpr std::size_t out = P.out_size(), sum = P.sum_size();

  static constexpr index offset(const unrolled_operand& x, const std::array<index, 32>& idx) {
    index off = 0;
    for (std::size_t r = 0; r < x.rank; ++r) off += idx[static_cast<std::size_t>(x.label[r])] * x.stride[r];
    return off;
  }
  static constexpr std::array<index, 32> indices(std::size_t o, std::size_t s) {
    std::array<index, 32> idx{};
    for (std::size_t r = P.c.rank; r-- > 0;) {
      const auto l = static_cast<std::size_t>(P.c.label[r]);
      idx[l] = static_cast<index>(o % static_cast<std::size_t>(P.extent[l]));
      o /= static_cast<std::size_t>(P.extent[l]);
    }
    for (std::size_t l = P.n_labels; l-- > 0;)
      if (!P.is_free(static_cast<int>(l))) {
        idx[l] = static_cast<index>(s % static_cast<std::size_t>(P.extent[l]));
        s /= static_cast<std::size_t>(P.extent[l]);
      }
    return idx;
  }
  static constexpr auto ab = [] {
    std::array<std::array<index, 2>, out * sum> t{};
    for (std::size_t o = 0; o < out; ++o)
      for (std::size_t s = 0; s < sum; ++s) {
        const auto idx = indices(o, s);
        t[o * sum + s] = {offset(P.a, idx), offset(P.b, idx)};
      }
    return t;
  }();
  static constexpr auto c = [] {
    std::array<index, out> t{};
    for (std::size_t o = 0; o < out; ++o) t[o] = offset(P.c, indices(o, 0));
    return t;
  }();
};

template <class T, const unrolled_problem& P, std::size_t O, std::size_t... S>
inline T unrolled_element(const T* a, const T* b, std::index_sequence<S...>) {
  using off = unrolled_offsets<P>;
  return ((a[off::ab[O * off::sum + S][0]] * b[off::ab[O * off::sum + S][1]]) + ...);
}

template <class T, const unrolled_problem& P, std::size_t... O>
inline void unrolled_all(const T* a, const T* b, T* c, bool accumulate, std::index_sequence<O...>) {
  using off = unrolled_offsets<P>;
  constexpr auto sums = std::make_index_sequence<off::sum>{};
  if (accumulate)
    ((c[off::c[O]] += unrolled_element<T, P, O>(a, b, sums)), ...);
  else
    ((c[off::c[O]] = unrolled_element<T, P, O>(a, b, sums)), ...);
}

}  // namespace detail

/// C (+)= the contraction P of A and B, as straight-line code (P.ok, P.terms() <=
/// unrolled_max_terms, and the pointers laid out with P's strides).
template <class T, const detail::unrolled_problem& P>
void contract_unrolled(const T* a, const T* b, T* c, bool accumulate) {
  static_assert(P.ok && P.terms() <= unrolled_max_terms && P.terms() > 0,
                "tenet::exec::contract_unrolled: not an unrollable problem");
  detail::unrolled_all<T, P>(a, b, c, accumulate, std::make_index_sequence<P.out_size()>{});
}

}  // namespace tenet::exec
