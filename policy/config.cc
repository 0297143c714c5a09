// qscan.toml loader: toml++ parses, a table of keys checks types and ranges.
#include "policy/config.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <regex>
#include <set>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include <toml++/toml.h>

#include "policy/format_checks.h"

namespace qscan::policy {

namespace {

// Config files are small; the cap only stops reading /dev/zero or a log file by mistake.
constexpr std::size_t kMaxConfigBytes = 4u << 20;

using Member =
    std::variant<std::string Config::*, bool Config::*, std::uint64_t Config::*, double Config::*,
                 std::vector<std::string> Config::*, std::vector<std::int64_t> Config::*>;

struct Field {
  Field(std::string_view n, Member m, std::uint64_t lowest = 0,
        std::vector<std::string_view> allowed = {}, bool single = false)
      : name(n), member(m), min(lowest), choices(std::move(allowed)), single_string_ok(single) {}

  std::string_view name;
  Member member;
  std::uint64_t min;                      // unsigned integers: smallest accepted value
  std::vector<std::string_view> choices;  // strings and list elements: allowed values
  bool single_string_ok;                  // string lists: a lone string is a one-entry list
};

const std::vector<Field>& fields() {
  static const std::vector<Field> f = {
      // delivery and spool
      {"qmail_queue", &Config::qmail_queue},
      {"spool_dir", &Config::spool_dir},
      {"hostname", &Config::hostname},
      {"max_message_bytes", &Config::max_message_bytes},
      // workers
      {"worker_timeout_ms", &Config::worker_timeout_ms, 100},
      {"worker_memory_mb", &Config::worker_memory_mb, 64},
      {"worker_cpu_seconds", &Config::worker_cpu_seconds},
      {"worker_failure_action", &Config::worker_failure_action, 0, {"quarantine", "defer"}},
      {"worker_namespaces", &Config::worker_namespaces},
      // decode limits
      {"max_depth", &Config::max_depth},
      {"max_parts", &Config::max_parts},
      {"max_decoded_bytes", &Config::max_decoded_bytes},
      {"max_file_bytes", &Config::max_file_bytes},
      {"max_compression_ratio", &Config::max_compression_ratio},
      {"max_archive_entries", &Config::max_archive_entries},
      {"max_header_bytes", &Config::max_header_bytes},
      {"limit_action", &Config::limit_action, 0, {"quarantine", "defer", "pass"}},
      {"format_checks", &Config::format_checks},
      {"block_password_protected", &Config::block_password_protected},
      {"log_crypto", &Config::log_crypto},
      // scanners
      {"scanners", &Config::scanners, 0, {"clamav", "clamd", "spamassassin"}},
      {"clamav_db_dirs", &Config::clamav_db_dirs},
      {"clamd_socket", &Config::clamd_socket, 0, {}, true},
      {"spamd_socket", &Config::spamd_socket, 0, {}, true},
      {"spamd_user", &Config::spamd_user},
      {"scanner_timeout_ms", &Config::scanner_timeout_ms, 100},
      {"spam_failure", &Config::spam_failure, 0, {"defer", "pass"}},
      {"redundant", &Config::redundant},
      {"sa_quarantine", &Config::sa_quarantine},
      {"sa_delete", &Config::sa_delete},
      {"sa_relayclient", &Config::sa_relayclient},
      {"max_spam_bytes", &Config::max_spam_bytes},
      // policy and actions
      {"policy_file", &Config::policy_file},
      {"notify", &Config::notify, 0, {}, true},
      {"admin_address", &Config::admin_address},
      {"lang", &Config::lang},
      {"forging_viruses", &Config::forging_viruses},
      {"reject", &Config::reject},
      {"custom_error", &Config::custom_error, 0, {"none", "fd6", "fd4"}},
      {"archive", &Config::archive},
      {"dlp_monitor", &Config::dlp_monitor},
      {"add_headers", &Config::add_headers},
      // logs
      {"log_details", &Config::log_details, 0, {"syslog", "mailstats", "both", "none"}},
      {"debug", &Config::debug},
      {"syslog_facility", &Config::syslog_facility},
      // qscand
      {"daemon_socket", &Config::daemon_socket},
      {"allowed_uids", &Config::allowed_uids},
      {"max_concurrent", &Config::max_concurrent, 1},
      {"max_wait_ms", &Config::max_wait_ms},
      {"standalone_fallback", &Config::standalone_fallback},
      {"worker_user", &Config::worker_user},
      {"user", &Config::user},
      // housekeeping
      {"quarantine_days", &Config::quarantine_days},
  };
  return f;
}

const Field* find_field(std::string_view name) {
  for (const Field& f : fields()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    case toml::node_type::array:
      return "array";
    case toml::node_type::table:
      return "table";
    default:
      return "nothing";
  }
}

std::string join(const std::vector<std::string_view>& v) {
  std::string out;
  for (std::string_view s : v) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

// Collects the first error; every check returns false after calling fail().
struct Ctx {
  std::string file;
  ConfigError* error;

  bool fail(std::uint64_t line, std::string message) {
    if (error != nullptr) *error = ConfigError{file, line, std::move(message)};
    return false;
  }
  bool fail(const toml::node& n, std::string message) {
    return fail(n.source().begin.line, std::move(message));
  }
  bool wrong_type(const Field& f, const toml::node& n, std::string_view expected) {
    return fail(n, "key '" + std::string(f.name) + "': expected " + std::string(expected) +
                       ", got " + type_name(n));
  }
};

bool check_choice(Ctx& ctx, const Field& f, const toml::node& n, const std::string& value) {
  if (f.choices.empty()) return true;
  if (std::find(f.choices.begin(), f.choices.end(), value) != f.choices.end()) return true;
  return ctx.fail(n, "key '" + std::string(f.name) + "': invalid value \"" + value +
                         "\" (expected one of: " + join(f.choices) + ")");
}

bool set_string(Ctx& ctx, const Field& f, const toml::node& n, std::string& out) {
  if (f.name == "archive" && n.is_boolean()) {  // archive = true | false, as in Qmail-Scanner
    out = n.as_boolean()->get() ? "true" : "false";
    return true;
  }
  if (!n.is_string()) {
    return ctx.wrong_type(f, n, f.name == "archive" ? "string or boolean" : "string");
  }
  std::string v = n.as_string()->get();
  if (!check_choice(ctx, f, n, v)) return false;
  // Regex-valued keys: refuse at load what would otherwise fail per message.
  const bool regex_key =
      f.name == "dlp_monitor" || (f.name == "archive" && v != "true" && v != "false");
  if (regex_key && !v.empty()) {
    try {
      std::regex re(v, std::regex::ECMAScript | std::regex::icase);
    } catch (const std::regex_error& e) {
      return ctx.fail(n, "key '" + std::string(f.name) + "': not a valid regular expression (" +
                             e.what() + ")");
    }
  }
  out = std::move(v);
  return true;
}

bool set_bool(Ctx& ctx, const Field& f, const toml::node& n, bool& out) {
  if (!n.is_boolean()) return ctx.wrong_type(f, n, "boolean");
  out = n.as_boolean()->get();
  return true;
}

bool set_uint(Ctx& ctx, const Field& f, const toml::node& n, std::uint64_t& out) {
  if (!n.is_integer()) return ctx.wrong_type(f, n, "integer");
  const std::int64_t v = n.as_integer()->get();
  if (v < 0 || static_cast<std::uint64_t>(v) < f.min) {
    return ctx.fail(n, "key '" + std::string(f.name) + "': must be >= " + std::to_string(f.min) +
                           " (got " + std::to_string(v) + ")");
  }
  out = static_cast<std::uint64_t>(v);
  return true;
}

bool set_double(Ctx& ctx, const Field& f, const toml::node& n, double& out) {
  double v = 0;
  if (n.is_integer()) {
    v = static_cast<double>(n.as_integer()->get());
  } else if (n.is_floating_point()) {
    v = n.as_floating_point()->get();
  } else {
    return ctx.wrong_type(f, n, "number");
  }
  if (!std::isfinite(v) || v < 0) {
    char shown[64];
    std::snprintf(shown, sizeof shown, "%g", v);
    return ctx.fail(
        n, "key '" + std::string(f.name) + "': must be a finite number >= 0 (got " + shown + ")");
  }
  out = v;
  return true;
}

bool check_format_check(Ctx& ctx, const Field& f, const toml::node& n, const std::string& v) {
  if (v == "all" || v == "none") return true;
  std::string_view name = v;
  if (name.starts_with('-')) name.remove_prefix(1);
  const auto& known = known_format_checks();
  if (std::find(known.begin(), known.end(), name) != known.end()) return true;
  std::string list;
  for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
  return ctx.fail(
      n, "key '" + std::string(f.name) + "': unknown format check \"" + v +
             "\" (expected \"all\", \"none\", a check name or \"-name\"; checks: " + list + ")");
}

bool set_string_list(Ctx& ctx, const Field& f, const toml::node& n, std::vector<std::string>& out) {
  const std::string_view expected =
      f.single_string_ok ? "string or array of strings" : "array of strings";
  std::vector<std::string> values;
  std::vector<const toml::node*> nodes;
  if (n.is_string() && f.single_string_ok) {
    values.push_back(n.as_string()->get());
    nodes.push_back(&n);
  } else if (const toml::array* a = n.as_array()) {
    for (std::size_t i = 0; i < a->size(); ++i) {
      const toml::node& e = *a->get(i);
      if (!e.is_string()) {
        return ctx.fail(e, "key '" + std::string(f.name) + "': expected " + std::string(expected) +
                               ", element " + std::to_string(i + 1) + " is " + type_name(e));
      }
      values.push_back(e.as_string()->get());
      nodes.push_back(&e);
    }
  } else {
    return ctx.wrong_type(f, n, expected);
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    const toml::node& e = *nodes[i];
    if (values[i].empty()) {
      return ctx.fail(e, "key '" + std::string(f.name) + "': empty string in list");
    }
    if (!check_choice(ctx, f, e, values[i])) return false;
    if (f.name == "format_checks" && !check_format_check(ctx, f, e, values[i])) return false;
    if (f.name == "scanners" &&
        std::find(values.begin(), values.begin() + i, values[i]) != values.begin() + i) {
      return ctx.fail(e, "key 'scanners': \"" + values[i] + "\" listed twice");
    }
  }
  if (f.name == "scanners" && values.empty()) {
    return ctx.fail(n, "key 'scanners': at least one scanner is required");
  }
  out = std::move(values);
  return true;
}

bool set_int_list(Ctx& ctx, const Field& f, const toml::node& n, std::vector<std::int64_t>& out) {
  const toml::array* a = n.as_array();
  if (a == nullptr) return ctx.wrong_type(f, n, "array of integers");
  std::vector<std::int64_t> values;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& e = *a->get(i);
    if (!e.is_integer()) {
      return ctx.fail(e, "key '" + std::string(f.name) + "': expected array of integers, element " +
                             std::to_string(i + 1) + " is " + type_name(e));
    }
    const std::int64_t v = e.as_integer()->get();
    // uid_t is 32 bits and (uid_t)-1 means "no uid".
    if (v < 0 || v >= static_cast<std::int64_t>(std::numeric_limits<std::uint32_t>::max())) {
      return ctx.fail(
          e, "key '" + std::string(f.name) + "': " + std::to_string(v) + " is not a valid uid");
    }
    values.push_back(v);
  }
  out = std::move(values);
  return true;
}

bool apply(Ctx& ctx, const Field& f, const toml::node& n, Config& c) {
  return std::visit(
      [&](auto member) -> bool {
        auto& out = c.*member;
        using T = std::remove_reference_t<decltype(out)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return set_string(ctx, f, n, out);
        } else if constexpr (std::is_same_v<T, bool>) {
          return set_bool(ctx, f, n, out);
        } else if constexpr (std::is_same_v<T, std::uint64_t>) {
          return set_uint(ctx, f, n, out);
        } else if constexpr (std::is_same_v<T, double>) {
          return set_double(ctx, f, n, out);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          return set_string_list(ctx, f, n, out);
        } else {
          return set_int_list(ctx, f, n, out);
        }
      },
      f.member);
}

std::optional<Config> from_table(const toml::table& table, Ctx& ctx) {
  // Check in file order so the error reported is the first one an admin would see.
  struct Entry {
    std::uint64_t line;
    std::string key;
    const toml::node* value;
  };
  std::vector<Entry> entries;
  for (const auto& [key, value] : table) {
    std::uint64_t line = key.source().begin.line;
    if (line == 0) line = value.source().begin.line;
    entries.push_back({line, std::string(key.str()), &value});
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.line < b.line; });

  Config c;
  for (const Entry& e : entries) {
    const Field* f = find_field(e.key);
    if (f == nullptr) {
      std::string msg = "unknown key '" + e.key + "'";
      if (e.value->is_table()) msg += " (qscan.toml is flat: no [tables] or dotted keys)";
      ctx.fail(e.line, std::move(msg));
      return std::nullopt;
    }
    if (!apply(ctx, *f, *e.value, c)) return std::nullopt;
  }
  return c;
}

// Reads a whole file; on failure returns false with errno-style code in `err`.
bool read_file(const std::string& path, std::string& out, int& err, bool& too_large) {
  too_large = false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    err = errno;
    return false;
  }
  out.clear();
  char buf[16384];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > kMaxConfigBytes) {
      too_large = true;
      ::close(fd);
      return false;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}

void set_error(ConfigError* error, std::string file, std::uint64_t line, std::string message) {
  if (error != nullptr) *error = ConfigError{std::move(file), line, std::move(message)};
}

}  // namespace

std::string ConfigError::to_string() const {
  std::string out = file;
  if (line != 0) out += ":" + std::to_string(line);
  if (!out.empty()) out += ": ";
  return out + message;
}

const std::vector<std::string>& config_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    for (const Field& f : fields()) k.emplace_back(f.name);
    return k;
  }();
  return keys;
}

std::optional<Config> load_config_string(const std::string& text, const std::string& name,
                                         ConfigError* error) {
  try {
    Ctx ctx{name, error};
#if TOML_EXCEPTIONS
    toml::table table;
    try {
      table = toml::parse(text, name);
    } catch (const toml::parse_error& e) {
      ctx.fail(e.source().begin.line, std::string(e.description()));
      return std::nullopt;
    }
#else
    toml::parse_result result = toml::parse(text, name);
    if (!result) {
      ctx.fail(result.error().source().begin.line, std::string(result.error().description()));
      return std::nullopt;
    }
    toml::table table = std::move(result).table();
#endif
    return from_table(table, ctx);
  } catch (const std::exception& e) {
    set_error(error, name, 0, std::string("internal error: ") + e.what());
  } catch (...) {
    set_error(error, name, 0, "internal error");
  }
  return std::nullopt;
}

std::optional<Config> load_config_file(const std::string& path, ConfigError* error) {
  try {
    std::string text;
    int err = 0;
    bool too_large = false;
    if (!read_file(path, text, err, too_large)) {
      set_error(error, path, 0,
                too_large ? "file too large (over " + std::to_string(kMaxConfigBytes) + " bytes)"
                          : std::string("cannot read: ") + std::strerror(err));
      return std::nullopt;
    }
    return load_config_string(text, path, error);
  } catch (const std::exception& e) {
    set_error(error, path, 0, std::string("internal error: ") + e.what());
  } catch (...) {
    set_error(error, path, 0, "internal error");
  }
  return std::nullopt;
}

std::optional<Config> load_config(const std::string& explicit_path, ConfigError* error,
                                  const std::string& default_path) {
  try {
    if (!explicit_path.empty()) return load_config_file(explicit_path, error);
    const char* env = std::getenv("QSCAN_CONFIG");
    if (env != nullptr && *env != '\0') return load_config_file(env, error);

    std::string text;
    int err = 0;
    bool too_large = false;
    if (read_file(default_path, text, err, too_large)) {
      return load_config_string(text, default_path, error);
    }
    if (!too_large && (err == ENOENT || err == ENOTDIR)) return Config{};
    set_error(error, default_path, 0,
              too_large ? "file too large (over " + std::to_string(kMaxConfigBytes) + " bytes)"
                        : std::string("cannot read: ") + std::strerror(err));
  } catch (const std::exception& e) {
    set_error(error, default_path, 0, std::string("internal error: ") + e.what());
  } catch (...) {
    set_error(error, default_path, 0, "internal error");
  }
  return std::nullopt;
}

std::optional<Config> load_config(const std::string& explicit_path, ConfigError* error) {
  return load_config(explicit_path, error, kDefaultConfigPath);
}

}  // namespace qscan::policy
