#pragma once
// `tensor_map`: named tensors, as a weight file holds them ("stages.0.conv.weight" -> tensor),
// with the checked accessors a model loader needs: `get<float>(name, {64, 3, 3, 3})` converts
// to the requested element type and throws shape_error naming the tensor and both shapes.
// Also the string metadata of a safetensors file.
#include <algorithm>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/extents.hpp"
#include "tenet/core/tensor.hpp"
#include "tenet/io/any_tensor.hpp"

namespace tenet::io {

class tensor_map {
 public:
  using map_type = std::map<std::string, any_tensor, std::less<>>;
  using const_iterator = map_type::const_iterator;

  std::size_t size() const noexcept { return m_.size(); }
  bool empty() const noexcept { return m_.empty(); }
  bool contains(std::string_view name) const { return m_.find(name) != m_.end(); }
  /// The names in sorted order.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    out.reserve(m_.size());
    for (const auto& [k, v] : m_) out.push_back(k);
    return out;
  }
  const_iterator begin() const noexcept { return m_.begin(); }
  const_iterator end() const noexcept { return m_.end(); }

  /// The tensor named `name`; format_error (listing the names present) if there is none.
  const any_tensor& at(std::string_view name) const { return find_or_throw(name)->second; }
  any_tensor& at(std::string_view name) { return const_cast<any_tensor&>(find_or_throw(name)->second); }

  /// A copy of the tensor, converted to T (any type to float or double; integers to integers
  /// that hold every value; else format_error).
  template <class T>
  dtensor<T> get(std::string_view name) const {
    return at(name).template as<T>(label(name));
  }
  /// The same, after checking the shape: shape_error names the tensor and both shapes.
  template <class T>
  dtensor<T> get(std::string_view name, std::span<const index> expected) const {
    check_shape(name, expected);
    return get<T>(name);
  }
  template <class T>
  dtensor<T> get(std::string_view name, std::initializer_list<index> expected) const {
    return get<T>(name, std::span<const index>(expected.begin(), expected.size()));
  }
  /// Copies the tensor into dst, whose current shape must be the tensor's (static extents
  /// included), converting the elements to dst's type.
  template <class T, class Ext>
  void load(std::string_view name, basic_tensor<T, Ext>& dst) const {
    const auto want = dst.shape();
    check_shape(name, std::span<const index>(want.data(), want.size()));
    if (dst.size() > 0) at(name).convert_to(dst.data(), label(name));
  }

  /// Stores t under name, replacing any tensor of that name. (A dtensor or tensor given as an
  /// rvalue is moved in; otherwise copied.)
  void set(std::string name, any_tensor t) { m_.insert_or_assign(std::move(name), std::move(t)); }
  /// Removes the tensor named `name`; false if there was none.
  bool erase(std::string_view name) {
    const auto it = m_.find(name);
    if (it == m_.end()) return false;
    m_.erase(it);
    return true;
  }

  /// The safetensors `__metadata__` (string -> string); read_npz leaves it empty and
  /// write_npz ignores it.
  std::map<std::string, std::string>& metadata() noexcept { return meta_; }
  const std::map<std::string, std::string>& metadata() const noexcept { return meta_; }

 private:
  static std::string label(std::string_view name) { return "tenet::io: tensor '" + std::string(name) + "'"; }

  const_iterator find_or_throw(std::string_view name) const {
    const auto it = m_.find(name);
    if (it != m_.end()) return it;
    std::string msg = "tenet::io: no tensor named '" + std::string(name) + "' (the map holds " + std::to_string(m_.size());
    std::size_t shown = 0;
    for (const auto& [k, v] : m_) {
      if (shown == 8) {
        msg += ", ...";
        break;
      }
      msg += shown++ ? ", '" : ": '";
      msg += k;
      msg += "'";
    }
    throw format_error(msg + ")");
  }

  void check_shape(std::string_view name, std::span<const index> expected) const {
    const auto& t = at(name);
    const auto have = t.extents().as_span();
    if (!std::equal(have.begin(), have.end(), expected.begin(), expected.end()))
      throw shape_error(label(name) + " has shape " + tenet::detail::shape_string(have) + " but " +
                        tenet::detail::shape_string(expected) + " was expected");
  }

  map_type m_;
  std::map<std::string, std::string> meta_;
};

}  // namespace tenet::io
