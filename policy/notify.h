// Notifications: who is told about a quarantined or refused message, and the alert
// messages themselves, built from the language templates in config/templates/<lang>/.
//
// Pure code: no processes, no clock unless AlertFields::date is empty, no globals besides
// the built-in forging-virus list. The supervisor queues the result through qmail-queue with
// an empty envelope sender.
//
// Selection rules (select_notify_targets), the `notify` config values of Qmail-Scanner:
//   - "none"    : nobody. "none" wins over every other mode given with it (an operator who
//                 wrote "none" anywhere meant it); an empty mode list also means nobody.
//   - "psender" : the envelope sender, for policy/format blocks only, never for viruses
//                 (almost every virus forges its sender). Part of the default
//                 ["psender", "admin"].
//   - "sender"  : the envelope sender for policy blocks and for viruses too, except viruses
//                 whose name matches a forging pattern (see default_forging_patterns()).
//                 "sender" with "psender" behaves as "sender".
//   - "recips"  : every envelope recipient, except postmaster-like ones.
//   - "admin"   : admin_address; an address without '@' is qualified with "@" + local_domain.
//   - The sender is never told when is_postmaster_like(sender) (bounces, double bounces,
//     postmaster, MAILER-DAEMON) or when the message is list mail (is_list_mail()).
//   - Addresses are deduplicated case-insensitively. The admin alert wins: a sender or
//     recipient who is also the admin gets the (more detailed) admin alert only. Otherwise
//     the first occurrence is kept. Order of targets: sender, recipients, admin.
//   - Unknown mode strings are ignored here (the config loader validates them).
//   - Every decision not to tell someone is recorded in NotifySelection::skipped as a short
//     human-readable reason for the log.
//
// Forging patterns: each pattern is matched case-insensitively against the virus name. A
// pattern containing '*' or '?' is a glob over the whole name ('*' any run, '?' one byte);
// any other pattern matches as a substring ("Mydoom" matches "Worm.Mydoom.A" and
// "W32/MyDoom@MM"). No regular expressions, so a config value can never be a ReDoS.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace qscan::policy {

struct NotifyInput {
  std::string sender;  // envelope sender ("" for bounces)
  std::vector<std::string> recipients;
  std::vector<std::string> modes;  // config `notify`: any of sender psender recips admin none
  std::string admin_address;       // "postmaster" (no '@') → "postmaster@" + local_domain
  std::string local_domain;        // host name used for unqualified addresses
  bool is_virus = false;           // a virus verdict (vs a policy/format block)
  std::string virus_name;
  bool list_mail = false;                     // computed by the caller via is_list_mail()
  std::vector<std::string> forging_patterns;  // config forging_viruses; empty → defaults
};

struct NotifyTarget {
  enum Kind { kSender, kRecipient, kAdmin } kind;
  std::string address;
};

struct NotifySelection {
  std::vector<NotifyTarget> targets;
  std::vector<std::string> skipped;  // e.g. "sender not told: virus forges senders"
};

// The built-in list of virus families known to forge the envelope sender, seeded from
// Qmail-Scanner's "silent viruses" list (mass mailers of 2001-2005) plus "@mm", the
// Symantec/McAfee suffix for mass-mailing worms. Substring patterns, see above.
const std::vector<std::string>& default_forging_patterns();

// True when `virus_name` matches one of `patterns` (empty patterns → the defaults).
bool virus_forges_sender(const std::string& virus_name, const std::vector<std::string>& patterns);

// List mail: "Precedence: bulk|list|junk" (case-insensitive, surrounding blanks and a
// trailing comment ignored), any "List-*" header (RFC 2369/2919), or ezmlm's "Mailing-List:".
bool is_list_mail(const std::vector<std::pair<std::string, std::string>>& headers);

// Addresses that must never receive an alert: "", "<>", qmail's double-bounce sender
// "#@[]", and any address whose local part is postmaster or mailer-daemon (with or without
// a domain, angle brackets allowed). Case-insensitive.
bool is_postmaster_like(const std::string& address);

NotifySelection select_notify_targets(const NotifyInput& in);

struct AlertFields {
  std::string reason;       // short, e.g. "virus: Worm.Mydoom.A" or "policy: .exe attachment"
  std::string description;  // longer explanation, may span several words
  std::string sender;
  std::string recipients;  // joined ", "
  std::string subject;
  std::string message_id;
  std::string quarantine_id;
  std::string hostname;
  std::string date;  // RFC 2822; "" → now (UTC)
  std::string scanners;
};

// Builds a complete RFC 5322 message (LF line endings) from
// <templates_dir>/<lang>/<kind>.txt, kind = sender|recipient|admin.
//
//  - Falls back to <templates_dir>/en/<kind>.txt when the language directory or the file is
//    missing, or when `lang` is not a plain name ([A-Za-z0-9_-]+).
//  - The template is header lines (folded lines allowed), a blank line, then the body. It
//    must have a Subject: header. A From: header in the template replaces the default
//    From: "Mail Content Scanner" <MAILER-DAEMON@hostname>; To, Date, Message-ID,
//    Auto-Submitted, MIME-Version, Content-Type and Content-Transfer-Encoding are always
//    the function's own (template lines with those names are dropped).
//  - ${REASON} ${DESCRIPTION} ${SENDER} ${RECIPIENTS} ${SUBJECT} ${MESSAGE_ID}
//    ${QUARANTINE_ID} ${HOSTNAME} ${DATE} ${SCANNERS} are replaced in one pass (a value
//    containing "${...}" is not expanded again); unknown ${...} are left as they are.
//  - Header-injection safe: CR, LF and other control characters (except TAB) in field
//    values become spaces, and values are capped at 998 bytes (on a UTF-8 boundary).
//  - Header lines with non-ASCII text are RFC 2047 encoded (UTF-8, B); body lines longer
//    than 998 bytes are wrapped. Body is UTF-8, 8bit.
//  - Message-ID is deterministic: derived from quarantine_id (or the fields), kind and `to`.
// Returns "" and sets *error (when non-null) if no template can be read or it is malformed,
// or `to` is empty.
std::string build_alert(const std::string& templates_dir, const std::string& lang,
                        NotifyTarget::Kind kind, const std::string& to, const AlertFields& fields,
                        std::string* error);

// "sender" | "recipient" | "admin": the template file stem for a kind.
const char* notify_kind_name(NotifyTarget::Kind kind);

}  // namespace qscan::policy
