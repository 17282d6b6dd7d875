#pragma once
// The CPU results the device tests compare against: tenet's own CPU operators on the same
// data, compiled by the host compiler in reference.cpp (so that the .cu file parses no Eigen
// and nvcc stays fast).
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include <tenet/core/tensor.hpp>
#include <tenet/ops/common.hpp>

namespace tenet_ref {

template <class T>
using host = tenet::dtensor<T>;

template <class T>
host<T> einsum(std::string_view subscripts, const std::vector<const host<T>*>& ops);
template <class T>
host<T> hadamard(const host<T>& a, const host<T>& b);
template <class T>
host<T> kron(const host<T>& a, const host<T>& b);
template <class T>
host<T> khatri_rao(const std::vector<const host<T>*>& mats, const host<T>* weights = nullptr,
                   std::optional<std::size_t> skip = std::nullopt);
template <class T>
host<T> mode_product(const host<T>& x, const host<T>& u, std::size_t n);
template <class T>
host<T> partial_trace(const host<T>& x, const std::vector<tenet::mode_pair>& pairs);
template <class T>
host<T> partial_trace(const host<T>& op, const std::vector<tenet::index>& dims, std::vector<std::size_t> keep);

#define TENET_REF_DECLARE(T)                                                                                        \
  extern template host<T> einsum<T>(std::string_view, const std::vector<const host<T>*>&);                          \
  extern template host<T> hadamard<T>(const host<T>&, const host<T>&);                                              \
  extern template host<T> kron<T>(const host<T>&, const host<T>&);                                                  \
  extern template host<T> khatri_rao<T>(const std::vector<const host<T>*>&, const host<T>*, std::optional<std::size_t>); \
  extern template host<T> mode_product<T>(const host<T>&, const host<T>&, std::size_t);                             \
  extern template host<T> partial_trace<T>(const host<T>&, const std::vector<tenet::mode_pair>&);                   \
  extern template host<T> partial_trace<T>(const host<T>&, const std::vector<tenet::index>&, std::vector<std::size_t>);
TENET_REF_DECLARE(float)
TENET_REF_DECLARE(double)
#undef TENET_REF_DECLARE

}  // namespace tenet_ref
