// Reading fd 0 (message) into a sealed memfd and fd 1 (envelope) into memory, in the
// order qmail-smtpd writes them: the message to EOF first, then the envelope.
#pragma once

#include <cstdint>
#include <string>

#include "ipc/shared_memory.h"

namespace qscan::supervisor {

struct InputMessage {
  ipc::UniqueFd memfd;  // sealed read-only
  ipc::Mapping map;     // read-only view of `memfd`
  std::uint64_t size = 0;
  bool over_limit = false;  // more than max bytes arrived; the rest was drained, not kept
};

// Returns 0 or the exit code that fits (54 read error, 51 out of memory / memfd failure).
int read_message(int fd, std::uint64_t max_bytes, InputMessage& out, std::string* error);

// Wraps bytes already in memory (qscan check, tests) the same way.
int message_from_bytes(std::string_view bytes, InputMessage& out, std::string* error);

inline constexpr std::size_t kMaxEnvelopeBytes = 16u << 20;

// Reads `fd` to EOF. Returns 0, or 54 on a read error or an envelope over kMaxEnvelopeBytes.
int read_envelope(int fd, std::string& out, std::string* error);

}  // namespace qscan::supervisor
