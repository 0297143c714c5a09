// Qmail-Scanner's policy file, both generations, as pure code: parser, compiled form, table.
//
// Accepted file format (docs: ../shared/reference/qmail-scanner.md, "Policy file"):
//
//   * One rule per line, columns separated by TABs. A run of several TABs counts as one
//     separator (Qmail-Scanner split on /\t+/, and people align columns with TABs).
//     Spaces never separate columns: a line that has fewer than three TAB-separated columns
//     and contains a space is reported as "columns must be separated by TABs, not spaces".
//   * Lines whose first non-blank character is '#' and blank lines are skipped. A trailing
//     CR (CRLF files) is removed. Columns 2-4 are trimmed of surrounding spaces; column 1
//     is kept as written (a header regex may need its spaces).
//   * 3 or 4 columns: PATTERN, TYPE, DESCRIPTION [, ACTION].
//       TYPE is one of
//         - digits            1.x size in bytes; 0 = any size
//         - SIZE=n            2.x size in bytes; SIZE=-1 = any size (SIZE=0 is an empty file)
//         - Name:             header rule on header "Name" (RFC 5322 field-name characters).
//       ACTION is "quarantine" (default) or "greylist" (qscan's extension: exit 71), case-
//       insensitive.
//   * Header names are compared case-insensitively. The 2.x virtual headers MAILFROM, RCPTTO,
//     REMOTEIPADDR, ZIPPASSWORDPROTECTED, CRYPTODETAILS, FILELENGTHTOOLONG, FILEDOUBLEBARRELED,
//     FILECLSID and ISSENSITIVEANDNOCRYPTO are recognised case-insensitively; their values
//     are computed from the scan facts and never read from the message, so a sender cannot
//     forge them with a header of the same name. Any other name (even an ALLCAPS one such as
//     "MAILTO:") is an ordinary message header.
//
// Matching (policy_eval.h):
//   * Attachment rules (TYPE is a size) apply to every leaf part at any depth, including
//     archive members. The part's names are reduced to their base name (after the last '/'
//     or '\'), and trailing dots and spaces are ignored on both sides, as Windows does
//     ("x.exe. " opens as "x.exe"). A PATTERN starting with '.' is an extension: it matches
//     a name ending with it, case-insensitively (".exe" matches "PAYLOAD.EXE"). Any other
//     PATTERN is an exact case-insensitive file name. With a size, the decoded byte size
//     must also be exactly equal.
//   * Header rules: PATTERN is a case-insensitive ECMAScript regular expression (std::regex),
//     searched anywhere in the RFC 2047-decoded value; a plain string is a regex matching
//     itself. It is compiled at load: a bad regex is a line error. Values are cut to 1000
//     bytes before matching (std::regex's backtracking recurses per character); on this
//     library, patterns without back-references run on the polynomial (Thompson NFA)
//     executor. A regex engine error while matching counts as a match (fail closed). When
//     several headers share the name, any of them matching is enough.
//   * Virtual header values: MAILFROM = envelope sender; RCPTTO = each recipient on its own
//     (any match); REMOTEIPADDR = client IP; booleans (ZIPPASSWORDPROTECTED,
//     FILELENGTHTOOLONG, FILEDOUBLEBARRELED, FILECLSID, ISSENSITIVEANDNOCRYPTO) = "1" when
//     true and absent when false (so "1" or "." matches only when true); CRYPTODETAILS = the
//     crypto strings joined by one space (absent when there are none).
//   * The first rule in file order that matches wins.
//
// Loading is all or nothing: on any bad line the parser returns false and reports every bad
// line with its number and why; it never hands back a partial set. Guards: at most 16 MiB of
// file, 8 KiB per line, 100000 rules, and no NUL bytes.
//
// Compiled form (the role of Qmail-Scanner's -g): a line-based text file,
//   qscan-policy 1
//   source <escaped source>
//   rules <count>
//   rule <line> <A|H|V> <size> <quarantine|greylist> <pattern> <header> <description>
//   ...
//   end
// fields separated by single TABs; text fields escape '\\', TAB, LF, CR and other control
// bytes as \\ \t \n \r \xHH. Loading it re-validates every rule (and recompiles regexes)
// exactly as the text parser does.
#pragma once

#include <cstdint>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace qscan::policy {

enum class RuleAction { kQuarantine, kGreylist };

struct PolicyRule {
  std::uint64_t line = 0;
  std::string pattern;          // column 1 as written
  bool header_rule = false;     // column 2 ends with ':'
  std::string header;           // header rules: name without the colon ("Subject", "MAILFROM")
  bool virtual_header = false;  // one of the 2.x virtual headers (see above)
  std::int64_t size = -1;       // attachment rules: exact decoded byte size; -1 = any
  std::string description;      // column 3
  RuleAction action = RuleAction::kQuarantine;  // optional column 4
  // Header rules: the compiled pattern (shared so PolicySet copies stay cheap). Not part of
  // equality.
  std::shared_ptr<const std::regex> regex;
};

// Compares everything except the compiled regex (which follows from pattern).
bool operator==(const PolicyRule& a, const PolicyRule& b);

struct PolicyError {
  std::uint64_t line = 0;  // 0 = the file as a whole
  std::string message;
  std::string to_string() const;  // "line 12: why" or "why"
};

struct PolicySet {
  std::string source;
  std::vector<PolicyRule> rules;
};
bool operator==(const PolicySet& a, const PolicySet& b);

inline constexpr std::size_t kMaxPolicyRules = 100000;
inline constexpr std::size_t kMaxPolicyLineBytes = 8 * 1024;
inline constexpr std::size_t kMaxPolicyFileBytes = 16 * 1024 * 1024;
inline constexpr std::size_t kMaxHeaderValueBytes = 1000;
inline constexpr const char* kCompiledMagic = "qscan-policy 1";
inline constexpr const char* kDefaultPolicyPath = "/etc/qscan/quarantine-attachments.txt";

// Whole file or nothing: on any bad line returns false with every bad line in `errors`
// (`out` is left untouched).
bool parse_policy_text(std::string_view text, const std::string& source, PolicySet& out,
                       std::vector<PolicyError>& errors);
bool load_policy_file(const std::string& path, PolicySet& out, std::vector<PolicyError>& errors);

std::string compile_policy(const PolicySet& set);
bool load_compiled_policy(std::string_view text, PolicySet& out, std::string* error);

// Human table, one rule per line (Qmail-Scanner -r).
std::string show_policy(const PolicySet& set);

// What the supervisor uses: `path` ending in ".compiled" loads the compiled form, anything
// else parses the text form. Empty path: kDefaultPolicyPath if it exists, else an empty set.
bool load_policy(const std::string& path, PolicySet& out, std::string* error);

// True for the 2.x virtual header names (case-insensitive).
bool is_virtual_header(std::string_view name);
const char* action_name(RuleAction action);

}  // namespace qscan::policy
