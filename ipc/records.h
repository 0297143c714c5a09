// Typed records carried through the arena, with their encode (worker side) and their
// checked decode (supervisor side: bounded strings, known tags, sane numbers).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ipc/arena_reader.h"
#include "ipc/arena_writer.h"

namespace qscan::ipc {

inline constexpr std::size_t kMaxStringField = 4096;  // names, types, paths
inline constexpr std::size_t kMaxValueField = 65536;  // header values, details

enum PartFlags : std::uint64_t {
  kPartEncrypted = 1,   // archive member we cannot read without a password
  kPartTruncated = 2,   // decoding stopped at a limit; data is a prefix
  kPartContainer = 4,   // a container we did not (or could not) open: data is its bytes
  kPartUnsupported = 8  // container format recognised but not decoded
};

struct PartRecord {
  std::string path;                    // nesting path, e.g. "2/1/winmail.dat/report.zip/x.exe"
  std::string content_type;            // declared MIME type, lower case
  std::vector<std::string> filenames;  // every declared name, in order seen
  std::string encoding;                // transfer encoding
  std::string decoder;                 // "mime", "uu", "tnef", "archive"
  std::string detected_type;           // sniffed from content: "pe", "elf", "zip", ...
  std::uint64_t size = 0;              // decoded size (full size even when data is truncated)
  std::uint64_t flags = 0;
  std::uint64_t depth = 0;
  std::span<const std::byte> data;  // points into the arena (or worker memory when encoding)
};

struct FindingRecord {
  std::string check;   // e.g. "long_boundary", "limit:max_depth"
  std::string detail;  // human-readable detail for logs
  std::string path;    // part path the finding is about ("" = whole message)
};

struct HeaderRecord {
  std::string name;
  std::string value;
};

struct ScanHitRecord {
  std::string scanner;
  std::string name;  // signature name
  std::string path;  // "" for the raw message
};

struct ScannerInfoRecord {
  std::string scanner;
  std::string version;
};

struct ScanErrorRecord {
  std::string scanner;
  std::string detail;
  std::string path;
};

// Worker side. Each returns false when the arena is full.
bool write_part(ArenaWriter& w, const PartRecord& p);
bool write_finding(ArenaWriter& w, const FindingRecord& f);
bool write_header(ArenaWriter& w, const HeaderRecord& h);
bool write_crypto(ArenaWriter& w, std::string_view fact);
bool write_rewritten_message(ArenaWriter& w, std::span<const std::byte> bytes);
bool write_scan_hit(ArenaWriter& w, const ScanHitRecord& h);
bool write_scanner_info(ArenaWriter& w, const ScannerInfoRecord& i);
bool write_scan_error(ArenaWriter& w, const ScanErrorRecord& e);
bool write_scan_done(ArenaWriter& w, std::string_view scanner, std::uint64_t items);

// Everything the supervisor learns from one decode or scan arena, validated.
struct DecodedArena {
  std::vector<PartRecord> parts;
  std::vector<FindingRecord> findings;
  std::vector<HeaderRecord> headers;
  std::vector<std::string> crypto;
  std::optional<std::span<const std::byte>> rewritten_message;
  std::vector<ScanHitRecord> hits;
  std::vector<ScannerInfoRecord> scanners;
  std::vector<ScanErrorRecord> scan_errors;
  std::uint64_t items_scanned = 0;
  bool scan_done = false;
};

struct DecodeLimits {
  std::uint64_t max_parts = 10000;
  std::uint64_t max_findings = 10000;
  std::uint64_t max_headers = 10000;
  std::uint64_t max_depth = 1000;
};

// Returns an error string (empty on success). Unknown record kinds or tags, strings over
// their bound, bad UTF-8-free-for-all bytes (NUL inside names), sizes smaller than the data
// carried, and counts over `limits` all reject the whole arena.
std::string decode_records(const ArenaReadResult& arena, const DecodeLimits& limits,
                           DecodedArena& out);

}  // namespace qscan::ipc
