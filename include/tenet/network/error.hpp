#pragma once
// The exceptions of the network layer: a malformed network or tree, and an invalid
// contraction path. Extents that do not fit throw tenet::shape_error, as everywhere.
#include "tenet/core/error.hpp"

namespace tenet {

/// A network or tree that is not well formed (a tree with a cycle, a node without a core,
/// a label named twice in the output, ...).
struct network_error : error {
  using error::error;
};

/// A contraction path that is not a valid order for its network (an id out of range, an
/// id used twice, a path that leaves more than one tensor), or a search that cannot find
/// one under the given limits.
struct path_error : network_error {
  using network_error::network_error;
};

}  // namespace tenet
