#include "workers/decode/context.h"

#include <algorithm>

#include "ipc/records.h"
#include "workers/decode/text_util.h"

namespace qscan::workers::decode {

std::string child_path(std::string_view parent, std::string_view name) {
  std::string clean = bounded_utf8(name, 255);
  std::replace(clean.begin(), clean.end(), '/', '_');
  if (clean.empty()) clean = "_";
  if (parent.empty()) return clean;
  std::string p(parent);
  p += '/';
  p += clean;
  return bounded_utf8(p, ipc::kMaxStringField);
}

bool Context::enabled(std::string_view check) const {
  return !options_.disabled_checks.contains(std::string(check));
}

void Context::finding(std::string_view check, std::string_view detail, std::string_view path) {
  if (!enabled(check)) return;
  if (!findings_.emplace(std::string(check), std::string(path)).second) return;
  ipc::write_finding(arena_, {std::string(check), bounded_utf8(detail, 1024),
                              bounded_utf8(path, ipc::kMaxStringField)});
}

void Context::limit(std::string_view key, std::string_view detail, std::string_view path) {
  if (!limits_.emplace(key).second) return;
  ipc::write_finding(arena_, {"limit:" + std::string(key), bounded_utf8(detail, 1024),
                              bounded_utf8(path, ipc::kMaxStringField)});
}

bool Context::limit_hit(std::string_view key) const { return limits_.contains(std::string(key)); }

void Context::crypto(std::string_view fact) {
  if (crypto_.emplace(fact).second) ipc::write_crypto(arena_, fact);
}

bool Context::depth_ok(std::uint64_t depth, std::string_view path) {
  if (depth <= options_.max_depth) return true;
  limit("max_depth", "nesting deeper than " + std::to_string(options_.max_depth), path);
  return false;
}

bool Context::take_part(std::string_view path) {
  if (parts_ >= options_.max_parts) {
    limit("max_parts", "more than " + std::to_string(options_.max_parts) + " parts", path);
    return false;
  }
  ++parts_;
  return true;
}

std::uint64_t Context::leaf_budget() const {
  std::uint64_t left = decoded_bytes_ >= options_.max_decoded_bytes
                           ? 0
                           : options_.max_decoded_bytes - decoded_bytes_;
  return std::min(left, options_.max_file_bytes);
}

bool Context::write_part(const Blob& blob, std::string_view detected_type) {
  if (arena_.full()) return false;
  ipc::PartRecord p;
  p.path = bounded_utf8(blob.path, ipc::kMaxStringField);
  if (p.path.empty()) p.path = "1";
  p.content_type = bounded_utf8(blob.content_type, 255);
  for (const std::string& n : blob.filenames) {
    if (p.filenames.size() >= 16) break;
    p.filenames.push_back(bounded_utf8(n, ipc::kMaxStringField));
  }
  p.encoding = bounded_utf8(blob.encoding, 64);
  p.decoder = blob.decoder;
  p.detected_type = std::string(detected_type);
  p.size = std::max<std::uint64_t>(blob.size, blob.data.size());
  p.flags = blob.flags;
  p.depth = blob.depth;

  std::size_t n = blob.data.size();
  // The total budget; a leaf already trimmed to leaf_budget() normally fits.
  std::uint64_t left =
      options_.max_decoded_bytes > decoded_bytes_ ? options_.max_decoded_bytes - decoded_bytes_ : 0;
  if (n > left) {
    n = left;
    limit("max_decoded_bytes", "decoded bytes over " + std::to_string(options_.max_decoded_bytes),
          blob.path);
  }
  // Never let the arena overflow: a full arena is a worker failure, a limit is a verdict.
  std::size_t overhead = 1024 + p.path.size() + p.content_type.size() + 64 * 16;
  for (const auto& f : p.filenames) overhead += f.size() + 24;
  std::size_t free = arena_.free_bytes();
  std::size_t room = free > overhead + kArenaReserve ? free - overhead - kArenaReserve : 0;
  if (n > room) {
    n = room;
    limit("max_decoded_bytes", "arena full", blob.path);
  }
  if (n < blob.data.size()) p.flags |= ipc::kPartTruncated;
  p.data = std::span<const std::byte>(blob.data.data(), n);
  decoded_bytes_ += n;
  return ipc::write_part(arena_, p);
}

}  // namespace qscan::workers::decode
