// The output arena: a shared-memory region a worker fills with length-prefixed records
// and the supervisor reads back only after validating every offset and length.
//
// Layout (native byte order; producer and consumer are the same binary on one host):
//   ArenaHeader                      at offset 0
//   Record*                          from kArenaRecordsOffset, each 8-byte aligned
// Record  = RecordHeader, then `field_count` fields filling exactly `length` bytes.
// Field   = FieldHeader, then `length` bytes, then zero padding to 8 bytes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qscan::ipc {

inline constexpr std::uint32_t kArenaMagic = 0x52415351;  // "QSAR"
inline constexpr std::uint32_t kArenaVersion = 1;

struct ArenaHeader {
  std::uint32_t magic;
  std::uint32_t version;
  std::uint64_t capacity;      // bytes of the whole region as the worker saw it
  std::uint64_t used;          // end offset of the last committed record
  std::uint32_t record_count;  // committed records
  std::uint32_t complete;      // 1 once the worker called finish()
};
static_assert(sizeof(ArenaHeader) == 32);

inline constexpr std::size_t kArenaRecordsOffset = sizeof(ArenaHeader);

struct RecordHeader {
  std::uint32_t kind;
  std::uint32_t field_count;
  std::uint64_t length;  // bytes of fields following this header
};
static_assert(sizeof(RecordHeader) == 16);

struct FieldHeader {
  std::uint32_t tag;
  std::uint32_t reserved;
  std::uint64_t length;  // payload bytes, padding not included
};
static_assert(sizeof(FieldHeader) == 16);

constexpr std::uint64_t align8(std::uint64_t n) { return (n + 7) & ~std::uint64_t{7}; }

enum class RecordKind : std::uint32_t {
  kPart = 1,              // one decoded leaf (or a container we could not open)
  kFinding = 2,           // a format check or limit hit
  kHeader = 3,            // a top-level message header, RFC 2047 decoded
  kCrypto = 4,            // a crypto fact for CR: logging, e.g. "PGP(signed)"
  kRewrittenMessage = 5,  // the whole message after a header rewrite
  kScanHit = 10,          // a scanner found something
  kScannerInfo = 11,      // scanner name + version
  kScanError = 12,        // a scanner could not scan an item
  kScanDone = 13,         // scanner summary: items scanned
};

enum class FieldTag : std::uint32_t {
  kPath = 1,
  kContentType = 2,
  kFilename = 3,  // may repeat: every declared name
  kEncoding = 4,
  kDecoder = 5,
  kDetectedType = 6,
  kSize = 7,
  kFlags = 8,
  kData = 9,
  kDepth = 10,
  kCheck = 20,
  kDetail = 21,
  kName = 30,
  kValue = 31,
  kScanner = 40,
  kVersion = 41,
  kCount = 42,
};

}  // namespace qscan::ipc
