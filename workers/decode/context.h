// Decode state shared by every decoder of one message: options, the arena, and the
// budgets (parts, bytes, depth) that keep a hostile message bounded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ipc/arena_writer.h"
#include "workers/decode_worker.h"

namespace qscan::workers::decode {

// One decoded leaf (or container) on its way into the arena.
struct Blob {
  std::string path;
  std::string content_type;
  std::vector<std::string> filenames;
  std::string encoding;
  std::string decoder;
  std::uint64_t depth = 0;
  std::uint64_t flags = 0;
  std::uint64_t size = 0;  // full decoded size; larger than data.size() when truncated
  std::vector<std::byte> data;
  bool from_mime = false;  // declared by MIME headers (type checks apply)
};

std::string child_path(std::string_view parent, std::string_view name);

class Context {
 public:
  Context(const DecodeOptions& options, ipc::ArenaWriter& arena)
      : options_(options), arena_(arena) {}

  const DecodeOptions& options() const { return options_; }
  bool enabled(std::string_view check) const;

  // A format-check finding, once per (check, path); ignored when the check is disabled.
  void finding(std::string_view check, std::string_view detail, std::string_view path);
  // A limit hit: check name "limit:<key>", once per key (the first branch that hit it).
  void limit(std::string_view key, std::string_view detail, std::string_view path);
  bool limit_hit(std::string_view key) const;
  void crypto(std::string_view fact);

  // Depth gate for entering a container whose children would sit at `depth`.
  bool depth_ok(std::uint64_t depth, std::string_view path);
  // Reserves one part slot; false (and a limit finding) once max_parts is used up.
  bool take_part(std::string_view path);
  // Bytes a leaf may still carry: min(max_file_bytes, what max_decoded_bytes leaves).
  std::uint64_t leaf_budget() const;
  std::uint64_t decoded_bytes() const { return decoded_bytes_; }

  // Writes the part record, trimming data to the byte budget and the arena's free space.
  // Returns false once the arena is full (everything after that is lost).
  bool write_part(const Blob& blob, std::string_view detected_type);

  bool arena_dead() const { return arena_.full(); }
  ipc::ArenaWriter& arena() { return arena_; }

 private:
  const DecodeOptions& options_;
  ipc::ArenaWriter& arena_;
  std::set<std::pair<std::string, std::string>> findings_;
  std::set<std::string> limits_;
  std::set<std::string> crypto_;
  std::uint64_t parts_ = 0;
  std::uint64_t decoded_bytes_ = 0;
};

// Room kept free in the arena for the findings and records written after the parts.
inline constexpr std::size_t kArenaReserve = 256 * 1024;

}  // namespace qscan::workers::decode
