#pragma once
// Deep Tree Tensor Network (include/tenet/models/dttn/): the AIM block over generic linear
// maps (dense for vectors), stacks of blocks, their unfolding into CP cores and tree tensor
// networks, the numerical checks of MATH.md 1.2, and the image block and network of MATH.md
// 1.1 with their weights; see docs/dttn.md.
#include "tenet/models/dttn/aim_block.hpp"
#include "tenet/models/dttn/aim_cp_core.hpp"
#include "tenet/models/dttn/aim_map.hpp"
#include "tenet/models/dttn/aim_stack.hpp"
#include "tenet/models/dttn/dense_map.hpp"
#include "tenet/models/dttn/dttn_tree.hpp"
#include "tenet/models/dttn/feature_affine.hpp"
#include "tenet/models/dttn/image_block.hpp"
#include "tenet/models/dttn/image_network.hpp"
#include "tenet/models/dttn/image_weights.hpp"
#include "tenet/models/dttn/layer_norm.hpp"
#include "tenet/models/dttn/network_config.hpp"
#include "tenet/models/dttn/polynomial_tt.hpp"
#include "tenet/models/dttn/verify.hpp"
