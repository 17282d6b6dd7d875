#pragma once
// Umbrella header: includes every public header of tenet that needs no optional dependency.
// Interop headers (tenet/interop/eigen.hpp, tenet/interop/xtensor.hpp) are included on their own.
#include "tenet/core/compare.hpp"
#include "tenet/core/error.hpp"
#include "tenet/core/extents.hpp"
#include "tenet/core/label.hpp"
#include "tenet/core/permute.hpp"
#include "tenet/core/random.hpp"
#include "tenet/core/reshape.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/core/tensor_view.hpp"
#include "tenet/core/traits.hpp"
#include "tenet/exec/contract.hpp"
#include "tenet/exec/copy.hpp"
#include "tenet/exec/policy.hpp"
#include "tenet/expr/einsum.hpp"
#include "tenet/expr/labelled.hpp"
