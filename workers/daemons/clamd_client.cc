#include "workers/daemons/clamd_client.h"

#include <sys/uio.h>

#include <array>
#include <vector>

#include "workers/daemons/socket_io.h"

namespace qscan::daemons {
namespace {

constexpr std::string_view kSessionStart{"zIDSESSION\0zVERSION\0", 20};
constexpr std::string_view kInstream{"zINSTREAM\0", 10};
constexpr std::string_view kFildes{"zFILDES\0", 8};
constexpr std::string_view kEnd{"zEND\0", 5};

iovec iov_of(const void* p, std::size_t n) { return iovec{const_cast<void*>(p), n}; }

std::array<unsigned char, 4> be32(std::uint32_t n) {
  return {static_cast<unsigned char>(n >> 24), static_cast<unsigned char>(n >> 16),
          static_cast<unsigned char>(n >> 8), static_cast<unsigned char>(n)};
}

ClamdScanResult failed(std::string why) {
  ClamdScanResult r;
  r.error = std::move(why);
  return r;
}

// Sends the whole session request. Returns the send status; `error` says why on failure.
IoStatus send_request(int fd, ClamdMethod method, int memfd, std::span<const std::byte> message,
                      const Deadline& deadline, std::string* error) {
  if (method == ClamdMethod::kFildes) {
    std::string head(kSessionStart);
    head += kFildes;
    IoStatus s = send_bytes(fd, head, deadline, error);
    if (s != IoStatus::kOk) return s;
    static const char kDummy = '\0';
    iovec one = iov_of(&kDummy, 1);
    s = send_all(fd, std::span<const iovec>(&one, 1), memfd, deadline, error);
    if (s != IoStatus::kOk) return s;
    return send_bytes(fd, kEnd, deadline, error);
  }
  std::size_t chunks = (message.size() + kInstreamChunk - 1) / kInstreamChunk;
  std::vector<std::array<unsigned char, 4>> lengths;
  lengths.reserve(chunks + 1);
  std::vector<iovec> iov;
  iov.reserve(2 * chunks + 4);
  iov.push_back(iov_of(kSessionStart.data(), kSessionStart.size()));
  iov.push_back(iov_of(kInstream.data(), kInstream.size()));
  for (std::size_t off = 0; off < message.size(); off += kInstreamChunk) {
    std::size_t n = std::min(kInstreamChunk, message.size() - off);
    lengths.push_back(be32(static_cast<std::uint32_t>(n)));
    iov.push_back(iov_of(lengths.back().data(), 4));
    iov.push_back(iov_of(message.data() + off, n));
  }
  lengths.push_back(be32(0));
  iov.push_back(iov_of(lengths.back().data(), 4));
  iov.push_back(iov_of(kEnd.data(), kEnd.size()));
  return send_all(fd, iov, -1, deadline, error);
}

bool source_matches(const ClamdReply& r, ClamdMethod method) {
  if (r.kind == ClamdReplyKind::kError && r.source.empty()) return true;
  return method == ClamdMethod::kInstream ? r.source == "stream" : r.source.starts_with("fd[");
}

}  // namespace

ClamdScanResult interpret_clamd_session(std::string_view bytes, ClamdMethod method) {
  if (bytes.empty()) return failed("clamd closed the connection without a reply");
  if (bytes.size() > kMaxClamdSessionReply)
    return failed("clamd reply exceeds " + std::to_string(kMaxClamdSessionReply) + " bytes");
  bool have_version = false, have_scan = false;
  ClamdScanResult out;
  ClamdReply scan;
  std::string_view rest = bytes;
  while (!rest.empty()) {
    std::size_t nul = rest.find('\0');
    if (nul == std::string_view::npos)
      return failed("clamd reply not NUL-terminated: \"" + sanitize_for_log(rest) + "\"");
    unsigned id = 0;
    ClamdReply r = parse_clamd_session_reply(rest.substr(0, nul), &id);
    rest.remove_prefix(nul + 1);
    if (id == 0) return failed(r.error);  // session-level error, or garbage
    if (id == 1 && !have_version) {
      if (r.kind != ClamdReplyKind::kVersion)
        return failed(r.kind == ClamdReplyKind::kError
                          ? r.error
                          : "clamd answered VERSION with a scan reply");
      have_version = true;
      out.version = r.version_string();
    } else if (id == 2 && !have_scan) {
      if (r.kind != ClamdReplyKind::kClean && r.kind != ClamdReplyKind::kFound &&
          r.kind != ClamdReplyKind::kError)
        return failed("clamd answered the scan with a non-scan reply");
      if (!source_matches(r, method))
        return failed("clamd scan reply names an unexpected source \"" + r.source + "\"");
      have_scan = true;
      scan = std::move(r);
    } else {
      return failed("unexpected clamd session reply id " + std::to_string(id));
    }
  }
  if (have_scan && scan.kind == ClamdReplyKind::kError) return failed(scan.error);
  if (!have_scan) return failed("clamd closed the connection without a scan result");
  if (!have_version) return failed("clamd did not answer VERSION");
  out.ok = true;
  out.infected = scan.kind == ClamdReplyKind::kFound;
  out.signature = scan.signature;
  return out;
}

ClamdScanResult clamd_scan(int sock_fd, ClamdMethod method, int message_memfd,
                           std::span<const std::byte> message, int timeout_ms) {
  Deadline deadline(timeout_ms);
  if (method == ClamdMethod::kFildes && message_memfd < 0)
    return failed("clamd FILDES needs the message memfd");
  std::string send_error;
  IoStatus sent = send_request(sock_fd, method, message_memfd, message, deadline, &send_error);
  if (sent == IoStatus::kTimeout)
    return failed("clamd timed out after " + std::to_string(timeout_ms) + " ms while we sent");
  if (sent == IoStatus::kError) return failed("sending to clamd: " + send_error);
  // kClosed: clamd may have refused (size limit) and said why before closing; read it.
  std::string reply, read_error;
  IoStatus got = read_until_eof(sock_fd, kMaxClamdSessionReply, deadline, reply, &read_error);
  if (got == IoStatus::kTimeout)
    return failed("clamd timed out after " + std::to_string(timeout_ms) + " ms (no reply)");
  if (got == IoStatus::kTooLong)
    return failed("clamd reply exceeds " + std::to_string(kMaxClamdSessionReply) + " bytes");
  ClamdScanResult r = interpret_clamd_session(reply, method);
  if (!r.ok && sent == IoStatus::kClosed && reply.empty())
    return failed("clamd closed the connection while we sent (" + send_error + ")");
  if (!r.ok && got != IoStatus::kOk && reply.empty())
    return failed("reading clamd's reply: " + read_error);
  if (!r.ok && sent == IoStatus::kClosed) r.error += " (connection closed while we sent)";
  return r;
}

ClamdReply clamd_version(int sock_fd, int timeout_ms) {
  Deadline deadline(timeout_ms);
  std::string error;
  ClamdReply fail;
  if (send_bytes(sock_fd, std::string_view("zVERSION\0", 9), deadline, &error) != IoStatus::kOk) {
    fail.error = "sending to clamd: " + error;
    return fail;
  }
  std::string reply;
  IoStatus got = read_until_eof(sock_fd, kMaxClamdReply + 1, deadline, reply, &error);
  if (got != IoStatus::kOk) {
    fail.error = "reading clamd's reply: " + error;
    return fail;
  }
  if (reply.empty() || reply.back() != '\0' || reply.find('\0') != reply.size() - 1) {
    fail.error = "clamd VERSION reply malformed: \"" + sanitize_for_log(reply) + "\"";
    return fail;
  }
  reply.pop_back();
  ClamdReply r = parse_clamd_reply(reply);
  if (r.kind != ClamdReplyKind::kVersion && r.kind != ClamdReplyKind::kError) {
    fail.error = "clamd answered VERSION with \"" + sanitize_for_log(reply) + "\"";
    return fail;
  }
  return r;
}

}  // namespace qscan::daemons
