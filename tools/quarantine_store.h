// Reading the quarantine Maildirs (<spool>/quarantine/{viruses,policy,spam}/{new,cur}) the
// way supervisor/quarantine_writer.cc writes them: a block of X-Qmail-Scanner-* headers
// (date, reason, description, scanners, envelope sender, one line per recipient) followed
// by the original message, byte for byte.
//
// A quarantine ID is "<class>/<maildir file name>". The name may be given with or without
// its Maildir info suffix (":2,PS"); IDs are validated before any path is built from them.
#pragma once

#include <array>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/envelope.h"

namespace qscan::tools {

inline constexpr std::array<std::string_view, 3> kQuarantineClasses = {"viruses", "policy", "spam"};
// Maildir info of a released message: P (passed on) and S (seen).
inline constexpr std::string_view kReleasedInfo = ":2,PS";

struct QuarantineId {
  std::string cls;           // one of kQuarantineClasses
  std::string name;          // the file name as given (no '/', no "..")
  std::string base() const;  // name without the ":2,..." info suffix
};

// "viruses/1700000000.1P2Q0.host" -> {viruses, 1700000000.1P2Q0.host}. False (and a reason)
// for an unknown class, an empty name, '/', "..", a leading '.', or control bytes.
bool parse_quarantine_id(std::string_view id, QuarantineId* out, std::string* error);

// The header block at the start of a quarantine file.
struct QuarantineHeaders {
  std::string date, reason, description, scanners;
  supervisor::Envelope envelope;
  bool have_sender = false;
  std::size_t block_bytes = 0;  // bytes of the block; the original message follows
};

// Parses the leading X-Qmail-Scanner-* lines of `text` (which may be just a prefix of the
// file). Returns nullopt if the block is missing or malformed (no sender line, a bad
// address escape). `complete` tells whether `text` reached past the end of the block.
std::optional<QuarantineHeaders> parse_quarantine_headers(std::string_view text, bool* complete,
                                                          std::string* error);

struct QuarantineEntry {
  std::string id;      // "<class>/<name>"
  std::string cls;     // viruses | policy | spam
  std::string name;    // file name on disk, info suffix included
  std::string subdir;  // "new" or "cur"
  std::string path;    // full path
  bool released = false;
  std::time_t mtime = 0;
  std::uint64_t file_size = 0;
  QuarantineHeaders headers;
  std::uint64_t message_size() const { return file_size - headers.block_bytes; }
};

// Every quarantined message of `cls` (or of all classes when empty), oldest first. Files
// whose header block cannot be parsed are listed with an empty reason and sender and a
// note in `warnings`. Files that vanish while listing are skipped.
std::vector<QuarantineEntry> list_quarantine(const std::string& spool_dir, const std::string& cls,
                                             std::vector<std::string>* warnings);

// Finds the file for `id` in new/ or cur/ (matching the name with or without info suffix)
// and parses its header block. False with `error` when not found or unreadable.
bool find_quarantine_entry(const std::string& spool_dir, const QuarantineId& id,
                           QuarantineEntry* out, std::string* error);

// The whole file, split into the header block and the original message.
bool read_quarantine_message(const QuarantineEntry& e, std::string* original, std::string* error);

// "2d", "12h", "30m", "45s", "1w" -> seconds; nullopt when malformed.
std::optional<std::int64_t> parse_age(std::string_view s);

}  // namespace qscan::tools
