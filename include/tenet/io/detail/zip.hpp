#pragma once
// The zip container under .npz: reads the central directory (zip64 records included) with
// every offset and length checked against the file, checks each local header against it,
// rejects overlapping entries, and hands out the bytes of stored (uncompressed) entries after
// checking their CRC-32. Writes a stored archive without zip64. Deflate would need zlib,
// which tenet does not depend on: such entries are rejected with a message that says so.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tenet/core/error.hpp"
#include "tenet/io/detail/bytes.hpp"
#include "tenet/io/detail/crc32.hpp"

namespace tenet::io::detail {

struct zip_entry {
  std::string name;
  std::uint16_t method = 0;
  std::uint16_t flags = 0;
  std::uint32_t crc = 0;
  std::uint64_t compressed_size = 0, size = 0;
  std::uint64_t header_offset = 0, data_offset = 0;
};

inline constexpr std::uint32_t zip_local_sig = 0x04034b50, zip_central_sig = 0x02014b50,
                               zip_eocd_sig = 0x06054b50, zip64_eocd_sig = 0x06064b50,
                               zip64_locator_sig = 0x07064b50;

inline std::string hex_string(std::uint64_t v) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), digits[v & 0xF]);
    v >>= 4;
  } while (v);
  return "0x" + s;
}

class zip_reader {
 public:
  zip_reader(std::span<const std::byte> file, const std::string& where) : f_(file), p_(file.data()), where_(where) {}

  std::vector<zip_entry> directory() {
    read_end_records();
    read_central_directory();
    for (auto& e : entries_) check_local_header(e);
    check_overlaps();
    return std::move(entries_);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw format_error(where_ + ": " + what); }
  void read_end_records() {
    const std::size_t size = f_.size();
    if (size < 22) fail("truncated or not a zip archive: " + std::to_string(size) + " bytes, too short for its end record");
    // The end record is the last 22 bytes plus a comment of up to 65535 bytes: take the last
    // signature whose comment length reaches exactly the end of the file.
    const std::size_t lowest = size - 22 > 65535 ? size - 22 - 65535 : 0;
    std::size_t eocd = size;
    for (std::size_t pos = size - 22 + 1; pos-- > lowest;)
      if (load_le32(p_ + pos) == zip_eocd_sig && pos + 22 + load_le16(p_ + pos + 20) == size) {
        eocd = pos;
        break;
      }
    if (eocd == size) fail("truncated or not a zip archive: no end of central directory record");
    const std::byte* e = p_ + eocd;
    const std::uint16_t disk = load_le16(e + 4), cd_disk = load_le16(e + 6), n_disk = load_le16(e + 8),
                        n_total = load_le16(e + 10);
    const std::uint32_t cd_size = load_le32(e + 12), cd_off = load_le32(e + 16);
    count_ = n_total;
    cd_size_ = cd_size;
    cd_off_ = cd_off;
    cd_limit_ = eocd;
    if (eocd >= 20 && load_le32(e - 20) == zip64_locator_sig) {
      const std::size_t loc = eocd - 20;
      const std::uint32_t z_disk = load_le32(p_ + loc + 4), disks = load_le32(p_ + loc + 16);
      const std::uint64_t off = load_le64(p_ + loc + 8);
      if (z_disk != 0 || disks != 1) fail("multi-disk (split) archives are not supported");
      if (off > loc || loc - off < 56)
        fail("the zip64 end record offset " + std::to_string(off) + " is out of range (its locator is at " +
             std::to_string(loc) + ")");
      const std::byte* r = p_ + off;
      if (load_le32(r) != zip64_eocd_sig) fail("bad signature of the zip64 end record at offset " + std::to_string(off));
      if (load_le64(r + 4) != loc - off - 12) fail("the zip64 end record's size disagrees with its locator");
      const std::uint64_t z_count_disk = load_le64(r + 24), z_count = load_le64(r + 32);
      if (load_le32(r + 16) != 0 || load_le32(r + 20) != 0 || z_count_disk != z_count)
        fail("multi-disk (split) archives are not supported");
      // The 16- and 32-bit fields are either saturated or equal to the zip64 ones.
      if ((n_total != 0xFFFF && n_total != z_count) || (cd_size != 0xFFFFFFFF && cd_size != load_le64(r + 40)) ||
          (cd_off != 0xFFFFFFFF && cd_off != load_le64(r + 48)))
        fail("the end record and the zip64 end record disagree");
      count_ = z_count;
      cd_size_ = load_le64(r + 40);
      cd_off_ = load_le64(r + 48);
      cd_limit_ = off;
    } else {
      if (n_total == 0xFFFF || cd_size == 0xFFFFFFFF || cd_off == 0xFFFFFFFF)
        fail("the end record asks for zip64 values but there is no zip64 end record locator");
      if (disk != 0 || cd_disk != 0 || n_disk != n_total) fail("multi-disk (split) archives are not supported");
    }
    if (cd_off_ > cd_limit_ || cd_size_ > cd_limit_ - cd_off_)
      fail("the central directory [" + std::to_string(cd_off_) + ", +" + std::to_string(cd_size_) +
           ") extends past its end record at offset " + std::to_string(cd_limit_));
    if (count_ > cd_size_ / 46)
      fail(std::to_string(count_) + " entries cannot fit in a central directory of " + std::to_string(cd_size_) + " bytes");
  }

  // The zip64 extended-information extra field holds, in this order, those of the sizes and
  // the offset whose 32-bit fields are saturated (and the disk number if that is).
  void zip64_extra(const std::byte* x, std::size_t len, zip_entry& e, bool usize_sat, bool csize_sat, bool off_sat,
                   bool disk_sat, const std::string& what) const {
    bool found = false;
    while (len > 0) {
      if (len < 4) fail(what + ": truncated extra field");
      const std::uint16_t id = load_le16(x), sz = load_le16(x + 2);
      if (sz > len - 4) fail(what + ": an extra field of " + std::to_string(sz) + " bytes overruns its area");
      if (id == 1 && !found) {
        found = true;
        std::size_t at = 4;
        auto take = [&](std::size_t n, std::uint64_t& v) {
          if (at + n > 4u + sz) fail(what + ": the zip64 extra field is too short");
          v = n == 8 ? load_le64(x + at) : load_le32(x + at);
          at += n;
        };
        if (usize_sat) take(8, e.size);
        if (csize_sat) take(8, e.compressed_size);
        if (off_sat) take(8, e.header_offset);
        std::uint64_t disk = 0;
        if (disk_sat) take(4, disk);
        if (disk != 0) fail("multi-disk (split) archives are not supported");
      }
      x += 4u + sz;
      len -= 4u + sz;
    }
    if (!found && (usize_sat || csize_sat || off_sat || disk_sat))
      fail(what + ": saturated 32-bit fields but no zip64 extra field");
  }

  void read_central_directory() {
    entries_.reserve(static_cast<std::size_t>(count_));
    std::size_t pos = static_cast<std::size_t>(cd_off_);
    const std::size_t end = static_cast<std::size_t>(cd_off_ + cd_size_);
    for (std::uint64_t i = 0; i < count_; ++i) {
      const std::string what = "central directory entry " + std::to_string(i);
      if (end - pos < 46) fail(what + " is truncated");
      const std::byte* c = p_ + pos;
      if (load_le32(c) != zip_central_sig) fail(what + ": bad signature at offset " + std::to_string(pos));
      zip_entry e;
      e.flags = load_le16(c + 8);
      e.method = load_le16(c + 10);
      e.crc = load_le32(c + 16);
      e.compressed_size = load_le32(c + 20);
      e.size = load_le32(c + 24);
      const std::size_t nlen = load_le16(c + 28), xlen = load_le16(c + 30), clen = load_le16(c + 32);
      const std::uint16_t disk = load_le16(c + 34);
      e.header_offset = load_le32(c + 42);
      if (end - pos - 46 < nlen + xlen + clen) fail(what + ": its name and extra fields overrun the central directory");
      e.name.assign(reinterpret_cast<const char*>(c + 46), nlen);
      zip64_extra(c + 46 + nlen, xlen, e, e.size == 0xFFFFFFFF, e.compressed_size == 0xFFFFFFFF,
                  e.header_offset == 0xFFFFFFFF, disk == 0xFFFF, what + " ('" + e.name + "')");
      if (disk != 0 && disk != 0xFFFF) fail("multi-disk (split) archives are not supported");
      if (e.flags & 0x41u) fail("entry '" + e.name + "' is encrypted, which is not supported");
      entries_.push_back(std::move(e));
      pos += 46 + nlen + xlen + clen;
    }
    if (pos != end)
      fail("the central directory has " + std::to_string(end - pos) + " bytes after its " + std::to_string(count_) +
           " entries");
  }

  void check_local_header(zip_entry& e) const {
    const std::string what = "entry '" + e.name + "'";
    if (e.header_offset > cd_off_ || cd_off_ - e.header_offset < 30)
      fail(what + ": its local header at offset " + std::to_string(e.header_offset) +
           " is not before the central directory at " + std::to_string(cd_off_));
    const std::byte* q = p_ + e.header_offset;
    if (load_le32(q) != zip_local_sig) fail(what + ": bad local header signature at offset " + std::to_string(e.header_offset));
    const std::uint16_t lflags = load_le16(q + 6), lmethod = load_le16(q + 8);
    const std::uint32_t lcrc = load_le32(q + 14), lcsize = load_le32(q + 18), lusize = load_le32(q + 22);
    const std::size_t nlen = load_le16(q + 26), xlen = load_le16(q + 28);
    const std::uint64_t room = cd_off_ - e.header_offset - 30;
    if (nlen + xlen > room) fail(what + ": its local header overruns the central directory");
    if (std::string_view(reinterpret_cast<const char*>(q + 30), nlen) != e.name)
      fail(what + ": the local header names a different entry");
    if (lmethod != e.method) fail(what + ": the local header and the central directory give different methods");
    if ((lflags & 0x08u) == 0) {  // no data descriptor: the local header repeats CRC and sizes
      zip_entry l;
      l.compressed_size = lcsize;
      l.size = lusize;
      const bool sat = lcsize == 0xFFFFFFFF || lusize == 0xFFFFFFFF;  // zip64 local: both sizes
      zip64_extra(q + 30 + nlen, xlen, l, sat, sat, false, false, what + " (local header)");
      if (lcrc != e.crc || l.compressed_size != e.compressed_size || l.size != e.size)
        fail(what + ": the local header's CRC or sizes disagree with the central directory");
    }
    e.data_offset = e.header_offset + 30 + nlen + xlen;
    if (e.compressed_size > cd_off_ - e.data_offset)
      fail(what + ": its " + std::to_string(e.compressed_size) + " bytes of data at offset " +
           std::to_string(e.data_offset) + " run past the central directory at " + std::to_string(cd_off_));
  }

  void check_overlaps() const {
    std::vector<std::size_t> order(entries_.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return entries_[a].header_offset < entries_[b].header_offset; });
    for (std::size_t k = 1; k < order.size(); ++k) {
      const auto& a = entries_[order[k - 1]];
      const auto& b = entries_[order[k]];
      if (a.data_offset + a.compressed_size > b.header_offset)
        fail("entries '" + a.name + "' and '" + b.name + "' overlap");
    }
  }

  std::span<const std::byte> f_;
  const std::byte* p_;
  const std::string& where_;
  std::uint64_t count_ = 0, cd_size_ = 0, cd_off_ = 0, cd_limit_ = 0;
  std::vector<zip_entry> entries_;
};

/// The bytes of a stored entry, after checking its method and CRC-32.
inline std::span<const std::byte> zip_stored_data(std::span<const std::byte> file, const zip_entry& e,
                                                  const std::string& where) {
  const std::string what = where + ": entry '" + e.name + "'";
  if (e.method == 8)
    throw format_error(what + " is deflate-compressed: compressed .npz is not supported; save with np.savez");
  if (e.method != 0)
    throw format_error(what + " uses compression method " + std::to_string(e.method) +
                       "; only stored (uncompressed) entries are supported");
  if (e.compressed_size != e.size) throw format_error(what + ": a stored entry whose two sizes differ");
  const auto data = file.subspan(static_cast<std::size_t>(e.data_offset), static_cast<std::size_t>(e.size));
  const std::uint32_t crc = crc32(data);
  if (crc != e.crc)
    throw format_error(what + ": CRC-32 mismatch (the directory says " + hex_string(e.crc) + ", the data gives " +
                       hex_string(crc) + ")");
  return data;
}

/// Builds a stored zip archive (no compression, no zip64, timestamps 1980-01-01 so that the
/// same tensors give the same bytes).
class zip_writer {
 public:
  explicit zip_writer(std::string where) : where_(std::move(where)) {}

  void add(const std::string& name, std::span<const std::byte> data) {
    if (name.size() > 0xFFFF) fail("the entry name '" + name.substr(0, 40) + "...' is longer than 65535 bytes");
    const std::uint64_t offset = out_.size();
    if (offset + 30 + name.size() + data.size() > limit) fail(too_large);
    const std::uint32_t crc = crc32(data);
    const std::uint16_t flags = std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })
                                    ? 0x0800  // the name is UTF-8
                                    : 0;
    append_le(out_, zip_local_sig);
    append_le(out_, std::uint16_t{20});  // version needed: 2.0
    append_le(out_, flags);
    append_le(out_, std::uint16_t{0});  // stored
    append_le(out_, std::uint16_t{0});  // time 00:00
    append_le(out_, dos_date);
    append_le(out_, crc);
    append_le(out_, static_cast<std::uint32_t>(data.size()));
    append_le(out_, static_cast<std::uint32_t>(data.size()));
    append_le(out_, static_cast<std::uint16_t>(name.size()));
    append_le(out_, std::uint16_t{0});
    append(out_, name);
    out_.insert(out_.end(), data.begin(), data.end());
    entries_.push_back({name, 0, flags, crc, data.size(), data.size(), offset, 0});
  }

  bytes finish() && {
    if (entries_.size() >= 0xFFFF) fail(too_large);
    const std::uint64_t cd_off = out_.size();
    for (const auto& e : entries_) {
      append_le(out_, zip_central_sig);
      append_le(out_, std::uint16_t{20});  // made by: version 2.0
      append_le(out_, std::uint16_t{20});  // version needed
      append_le(out_, e.flags);
      append_le(out_, std::uint16_t{0});
      append_le(out_, std::uint16_t{0});
      append_le(out_, dos_date);
      append_le(out_, e.crc);
      append_le(out_, static_cast<std::uint32_t>(e.size));
      append_le(out_, static_cast<std::uint32_t>(e.size));
      append_le(out_, static_cast<std::uint16_t>(e.name.size()));
      append_le(out_, std::uint16_t{0});   // extra
      append_le(out_, std::uint16_t{0});   // comment
      append_le(out_, std::uint16_t{0});   // disk
      append_le(out_, std::uint16_t{0});   // internal attributes
      append_le(out_, std::uint32_t{0});   // external attributes
      append_le(out_, static_cast<std::uint32_t>(e.header_offset));
      append(out_, e.name);
    }
    const std::uint64_t cd_size = out_.size() - cd_off;
    if (out_.size() > limit) fail(too_large);
    append_le(out_, zip_eocd_sig);
    append_le(out_, std::uint16_t{0});
    append_le(out_, std::uint16_t{0});
    append_le(out_, static_cast<std::uint16_t>(entries_.size()));
    append_le(out_, static_cast<std::uint16_t>(entries_.size()));
    append_le(out_, static_cast<std::uint32_t>(cd_size));
    append_le(out_, static_cast<std::uint32_t>(cd_off));
    append_le(out_, std::uint16_t{0});  // comment
    return std::move(out_);
  }

 private:
  static constexpr std::uint16_t dos_date = (0 << 9) | (1 << 5) | 1;  // 1980-01-01
  static constexpr std::uint64_t limit = 0xFFFFFFFEu;
  static constexpr const char* too_large =
      "the archive would need zip64 (4 GiB or more, or 65535 entries or more), which the writer does not produce";
  [[noreturn]] void fail(const std::string& what) const { throw format_error(where_ + ": " + what); }

  std::string where_;
  bytes out_;
  std::vector<zip_entry> entries_;
};

}  // namespace tenet::io::detail
