#pragma once
// Every multilinear-algebra operator (include/tenet/ops/); see docs/ops.md.
#include "tenet/ops/hadamard.hpp"
#include "tenet/ops/inner.hpp"
#include "tenet/ops/khatri_rao.hpp"
#include "tenet/ops/kron.hpp"
#include "tenet/ops/mode_contract.hpp"
#include "tenet/ops/mode_product.hpp"
#include "tenet/ops/multi_mode_product.hpp"
#include "tenet/ops/outer.hpp"
#include "tenet/ops/partial_trace.hpp"
#include "tenet/ops/unfold.hpp"
#include "tenet/ops/vec.hpp"
