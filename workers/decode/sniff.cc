#include "workers/decode/sniff.h"

#include <algorithm>
#include <cstring>

namespace qscan::workers::decode {
namespace {

bool starts(std::span<const std::byte> d, std::string_view magic, std::size_t at = 0) {
  return d.size() >= at + magic.size() &&
         std::memcmp(d.data() + at, magic.data(), magic.size()) == 0;
}

std::uint8_t at(std::span<const std::byte> d, std::size_t i) {
  return i < d.size() ? static_cast<std::uint8_t>(d[i]) : 0;
}

// An MZ header whose e_lfanew points at "PE\0\0". A DOS header that is binary (NUL
// bytes) but has no PE header (DOS programs, truncated executables) counts too; text
// that merely starts with "MZ" does not.
bool is_pe(std::span<const std::byte> d) {
  using namespace std::string_view_literals;
  if (!starts(d, "MZ") || d.size() < 64) return false;
  std::uint32_t lfanew = at(d, 0x3c) | (at(d, 0x3d) << 8) | (at(d, 0x3e) << 16) |
                         (static_cast<std::uint32_t>(at(d, 0x3f)) << 24);
  if (lfanew <= d.size() - 4 && starts(d, "PE\0\0"sv, lfanew)) return true;
  for (std::size_t i = 2; i < 64; ++i)
    if (at(d, i) == 0) return true;
  return false;
}

bool is_tar(std::span<const std::byte> d) { return starts(d, "ustar", 257); }

bool is_binhex(std::span<const std::byte> d) {
  static constexpr std::string_view kTag = "(This file must be converted with BinHex";
  std::string_view head(reinterpret_cast<const char*>(d.data()),
                        std::min<std::size_t>(d.size(), 512));
  return head.find(kTag) != std::string_view::npos;
}

bool looks_text(std::span<const std::byte> d) {
  std::size_t n = std::min<std::size_t>(d.size(), 4096);
  std::size_t odd = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint8_t c = at(d, i);
    if (c == 0) return false;
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b) ++odd;
  }
  return odd * 20 <= n;
}

}  // namespace

std::string_view sniff_type(std::span<const std::byte> d) {
  using namespace std::string_view_literals;
  if (d.empty()) return "empty";
  if (is_pe(d)) return "pe";
  if (starts(d,
             "\x7f"
             "ELF"))
    return "elf";
  if (starts(d, "PK\x03\x04") || starts(d, "PK\x05\x06") || starts(d, "PK\x07\x08")) return "zip";
  if (starts(d, "Rar!\x1a\x07")) return "rar";
  if (starts(d, "7z\xbc\xaf\x27\x1c")) return "7z";
  if (starts(d, "\x1f\x8b")) return "gzip";
  if (starts(d, "BZh")) return "bzip2";
  if (starts(d,
             "\xfd"
             "7zXZ\x00"sv))
    return "xz";
  if (starts(d, "\x28\xb5\x2f\xfd")) return "zstd";
  if (starts(d, "MSCF\0\0\0\0"sv)) return "cab";
  if (starts(d, "\x60\xea")) return "arj";
  if (starts(d, "070707") || starts(d, "070701") || starts(d, "070702") || starts(d, "\xc7\x71") ||
      starts(d, "\x71\xc7"))
    return "cpio";
  if (is_tar(d)) return "tar";
  if (starts(d, "!<arch>\n")) return "ar";
  if (starts(d, "xar!")) return "xar";
  if (starts(d, "CD001", 0x8001)) return "iso";
  if (starts(d, "-lh", 2) || starts(d, "-lz", 2)) return "lha";
  if (starts(d, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")) return "ole2";
  if (starts(d, "\x78\x9f\x3e\x22")) return "tnef";
  if (starts(d, "%PDF-")) return "pdf";
  if (starts(d, "\x89PNG\r\n\x1a\n")) return "png";
  if (starts(d, "GIF87a") || starts(d, "GIF89a")) return "gif";
  if (starts(d, "\xff\xd8\xff")) return "jpeg";
  if (starts(d, "BM") && d.size() > 14 && at(d, 6) == 0 && at(d, 7) == 0) return "bmp";
  if (starts(d, "II*\0"sv) || starts(d, "MM\0*"sv)) return "tiff";
  if (starts(d, "RIFF") && starts(d, "WAVE", 8)) return "wav";
  if (starts(d, "{\\rtf")) return "rtf";
  if (starts(d, "ITSF")) return "chm";
  if (starts(d, "SZDD\x88\xf0\x27\x33")) return "szdd";
  if (starts(d, "#!")) return "script";
  if (is_binhex(d)) return "binhex";
  if (looks_text(d)) return "text";
  return "unknown";
}

bool is_archive_type(std::string_view t) {
  static constexpr std::string_view kTypes[] = {"zip", "rar",  "7z",  "gzip", "bzip2",
                                                "xz",  "zstd", "cab", "cpio", "tar",
                                                "ar",  "iso",  "xar", "lha"};
  return std::find(std::begin(kTypes), std::end(kTypes), t) != std::end(kTypes);
}

}  // namespace qscan::workers::decode
