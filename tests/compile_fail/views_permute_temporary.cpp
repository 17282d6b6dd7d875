// expect: permute: the argument is a temporary tensor, so the view would dangle
#include <tenet/core/permute.hpp>
#include <tenet/core/reshape.hpp>
#include <tenet/expr/einsum.hpp>
#include <tenet/expr/labelled.hpp>

int main() {
  auto p = tenet::permute<1, 0>(tenet::tensor<double, 2, 3>{});
  (void)p;
}
