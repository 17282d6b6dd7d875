// expect: as_eigen: the tensor's rank is not 2
#include <tenet/interop/eigen.hpp>
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

// An Eigen matrix has two modes; rank 3 is for as_eigen_tensor.
void f() {
  tenet::tensor<double, 2, 3, 4> A;
  (void)tenet::as_eigen(A);
}
