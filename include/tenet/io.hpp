#pragma once
// Weight files (include/tenet/io/): .npy, .npz and safetensors readers and writers, the
// any_tensor they produce and the tensor_map that names them; see docs/io.md.
#include "tenet/io/any_tensor.hpp"
#include "tenet/io/npy.hpp"
#include "tenet/io/npz.hpp"
#include "tenet/io/safetensors.hpp"
#include "tenet/io/tensor_map.hpp"
