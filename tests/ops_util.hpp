#pragma once
// Helpers for the tests of tenet/ops: random shapes (extents of 1 included), random dense
// tensors, and a loop over every multi-index of a shape, for writing reference loops.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <tenet/tenet.hpp>

namespace ops_test {

using ix = tenet::index;
using shape_t = std::vector<ix>;

/// Calls f(idx) for every multi-index of `shape`, row-major (nothing for an empty shape).
template <class F>
void for_each_index(const shape_t& shape, F&& f) {
  for (ix e : shape)
    if (e == 0) return;
  shape_t idx(shape.size(), 0);
  while (true) {
    f(static_cast<const shape_t&>(idx));
    std::size_t r = shape.size();
    while (r-- > 0) {
      if (++idx[r] < shape[r]) break;
      idx[r] = 0;
    }
    if (r == static_cast<std::size_t>(-1)) return;
  }
}

inline tenet::dtensor<double> random_tensor(const shape_t& shape, std::uint64_t seed) {
  tenet::dtensor<double> t{tenet::dyn_extents(shape)};
  t.fill_random(seed);
  return t;
}

/// A shape of the given rank with extents in [1, max_ext]; one in three extents is 1.
inline shape_t random_shape(std::mt19937& g, std::size_t rank, ix max_ext = 4) {
  shape_t s(rank);
  for (auto& e : s) e = g() % 3 == 0 ? 1 : 1 + static_cast<ix>(g() % static_cast<unsigned>(max_ext));
  return s;
}

/// Element access by a run-time multi-index, on any tensor or view.
template <class X>
decltype(auto) at(X&& x, const shape_t& idx) {
  return tenet::as_view(x)[std::span<const ix>(idx)];
}

/// The shape of any tensor or view, as a vector.
template <class X>
shape_t shape_of(const X& x) {
  const auto v = tenet::as_view(x);
  shape_t s(v.rank());
  for (std::size_t r = 0; r < s.size(); ++r) s[r] = v.extent(r);
  return s;
}

}  // namespace ops_test

namespace ops_test {

/// The message of the shape_error that f() throws, or "<no shape_error>".
template <class F>
std::string shape_error_message(F&& f) {
  try {
    f();
  } catch (const tenet::shape_error& e) {
    return e.what();
  }
  return "<no shape_error>";
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace ops_test
