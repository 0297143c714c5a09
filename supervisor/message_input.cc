#include "supervisor/message_input.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "supervisor/exit_codes.h"

namespace qscan::supervisor {
namespace {

constexpr std::size_t kChunk = 1 << 16;

bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

int seal_and_map(InputMessage& out, std::string* error) {
  if (!ipc::seal_readonly(out.memfd.get(), error)) return exit_code::kOutOfMemory;
  out.map = ipc::map_readonly(out.memfd.get(), out.size, error);
  if (out.size > 0 && out.map.size() != out.size) return exit_code::kOutOfMemory;
  return 0;
}

}  // namespace

int read_message(int fd, std::uint64_t max_bytes, InputMessage& out, std::string* error) {
  out.memfd = ipc::create_memfd("qscan-message", error);
  if (!out.memfd) return exit_code::kOutOfMemory;
  std::vector<char> buf(kChunk);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (error) *error = std::string("reading message: ") + std::strerror(errno);
      return exit_code::kReadError;
    }
    if (n == 0) break;
    const auto got = static_cast<std::uint64_t>(n);
    if (out.over_limit || out.size + got > max_bytes) {
      out.over_limit = true;  // keep draining so the sender is not blocked mid-DATA
      continue;
    }
    if (!write_all(out.memfd.get(), buf.data(), got)) {
      if (error) *error = std::string("buffering message: ") + std::strerror(errno);
      return errno == ENOSPC || errno == ENOMEM ? exit_code::kOutOfMemory : exit_code::kWriteError;
    }
    out.size += got;
  }
  return seal_and_map(out, error);
}

int message_from_bytes(std::string_view bytes, InputMessage& out, std::string* error) {
  out.memfd = ipc::create_memfd("qscan-message", error);
  if (!out.memfd) return exit_code::kOutOfMemory;
  if (!write_all(out.memfd.get(), bytes.data(), bytes.size())) return exit_code::kOutOfMemory;
  out.size = bytes.size();
  return seal_and_map(out, error);
}

int read_envelope(int fd, std::string& out, std::string* error) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (error) *error = std::string("reading envelope: ") + std::strerror(errno);
      return exit_code::kReadError;
    }
    if (n == 0) return 0;
    if (out.size() + static_cast<std::size_t>(n) > kMaxEnvelopeBytes) {
      if (error) *error = "envelope larger than " + std::to_string(kMaxEnvelopeBytes) + " bytes";
      return exit_code::kReadError;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace qscan::supervisor
