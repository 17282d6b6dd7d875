#pragma once
// .npz archives as np.savez writes them: a zip of NAME.npy entries, stored (uncompressed).
// Read all arrays into a tensor_map, or one by name; write a tensor_map. Entries of
// np.savez_compressed (deflate) are rejected: tenet does not depend on zlib. zip64 records
// (np.savez writes them in every local header) are read; the writer produces none.
#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/io/any_tensor.hpp"
#include "tenet/io/detail/bytes.hpp"
#include "tenet/io/detail/zip.hpp"
#include "tenet/io/npy.hpp"
#include "tenet/io/tensor_map.hpp"

namespace tenet::io {

namespace detail {

// The array name of an entry: "stages.0.weight.npy" -> "stages.0.weight".
inline std::string npz_key(const std::string& entry, const std::string& where) {
  constexpr std::string_view ext = ".npy";
  if (entry.size() < ext.size() || entry.compare(entry.size() - ext.size(), ext.size(), ext) != 0)
    throw format_error(where + ": entry '" + entry + "' is not a .npy array (np.savez writes NAME.npy entries)");
  return entry.substr(0, entry.size() - ext.size());
}

// The entries with their array names, after checking that no name appears twice.
inline std::vector<std::pair<std::string, zip_entry>> npz_directory(std::span<const std::byte> file,
                                                                    const std::string& where) {
  auto entries = zip_reader(file, where).directory();
  std::vector<std::pair<std::string, zip_entry>> out;
  out.reserve(entries.size());
  for (auto& e : entries) {
    std::string key = npz_key(e.name, where);
    out.emplace_back(std::move(key), std::move(e));
  }
  std::vector<std::size_t> order(out.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return out[a].first < out[b].first; });
  for (std::size_t k = 1; k < order.size(); ++k)
    if (out[order[k]].first == out[order[k - 1]].first)
      throw format_error(where + ": the array name '" + out[order[k]].first + "' appears twice");
  return out;
}

}  // namespace detail

/// Every array of an .npz image, by name. `where` starts every error message.
inline tensor_map decode_npz(std::span<const std::byte> file, const std::string& where = "tenet::io::decode_npz") {
  tensor_map out;
  for (const auto& [key, e] : detail::npz_directory(file, where))
    out.set(key, decode_npy(detail::zip_stored_data(file, e, where), where + ": entry '" + e.name + "'"));
  return out;
}

/// One array of an .npz image (the archive's directory is checked whole; only this entry's
/// data is read). format_error, listing the names present, if there is none of that name.
inline any_tensor decode_npz_entry(std::span<const std::byte> file, std::string_view name,
                                   const std::string& where = "tenet::io::decode_npz_entry") {
  const auto dir = detail::npz_directory(file, where);
  for (const auto& [key, e] : dir)
    if (key == name) return decode_npy(detail::zip_stored_data(file, e, where), where + ": entry '" + e.name + "'");
  std::string names;
  for (std::size_t k = 0; k < dir.size() && k < 8; ++k) {
    names += k ? ", '" : ": '";
    names += dir[k].first;
    names += "'";
  }
  throw format_error(where + ": no array named '" + std::string(name) + "' (the archive holds " +
                     std::to_string(dir.size()) + names + (dir.size() > 8 ? ", ...)" : ")"));
}

inline tensor_map read_npz(const std::filesystem::path& path) {
  const std::string who = "tenet::io::read_npz";
  const auto file = detail::read_file(path, who);
  return decode_npz(file, who + ": " + detail::single_quoted(path.string()));
}

inline any_tensor read_npz(const std::filesystem::path& path, std::string_view name) {
  const std::string who = "tenet::io::read_npz";
  const auto file = detail::read_file(path, who);
  return decode_npz_entry(file, name, who + ": " + detail::single_quoted(path.string()));
}

/// The .npz image of the tensors (entries NAME.npy in name order, stored; metadata is not
/// written: .npz has no place for it).
inline detail::bytes encode_npz(const tensor_map& tensors, const std::string& where = "tenet::io::encode_npz") {
  detail::zip_writer zip(where);
  for (const auto& [name, t] : tensors) zip.add(name + ".npy", encode_npy(t));
  return std::move(zip).finish();
}

inline void write_npz(const std::filesystem::path& path, const tensor_map& tensors) {
  const std::string who = "tenet::io::write_npz";
  detail::write_file(path, encode_npz(tensors, who + ": " + detail::single_quoted(path.string())), who);
}

}  // namespace tenet::io
