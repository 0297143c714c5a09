#include "policy/policy_eval.h"

#include <algorithm>
#include <array>

namespace qscan::policy {
namespace {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

bool iends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

std::string_view strip_windows_trailing(std::string_view s) {
  while (!s.empty() && (s.back() == '.' || s.back() == ' ')) s.remove_suffix(1);
  return s;
}

std::string_view base_name(std::string_view s) {
  std::size_t p = s.find_last_of("/\\");
  return p == std::string_view::npos ? s : s.substr(p + 1);
}

// A regex engine error (complexity, stack) counts as a match: fail closed.
bool regex_hit(const std::regex& re, std::string_view value) {
  if (value.size() > kMaxHeaderValueBytes) value = value.substr(0, kMaxHeaderValueBytes);
  try {
    return std::regex_search(value.begin(), value.end(), re);
  } catch (const std::regex_error&) {
    return true;
  }
}

struct VirtualValues {
  std::array<std::pair<std::string_view, std::vector<std::string>>, 9> values;

  explicit VirtualValues(const PolicyFacts& f) {
    auto flag = [](bool b) {
      return b ? std::vector<std::string>{"1"} : std::vector<std::string>{};
    };
    std::string crypto;
    for (const std::string& c : f.crypto) crypto += (crypto.empty() ? "" : " ") + c;
    values = {{
        {"MAILFROM", {f.mail_from}},
        {"RCPTTO", f.rcpt_to},
        {"REMOTEIPADDR", {f.remote_ip}},
        {"ZIPPASSWORDPROTECTED", flag(f.zip_password_protected)},
        {"CRYPTODETAILS", f.crypto.empty() ? std::vector<std::string>{} : std::vector{crypto}},
        {"FILELENGTHTOOLONG", flag(f.file_length_too_long)},
        {"FILEDOUBLEBARRELED", flag(f.file_double_barreled)},
        {"FILECLSID", flag(f.file_clsid)},
        {"ISSENSITIVEANDNOCRYPTO", flag(f.sensitive_and_no_crypto)},
    }};
  }

  const std::vector<std::string>* find(std::string_view name) const {
    for (const auto& [n, v] : values)
      if (iequals(n, name)) return &v;
    return nullptr;
  }
};

std::string cap(std::string_view v) {
  return std::string(v.substr(0, std::min(v.size(), kMaxHeaderValueBytes)));
}

}  // namespace

bool policy_name_matches(std::string_view pattern, std::string_view name) {
  std::string_view p = strip_windows_trailing(pattern);
  if (p.empty()) return false;
  std::string_view full = strip_windows_trailing(name);
  std::string_view base = strip_windows_trailing(base_name(full));
  if (p.front() == '.') return iends_with(base, p);
  return iequals(base, p) || iequals(full, p);
}

std::optional<PolicyMatch> evaluate_policy(const PolicySet& set, const PolicyFacts& facts) {
  std::optional<VirtualValues> virtuals;  // computed on first use
  for (const PolicyRule& rule : set.rules) {
    if (!rule.header_rule) {
      for (const PolicyAttachment& a : facts.attachments) {
        if (rule.size >= 0 && a.size != static_cast<std::uint64_t>(rule.size)) continue;
        for (const std::string& name : a.names) {
          if (policy_name_matches(rule.pattern, name))
            return PolicyMatch{&rule, name, a.path.empty() ? name : a.path};
        }
      }
      continue;
    }
    if (!rule.regex) continue;  // never from the parser; a hand-built rule without a regex
    if (rule.virtual_header) {
      if (!virtuals) virtuals.emplace(facts);
      if (const std::vector<std::string>* values = virtuals->find(rule.header)) {
        for (const std::string& v : *values)
          if (regex_hit(*rule.regex, v)) return PolicyMatch{&rule, cap(v), rule.header};
      }
      continue;
    }
    for (const auto& [name, value] : facts.headers) {
      if (iequals(name, rule.header) && regex_hit(*rule.regex, value))
        return PolicyMatch{&rule, cap(value), name};
    }
  }
  return std::nullopt;
}

}  // namespace qscan::policy
