// qmail-queue(8) exit codes (reference/qmail-queue.md) as qscan uses them.
#pragma once

namespace qscan::supervisor::exit_code {

inline constexpr int kQueued = 0;
inline constexpr int kAddressTooLong = 11;
inline constexpr int kPermanentReject = 31;  // reject mode, over max_message_bytes
inline constexpr int kOutOfMemory = 51;
inline constexpr int kTimeout = 52;
inline constexpr int kWriteError = 53;       // spool not writable, disk full
inline constexpr int kReadError = 54;        // unable to read message or envelope
inline constexpr int kConfigError = 55;      // unable to read configuration
inline constexpr int kTemporaryReject = 71;  // greylist, scanner unreachable, defer
inline constexpr int kInternalBug = 81;
inline constexpr int kCustomReply = 82;  // text on fd 6 (notqmail) or fd 4
inline constexpr int kEnvelopeFormat = 91;

}  // namespace qscan::supervisor::exit_code
