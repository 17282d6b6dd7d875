#pragma once
// Tensor networks: graphs of labelled tensors, contraction paths and their costs, path
// finders (optimal, greedy, branch and bound, automatic), matrix product states and tree
// tensor networks. See docs/network.md.
#include "tenet/network/error.hpp"
#include "tenet/network/graph.hpp"
#include "tenet/network/mps.hpp"
#include "tenet/network/network.hpp"
#include "tenet/network/path.hpp"
#include "tenet/network/path_auto.hpp"
#include "tenet/network/path_branch_bound.hpp"
#include "tenet/network/path_cost.hpp"
#include "tenet/network/path_greedy.hpp"
#include "tenet/network/path_optimal.hpp"
#include "tenet/network/ttn.hpp"
