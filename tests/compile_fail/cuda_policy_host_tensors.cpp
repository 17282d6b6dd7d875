// expect: exec::cuda runs only on tenet::device_tensor operands
// exec::cuda given to a CPU entry point (host tensors, or a build without nvcc): the
// policy is declared everywhere, and the CPU kernels reject it with this message.
#include <tenet/expr/einsum.hpp>

int main() {
  tenet::dtensor<float> A(2, 3), B(3, 4);
  auto C = tenet::einsum(tenet::exec::cuda, "ij,jk->ik", A, B);
  (void)C;
}
