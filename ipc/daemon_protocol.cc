#include "ipc/daemon_protocol.h"

#include <algorithm>
#include <cstring>

namespace qscan::ipc {
namespace {

constexpr std::string_view kRequestMagic = "QSQ1";
constexpr std::string_view kReplyMagic = "QSR1";

}  // namespace

const std::vector<std::string>& forwarded_environment() {
  static const std::vector<std::string> names = {
      "RELAYCLIENT", "TCPREMOTEIP",  "TCPREMOTEHOST", "TCPREMOTEINFO",   "TCPREMOTEPORT",
      "TCPLOCALIP",  "TCPLOCALHOST", "TCPLOCALPORT",  "QS_SPAMASSASSIN", "DATABYTES"};
  return names;
}

std::string encode_request(const std::vector<std::pair<std::string, std::string>>& env) {
  std::string out(kRequestMagic);
  for (const auto& [k, v] : env) {
    out += k + "=" + v;
    out.push_back('\0');
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> decode_request(
    std::string_view data) {
  if (data.size() > kMaxRequestBytes || data.substr(0, kRequestMagic.size()) != kRequestMagic)
    return std::nullopt;
  data.remove_prefix(kRequestMagic.size());
  std::vector<std::pair<std::string, std::string>> env;
  const auto& allowed = forwarded_environment();
  while (!data.empty()) {
    std::size_t nul = data.find('\0');
    if (nul == std::string_view::npos) return std::nullopt;
    std::string_view item = data.substr(0, nul);
    data.remove_prefix(nul + 1);
    std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string name(item.substr(0, eq));
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) return std::nullopt;
    env.emplace_back(std::move(name), std::string(item.substr(eq + 1)));
  }
  return env;
}

std::string encode_reply(const DaemonReply& r) {
  char code[4];
  std::snprintf(code, sizeof code, "%03d", std::clamp(r.exit_code, 0, 255));
  return std::string(kReplyMagic) + code + r.custom_text.substr(0, 255);
}

std::optional<DaemonReply> decode_reply(std::string_view data) {
  if (data.size() < kReplyMagic.size() + 3 || data.size() > kReplyMagic.size() + 3 + 255 ||
      data.substr(0, kReplyMagic.size()) != kReplyMagic)
    return std::nullopt;
  DaemonReply r;
  for (std::size_t i = 0; i < 3; ++i) {
    char c = data[kReplyMagic.size() + i];
    if (c < '0' || c > '9') return std::nullopt;
    r.exit_code = r.exit_code * 10 + (c - '0');
  }
  if (r.exit_code > 255) return std::nullopt;
  r.custom_text = std::string(data.substr(kReplyMagic.size() + 3));
  return r;
}

}  // namespace qscan::ipc
