// The CPU side of the device tests: tenet's CPU operators (see reference.hpp).
#include "reference.hpp"

#include <stdexcept>

#include <tenet/tenet.hpp>

namespace tenet_ref {

template <class T>
host<T> einsum(std::string_view s, const std::vector<const host<T>*>& x) {
  switch (x.size()) {
    case 1: return tenet::einsum(s, *x[0]);
    case 2: return tenet::einsum(s, *x[0], *x[1]);
    case 3: return tenet::einsum(s, *x[0], *x[1], *x[2]);
    case 4: return tenet::einsum(s, *x[0], *x[1], *x[2], *x[3]);
    default: throw std::invalid_argument("tenet_ref::einsum: 1 to 4 operands");
  }
}

template <class T>
host<T> hadamard(const host<T>& a, const host<T>& b) {
  return tenet::hadamard(a, b);
}

template <class T>
host<T> kron(const host<T>& a, const host<T>& b) {
  return tenet::kron(a, b);
}

template <class T>
host<T> khatri_rao(const std::vector<const host<T>*>& mats, const host<T>* weights, std::optional<std::size_t> skip) {
  std::vector<tenet::dtensor_view<const T>> v;
  for (const auto* m : mats) v.emplace_back(m->view());
  std::optional<tenet::dtensor_view<const T>> w;
  if (weights) w = weights->view();
  return host<T>(tenet::khatri_rao(v, w, skip));
}

template <class T>
host<T> mode_product(const host<T>& x, const host<T>& u, std::size_t n) {
  return tenet::mode_product(x, u, n);
}

template <class T>
host<T> partial_trace(const host<T>& x, const std::vector<tenet::mode_pair>& pairs) {
  return tenet::partial_trace(x, pairs);
}

template <class T>
host<T> partial_trace(const host<T>& op, const std::vector<tenet::index>& dims, std::vector<std::size_t> keep) {
  return host<T>(tenet::partial_trace(op, dims, std::move(keep)));
}

#define TENET_REF_DEFINE(T)                                                                                  \
  template host<T> einsum<T>(std::string_view, const std::vector<const host<T>*>&);                          \
  template host<T> hadamard<T>(const host<T>&, const host<T>&);                                              \
  template host<T> kron<T>(const host<T>&, const host<T>&);                                                  \
  template host<T> khatri_rao<T>(const std::vector<const host<T>*>&, const host<T>*, std::optional<std::size_t>); \
  template host<T> mode_product<T>(const host<T>&, const host<T>&, std::size_t);                             \
  template host<T> partial_trace<T>(const host<T>&, const std::vector<tenet::mode_pair>&);                   \
  template host<T> partial_trace<T>(const host<T>&, const std::vector<tenet::index>&, std::vector<std::size_t>);
TENET_REF_DEFINE(float)
TENET_REF_DEFINE(double)
#undef TENET_REF_DEFINE

}  // namespace tenet_ref
