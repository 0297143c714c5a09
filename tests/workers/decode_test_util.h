// Runs the decode worker in-process over a heap arena and decodes what it wrote.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/records.h"
#include "workers/decode_worker.h"

namespace qscan::workers::testing {

struct Decoded {
  std::vector<std::byte> region;  // the arena; `out` points into it
  ipc::DecodedArena out;
  std::string error;  // from read_arena/decode_records; empty when the arena is valid

  const ipc::PartRecord* part(std::string_view path) const;
  std::vector<std::string> finding_names() const;
  bool has_finding(std::string_view check) const;
  bool has_crypto(std::string_view fact) const;
  std::string header(std::string_view name) const;
};

Decoded decode(std::string_view message, const DecodeOptions& options = {},
               std::size_t arena_bytes = 0);

std::string read_file(const std::string& path);
std::string md5_hex(std::span<const std::byte> data);
std::string as_string(std::span<const std::byte> data);

// A multipart/mixed message with a text part and `payload` as a base64 attachment.
std::string wrap_attachment(std::string_view payload, std::string_view filename,
                            std::string_view content_type = "application/octet-stream");
std::string base64(std::string_view data);

}  // namespace qscan::workers::testing
