// MIME via GMime 3: parses a message from memory and walks it recursively (multipart,
// message/rfc822), turning every leaf into a Blob. Part paths are 1-based indexes
// like reformime's, joined with '/': "2/1" is the first part of the second part.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "workers/decode/context.h"

namespace qscan::workers::decode {

// The top-level message: also writes its headers and the header rewrite, if any.
void walk_message(Context& ctx, std::span<const std::byte> message);

// A message found inside something else (message/rfc822 leaf, .eml in an archive);
// its parts are written under `path`, one level deeper than `depth`.
void walk_embedded_message(Context& ctx, std::span<const std::byte> message,
                           const std::string& path, std::uint64_t depth);

}  // namespace qscan::workers::decode
