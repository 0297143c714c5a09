// Test helper: an in-memory arena a worker function writes into, decoded as the supervisor
// would (structural read, then typed records).
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/arena_reader.h"
#include "ipc/arena_writer.h"
#include "ipc/records.h"

namespace qscan::testing {

class ArenaCapture {
 public:
  explicit ArenaCapture(std::size_t size = 1 << 20) : region_(size), writer_(region_) {}
  ipc::ArenaWriter& writer() { return writer_; }

  // Finishes the arena and decodes it; fails the test when the arena does not validate.
  const ipc::DecodedArena& decode() {
    writer_.finish();
    std::string err = ipc::decode_records(ipc::read_arena(region_, {}), {}, decoded_);
    EXPECT_EQ(err, "");
    return decoded_;
  }

 private:
  std::vector<std::byte> region_;
  ipc::ArenaWriter writer_;
  ipc::DecodedArena decoded_;
};

inline std::span<const std::byte> bytes_of(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

}  // namespace qscan::testing
