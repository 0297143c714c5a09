// Evaluation of a policy set (policy_rules.h) over the facts the decoders and the envelope
// give: pure code, no I/O. Matching semantics are documented at the top of policy_rules.h.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "policy/policy_rules.h"

namespace qscan::policy {

struct PolicyAttachment {
  std::vector<std::string> names;  // every name the part goes by (filename=, name=, member path)
  std::uint64_t size = 0;          // decoded bytes
  std::string path;                // part path for logs, e.g. "2/archive.zip/dir/x.exe"
};

struct PolicyFacts {
  std::string mail_from;
  std::vector<std::string> rcpt_to;
  std::string remote_ip;
  std::vector<std::pair<std::string, std::string>> headers;  // top-level, RFC 2047-decoded
  std::vector<PolicyAttachment> attachments;  // every leaf, any depth, incl. archive members
  bool zip_password_protected = false;
  std::vector<std::string> crypto;  // "PGP(signed)", "ZIP(encrypted)", ...
  bool file_length_too_long = false, file_double_barreled = false, file_clsid = false,
       sensitive_and_no_crypto = false;
};

struct PolicyMatch {
  const PolicyRule* rule = nullptr;
  std::string matched;  // the name or header value that matched (values cut to 1000 bytes)
  std::string where;    // part path (attachment rules) or header name (header rules)
};

// The first matching rule in file order, or nothing.
std::optional<PolicyMatch> evaluate_policy(const PolicySet& set, const PolicyFacts& facts);

// Exposed for tests: does attachment name `name` match attachment-rule pattern `pattern`?
bool policy_name_matches(std::string_view pattern, std::string_view name);

}  // namespace qscan::policy
