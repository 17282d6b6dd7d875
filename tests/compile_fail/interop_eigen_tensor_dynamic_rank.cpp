// expect: as_eigen_tensor: Eigen::Tensor's rank is a template parameter
#include <tenet/interop/eigen.hpp>
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

// A dtensor's rank is known only at run time; Eigen::TensorMap needs it at compile time.
void f() {
  tenet::dtensor<double> D{2, 3};
  (void)tenet::as_eigen_tensor(D);
}
