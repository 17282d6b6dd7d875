#pragma once
// Loading and saving an image DTTN (dttn_network) through a tenet::io::tensor_map, under the
// names of dttn_network::for_each_param (docs/dttn.md "Image network"; the same names as the
// state_dict of scripts/dttn_torch.py). The configuration is not read from the file: the
// caller builds the network it expects and the file must hold exactly its tensors.
#include <set>
#include <string>

#include "tenet/core/error.hpp"
#include "tenet/io/tensor_map.hpp"
#include "tenet/models/dttn/image_network.hpp"

namespace tenet {

/// Overwrites every parameter of `net` from `w` (converting to T). A missing tensor is a
/// format_error (io::tensor_map::at), a tensor of another shape a shape_error naming it and
/// both shapes, and tensors in `w` that the network does not use a format_error listing them
/// (a file of another configuration or variant). On error `net` may be partly overwritten.
template <class T>
void load_weights(dttn_network<T>& net, const io::tensor_map& w) {
  std::set<std::string> used;
  net.for_each_param([&](const std::string& name, dtensor<T>& t) {
    w.load(name, t);
    used.insert(name);
  });
  std::string unknown;
  std::size_t count = 0;
  for (const auto& [name, t] : w) {
    if (used.count(name)) continue;
    if (count < 8) unknown += (count ? ", '" : "'") + name + "'";
    ++count;
  }
  if (count > 0)
    throw format_error("tenet::load_weights: " + std::to_string(count) + " tensor" + (count > 1 ? "s" : "") +
                       " that a DTTN of " + net.config().describe() + " does not have: " + unknown +
                       (count > 8 ? ", ..." : ""));
}

/// A network of `cfg` with the weights of `w` (see load_weights).
template <class T>
dttn_network<T> dttn_from_weights(const dttn_config& cfg, const io::tensor_map& w) {
  dttn_network<T> net(cfg);
  load_weights(net, w);
  return net;
}

/// Every parameter of `net` under its name, ready for io::write_safetensors or io::write_npz.
/// The configuration goes into the safetensors metadata ("tenet.dttn.config", for people;
/// load_weights does not read it).
template <class T>
io::tensor_map save_weights(const dttn_network<T>& net) {
  io::tensor_map m;
  net.for_each_param([&](const std::string& name, const dtensor<T>& t) { m.set(name, t); });
  m.metadata()["tenet.dttn.config"] = net.config().describe();
  return m;
}

}  // namespace tenet
