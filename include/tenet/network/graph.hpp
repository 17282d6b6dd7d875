#pragma once
// The structure of a tensor network without its data: the labels each tensor carries, the
// extent of every label, and the open legs (output labels, batch labels first). Path finders
// and the cost model work on this; tenet::network adds the tensors themselves.
#include <algorithm>
#include <compare>
#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/core/extents.hpp"
#include "tenet/network/error.hpp"

namespace tenet {

/// A leg label: an integer or a string. A char names the same label as the one-character
/// string, so {'i', 'j'} and {"i", "j"} label the same legs.
class leg_label {
 public:
  template <std::integral I>
    requires(!std::same_as<I, char> && !std::same_as<I, bool>)
  leg_label(I v) : int_(true), num_(static_cast<long long>(v)) {}  // NOLINT: implicit, labels are written as literals
  leg_label(char c) : text_(1, c) {}                                // NOLINT
  leg_label(const char* s) : text_(s) {}                            // NOLINT
  leg_label(std::string_view s) : text_(s) {}                       // NOLINT
  leg_label(std::string s) : text_(std::move(s)) {}                 // NOLINT

  bool is_integer() const noexcept { return int_; }
  long long integer() const noexcept { return num_; }
  const std::string& text() const noexcept { return text_; }
  /// As it reads in messages: 'i' for strings, 7 for integers.
  std::string str() const { return int_ ? std::to_string(num_) : "'" + text_ + "'"; }

  friend bool operator==(const leg_label&, const leg_label&) = default;
  friend std::strong_ordering operator<=>(const leg_label& a, const leg_label& b) {
    if (a.int_ != b.int_) return b.int_ <=> a.int_;  // integers first
    if (a.int_) return a.num_ <=> b.num_;
    const int c = a.text_.compare(b.text_);
    return c < 0 ? std::strong_ordering::less : c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal;
  }

 private:
  bool int_ = false;
  long long num_ = 0;
  std::string text_;
};

/// Tensors as lists of labels, with one extent per label. Labels get ids 0, 1, ... in the
/// order they first appear; tensors get ids 0, 1, ... in the order they are added. A label
/// may sit on any number of tensors (more than two makes a hyperedge) and repeat within one
/// tensor (its diagonal is taken). Without set_output, the open legs are the labels that
/// occur exactly once, in the order they first appear (einsum's rule, in appearance order).
class tensor_graph {
 public:
  /// Adds a tensor with one label per mode; returns its id. Throws shape_error when the
  /// number of labels differs from the rank, or a label's extent differs from before.
  int add_tensor(std::span<const leg_label> labels, std::span<const index> shape) {
    if (labels.size() != shape.size())
      throw shape_error("tenet::network: " + std::to_string(labels.size()) + " labels for a tensor of shape " +
                        detail::shape_string(shape));
    const int t = n_tensors();
    // Check every mode first, so that a failed add leaves the graph as it was.
    for (std::size_t r = 0; r < labels.size(); ++r) {
      if (shape[r] < 0) throw shape_error("tenet::network: negative extent in " + detail::shape_string(shape));
      const int id = find(labels[r]);
      if (id >= 0 && extent_[static_cast<std::size_t>(id)] != shape[r]) throw shape_error(extent_message(id, t, r, shape));
      for (std::size_t q = 0; q < r; ++q)
        if (labels[q] == labels[r] && shape[q] != shape[r])
          throw shape_error("tenet::network: label " + labels[r].str() + " has extent " + std::to_string(shape[q]) +
                            " in mode " + std::to_string(q) + " but " + std::to_string(shape[r]) + " in mode " +
                            std::to_string(r) + " of tensor " + std::to_string(t) + " of shape " + detail::shape_string(shape));
    }
    std::vector<int> ids;
    for (std::size_t r = 0; r < labels.size(); ++r) {
      int id = find(labels[r]);
      if (id < 0) {
        id = n_labels();
        index_.emplace(labels[r], id);
        names_.push_back(labels[r]);
        extent_.push_back(shape[r]);
        first_.push_back({t, static_cast<int>(r)});
      }
      ids.push_back(id);
    }
    tensors_.push_back(std::move(ids));
    shapes_.emplace_back(shape.begin(), shape.end());
    return t;
  }
  int add_tensor(std::initializer_list<leg_label> labels, std::initializer_list<index> shape) {
    return add_tensor(std::span<const leg_label>(labels.begin(), labels.size()),
                      std::span<const index>(shape.begin(), shape.size()));
  }

  /// Names the open legs, in order. Each must be on some tensor and appear once in the list.
  void set_output(std::span<const leg_label> labels) {
    std::vector<int> out;
    for (const leg_label& l : labels) {
      const int id = find(l);
      if (id < 0) throw network_error("tenet::network: output label " + l.str() + " is on no tensor");
      if (std::find(out.begin(), out.end(), id) != out.end())
        throw network_error("tenet::network: output label " + l.str() + " appears twice");
      out.push_back(id);
    }
    output_ = std::move(out);
  }
  void set_output(std::initializer_list<leg_label> labels) {
    set_output(std::span<const leg_label>(labels.begin(), labels.size()));
  }

  /// Marks a batch label: it stays on every intermediate and leads the output, in the order
  /// batch labels are marked (as b in "bij,bjk->bik").
  void add_batch(const leg_label& l) {
    const int id = find(l);
    if (id < 0) throw network_error("tenet::network: batch label " + l.str() + " is on no tensor");
    if (std::find(batch_.begin(), batch_.end(), id) == batch_.end()) batch_.push_back(id);
  }

  int n_tensors() const noexcept { return static_cast<int>(tensors_.size()); }
  int n_labels() const noexcept { return static_cast<int>(names_.size()); }
  /// Label ids of tensor t, one per mode (repeats allowed).
  const std::vector<int>& labels(int t) const { return tensors_.at(static_cast<std::size_t>(t)); }
  const std::vector<index>& shape(int t) const { return shapes_.at(static_cast<std::size_t>(t)); }
  index extent(int label) const { return extent_.at(static_cast<std::size_t>(label)); }
  const leg_label& name(int label) const { return names_.at(static_cast<std::size_t>(label)); }
  /// The id of a label, or -1 when no tensor carries it.
  int find(const leg_label& l) const {
    const auto it = index_.find(l);
    return it == index_.end() ? -1 : it->second;
  }
  const std::vector<int>& batch() const noexcept { return batch_; }
  bool has_explicit_output() const noexcept { return output_.has_value(); }

  /// The open legs: batch labels, then the explicit output (or the implicit one).
  std::vector<int> output() const {
    std::vector<int> out = batch_;
    auto push = [&](int l) {
      if (std::find(out.begin(), out.end(), l) == out.end()) out.push_back(l);
    };
    if (output_) {
      for (int l : *output_) push(l);
    } else {
      std::vector<int> count(names_.size(), 0);
      for (const auto& t : tensors_)
        for (int l : t) ++count[static_cast<std::size_t>(l)];
      for (int l = 0; l < n_labels(); ++l)
        if (count[static_cast<std::size_t>(l)] == 1) push(l);
    }
    return out;
  }

  /// The extents of a list of label ids.
  std::vector<index> extents_of(std::span<const int> ids) const {
    std::vector<index> e;
    for (int l : ids) e.push_back(extent(l));
    return e;
  }

  /// "(i, j)" for a list of label ids.
  std::string labels_string(std::span<const int> ids) const {
    std::string s = "(";
    for (std::size_t r = 0; r < ids.size(); ++r) {
      if (r) s += ", ";
      const leg_label& n = name(ids[r]);
      s += n.is_integer() ? std::to_string(n.integer()) : n.text();
    }
    return s + ")";
  }

  /// One line per tensor and the output: "0: (i, j) (3, 4)".
  std::string to_string() const {
    std::string s;
    for (int t = 0; t < n_tensors(); ++t)
      s += std::to_string(t) + ": " + labels_string(labels(t)) + " " + detail::shape_string(std::span<const index>(shape(t))) + "\n";
    const auto out = output();
    return s + "-> " + labels_string(out) + " " + detail::shape_string(std::span<const index>(extents_of(out))) + "\n";
  }

 private:
  std::string extent_message(int id, int t, std::size_t r, std::span<const index> shape) const {
    const int t0 = first_[static_cast<std::size_t>(id)].first;
    const std::string where0 = "tensor " + std::to_string(t0) + " of shape " +
                               detail::shape_string(std::span<const index>(shapes_[static_cast<std::size_t>(t0)]));
    return "tenet::network: label " + names_[static_cast<std::size_t>(id)].str() + " has extent " +
           std::to_string(extent_[static_cast<std::size_t>(id)]) + " in " + where0 + " but " +
           std::to_string(shape[r]) + " in mode " + std::to_string(r) + " of tensor " + std::to_string(t) +
           " of shape " + detail::shape_string(shape);
  }

  std::vector<std::vector<int>> tensors_;
  std::vector<std::vector<index>> shapes_;
  std::vector<leg_label> names_;
  std::vector<index> extent_;
  std::vector<std::pair<int, int>> first_;  // (tensor, mode) where each label first appeared
  std::map<leg_label, int> index_;
  std::optional<std::vector<int>> output_;
  std::vector<int> batch_;
};

}  // namespace tenet
