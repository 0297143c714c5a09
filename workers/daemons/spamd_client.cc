#include "workers/daemons/spamd_client.h"

#include <sys/uio.h>

#include <algorithm>

#include "workers/daemons/socket_io.h"
#include "workers/daemons/spamd_reply.h"

namespace qscan::daemons {
namespace {

SpamdCheckResult failed(std::string why) {
  SpamdCheckResult r;
  r.error = std::move(why);
  return r;
}

}  // namespace

std::string SpamdCheckResult::version_string() const {
  return sa_version.empty() ? protocol : sa_version + " (" + protocol + ")";
}

std::string spamd_request_head(std::size_t length, std::string_view user) {
  if (user.size() > 256 ||
      std::any_of(user.begin(), user.end(), [](char c) { return c <= 0x20 || c == 0x7f; }))
    return {};
  std::string head = "HEADERS SPAMC/1.5\r\nContent-length: " + std::to_string(length) + "\r\n";
  if (!user.empty()) head += "User: " + std::string(user) + "\r\n";
  head += "\r\n";
  return head;
}

std::size_t spamd_reply_limit(std::size_t message_size) {
  constexpr std::size_t kSlack = 256 * 1024, kCap = 64 * 1024 * 1024;
  return std::min(kCap, message_size + kSlack);
}

SpamdCheckResult interpret_spamd_reply(std::string_view bytes) {
  SpamdResponse resp = parse_spamd_response(bytes);
  if (!resp.ok) return failed(resp.error);
  SpamdCheckResult r;
  r.protocol = resp.protocol;
  r.is_spam = resp.is_spam;
  r.score = resp.score;
  r.threshold = resp.threshold;
  std::string why;
  if (!extract_spam_headers(resp.body, r.headers, &why)) return failed("spamd headers: " + why);
  r.sa_version = spamassassin_version(r.headers);
  r.ok = true;
  return r;
}

SpamdCheckResult spamd_check(int sock_fd, std::span<const std::byte> message,
                             const std::string& user, int timeout_ms) {
  Deadline deadline(timeout_ms);
  std::string head = spamd_request_head(message.size(), user);
  if (head.empty()) return failed("invalid spamd user name");
  iovec iov[2] = {{head.data(), head.size()},
                  {const_cast<std::byte*>(message.data()), message.size()}};
  std::string send_error;
  IoStatus sent = send_all(sock_fd, iov, -1, deadline, &send_error);
  if (sent == IoStatus::kTimeout)
    return failed("spamd timed out after " + std::to_string(timeout_ms) + " ms while we sent");
  if (sent == IoStatus::kError) return failed("sending to spamd: " + send_error);
  std::string reply, read_error;
  IoStatus got =
      read_until_eof(sock_fd, spamd_reply_limit(message.size()), deadline, reply, &read_error);
  if (got == IoStatus::kTimeout)
    return failed("spamd timed out after " + std::to_string(timeout_ms) + " ms (no reply)");
  if (got == IoStatus::kTooLong) return failed("spamd " + read_error);
  if (got != IoStatus::kOk && reply.empty()) return failed("reading spamd's reply: " + read_error);
  SpamdCheckResult r = interpret_spamd_reply(reply);
  if (!r.ok && sent == IoStatus::kClosed) r.error += " (connection closed while we sent)";
  return r;
}

}  // namespace qscan::daemons
