#include "tools/quarantine_command.h"

#include <fcntl.h>
#include <gmime/gmime.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <iostream>
#include <sstream>

#include "hardening/sandbox.h"
#include "policy/config.h"
#include "supervisor/envelope.h"
#include "supervisor/qmail_queue_exec.h"
#include "supervisor/quarantine_writer.h"
#include "tools/json_text.h"
#include "tools/quarantine_store.h"
#include "workers/decode_worker.h"

namespace qscan::tools {
namespace {

namespace sv = qscan::supervisor;

// Text that came from a message or an SMTP client, made safe for a terminal: control bytes
// and DEL become '?'.
std::string printable(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = '?';
  }
  return out;
}

std::string show_address(const std::string& a) { return a.empty() ? "<>" : sv::escape_address(a); }

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    if (c < 0x80) {
      n = 0;
    } else if ((c >> 5) == 6) {
      n = 1;
    } else if ((c >> 4) == 14) {
      n = 2;
    } else if ((c >> 3) == 30) {
      n = 3;
    } else {
      return false;
    }
    if (i + n >= s.size() && n > 0) return false;
    for (std::size_t k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += n + 1;
  }
  return true;
}

// A JSON string for arbitrary bytes: valid UTF-8 as is, anything else byte by byte as
// U+0000..U+00FF so the output always parses.
std::string json_bytes(std::string_view s) {
  if (valid_utf8(s)) return json_string(s);
  std::string out = "\"";
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 0x80) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      std::string one = json_string(std::string_view(&ch, 1));
      out += one.substr(1, one.size() - 2);
    }
  }
  return out + "\"";
}

std::string local_time(std::time_t t, const char* fmt = "%Y-%m-%d %H:%M:%S") {
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}

std::string join_recipients(const std::vector<std::string>& r) {
  std::string s;
  for (const auto& a : r) s += (s.empty() ? "" : ",") + show_address(a);
  return s;
}

std::optional<policy::Config> config_or_complain(const std::string& path, const char* cmd) {
  policy::ConfigError err;
  auto cfg = policy::load_config(path, &err);
  if (!cfg) std::cerr << "qscan " << cmd << ": " << err.to_string() << "\n";
  return cfg;
}

bool append_release_log(const std::string& spool, const std::string& action, const std::string& id,
                        const std::vector<std::string>& rcpts, std::string* error) {
  const std::string path = spool + "/release.log";
  const std::string line = local_time(std::time(nullptr), "%Y-%m-%d %H:%M:%S %z") + "\t" + action +
                           "\t" + printable(id) + "\t" + printable(invoking_user()) + "\t" +
                           join_recipients(rcpts) + "\n";
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    if (error) *error = "open " + path + ": " + std::strerror(errno);
    return false;
  }
  ssize_t n = ::write(fd, line.data(), line.size());
  bool ok = n == static_cast<ssize_t>(line.size());
  if (!ok && error) *error = "write " + path + ": " + std::strerror(errno);
  ::close(fd);
  return ok;
}

// ---------------------------------------------------------------- list

int list_command(const std::vector<std::string>& args, const policy::Config& cfg) {
  std::string cls;
  std::optional<std::int64_t> since;
  bool json = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      json = true;
    } else if ((a == "--class" || a == "--since") && i + 1 < args.size()) {
      const std::string& v = args[++i];
      if (a == "--class") {
        cls = v;
        bool known = false;
        for (auto c : kQuarantineClasses) known = known || c == cls;
        if (!known) {
          std::cerr << "qscan quarantine list: unknown class '" << printable(cls)
                    << "' (viruses, policy or spam)\n";
          return 2;
        }
      } else {
        since = parse_age(v);
        if (!since) {
          std::cerr << "qscan quarantine list: bad age '" << printable(v)
                    << "' (e.g. 30m, 12h, 2d, 1w)\n";
          return 2;
        }
      }
    } else {
      std::cerr << "usage: qscan quarantine list [--class viruses|policy|spam] [--since AGE] "
                   "[--json]\n";
      return 2;
    }
  }
  std::vector<std::string> warnings;
  auto entries = list_quarantine(cfg.spool_dir, cls, &warnings);
  for (const auto& w : warnings) std::cerr << "qscan quarantine list: " << printable(w) << "\n";
  const std::time_t now = std::time(nullptr);
  std::ostringstream o;
  if (json) o << "[";
  bool first = true;
  for (const auto& e : entries) {
    if (since && e.mtime < now - *since) continue;
    const auto& h = e.headers;
    if (json) {
      o << (first ? "" : ",") << "\n {\"id\":" << json_bytes(e.id)
        << ",\"class\":" << json_string(e.cls) << ",\"name\":" << json_bytes(e.name)
        << ",\"state\":" << json_string(e.released ? "released" : "quarantined")
        << ",\"mtime\":" << static_cast<long long>(e.mtime)
        << ",\"date\":" << json_string(local_time(e.mtime, "%Y-%m-%dT%H:%M:%S%z"))
        << ",\"size\":" << e.message_size() << ",\"sender\":" << json_bytes(h.envelope.sender)
        << ",\"recipients\":[";
      for (std::size_t i = 0; i < h.envelope.recipients.size(); ++i)
        o << (i ? "," : "") << json_bytes(h.envelope.recipients[i]);
      o << "],\"reason\":" << json_bytes(h.reason)
        << ",\"description\":" << json_bytes(h.description)
        << ",\"scanners\":" << json_bytes(h.scanners) << "}";
    } else {
      o << printable(e.id) << "  " << local_time(e.mtime) << "  " << show_address(h.envelope.sender)
        << "  " << join_recipients(h.envelope.recipients) << "  "
        << printable(h.reason.empty() ? "?" : h.reason) << (e.released ? "  (released)" : "")
        << "\n";
    }
    first = false;
  }
  if (json) o << (first ? "]\n" : "\n]\n");
  std::cout << o.str();
  return 0;
}

// ---------------------------------------------------------------- show

struct PartWalk {
  std::ostringstream out;
  int parts = 0;
};

std::string mime_type_of(GMimeObject* obj) {
  GMimeContentType* ct = g_mime_object_get_content_type(obj);
  if (!ct) return "text/plain";
  char* t = g_mime_content_type_get_mime_type(ct);
  std::string s = t ? t : "?";
  g_free(t);
  return s;
}

void walk_parts(GMimeObject* obj, const std::string& path, int depth, PartWalk& w) {
  if (!obj || depth > 64 || ++w.parts > 2000) return;
  const std::string type = mime_type_of(obj);
  w.out << "  " << path << "  " << printable(type);
  if (GMIME_IS_MULTIPART(obj)) {
    GMimeMultipart* mp = GMIME_MULTIPART(obj);
    const int n = g_mime_multipart_get_count(mp);
    w.out << "  (" << n << " parts)\n";
    for (int i = 0; i < n; ++i)
      walk_parts(g_mime_multipart_get_part(mp, i), path + "." + std::to_string(i + 1), depth + 1,
                 w);
  } else if (GMIME_IS_MESSAGE_PART(obj)) {
    GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
    if (inner && g_mime_message_get_subject(inner))
      w.out << "  subject=" << printable(g_mime_message_get_subject(inner));
    w.out << "\n";
    if (inner) walk_parts(g_mime_message_get_mime_part(inner), path + ".1", depth + 1, w);
  } else if (GMIME_IS_PART(obj)) {
    GMimePart* part = GMIME_PART(obj);
    if (const char* fn = g_mime_part_get_filename(part))
      w.out << "  name=\"" << printable(fn) << "\"";
    if (GMimeDataWrapper* dw = g_mime_part_get_content(part)) {
      // Decoded size: the content written into a counting null stream, never kept.
      GMimeStream* null = g_mime_stream_null_new();
      g_mime_data_wrapper_write_to_stream(dw, null);
      w.out << "  " << GMIME_STREAM_NULL(null)->written << " bytes";
      g_object_unref(null);
    }
    w.out << "\n";
  } else {
    w.out << "\n";
  }
}

// Parses the message structure with GMime in a child process under tight limits (the file
// is hostile by definition) and returns what it printed: top-level headers and parts.
std::string describe_structure(const std::string& original) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return "  (cannot parse: pipe failed)\n";
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(p[0]);
    ::close(p[1]);
    return "  (cannot parse: fork failed)\n";
  }
  if (pid == 0) {
    ::close(p[0]);
    // Quarantined mail is hostile by definition: parse it in a decode-worker sandbox
    // (the same seccomp profile, limits and layers as the pipeline's decode worker).
    workers::init_decoders();
    hardening::SandboxOptions so;
    so.result_fd = p[1];
    so.cpu_seconds = 10;
    so.address_space_bytes = 1ull << 30;
    std::string error;
    if (!hardening::enter_sandbox(hardening::WorkerKind::kDecode, so, nullptr, &error)) ::_exit(3);
    GMimeStream* mem = g_mime_stream_mem_new_with_buffer(original.data(), original.size());
    GMimeParser* parser = g_mime_parser_new_with_stream(mem);
    GMimeMessage* msg = g_mime_parser_construct_message(parser, nullptr);
    PartWalk w;
    if (!msg) {
      w.out << "  (not parseable as a MIME message)\n";
    } else {
      auto hdr = [&](const char* label, const char* v) {
        w.out << label << (v ? printable(v) : std::string("(none)")) << "\n";
      };
      hdr("subject:     ", g_mime_message_get_subject(msg));
      hdr("from:        ", g_mime_object_get_header(GMIME_OBJECT(msg), "From"));
      hdr("to:          ", g_mime_object_get_header(GMIME_OBJECT(msg), "To"));
      hdr("message-id:  ", g_mime_message_get_message_id(msg));
      hdr("date:        ", g_mime_object_get_header(GMIME_OBJECT(msg), "Date"));
      w.out << "parts:\n";
      walk_parts(g_mime_message_get_mime_part(msg), "1", 0, w);
      if (w.parts > 2000) w.out << "  ... (more parts not listed)\n";
    }
    const std::string s = w.out.str();
    std::size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::write(p[1], s.data() + off, s.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    ::_exit(0);
  }
  ::close(p[1]);
  std::string text;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(p[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (text.size() < (4u << 20)) text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(p[0]);
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
    text += "  (structure parser failed: " +
            (WIFSIGNALED(st) ? std::string("signal ") + std::to_string(WTERMSIG(st))
                             : "exit " + std::to_string(WEXITSTATUS(st))) +
            ")\n";
  return text;
}

bool resolve(const std::string& spool, const std::string& id_text, const char* cmd,
             QuarantineEntry* e, int* rc) {
  QuarantineId id;
  std::string err;
  if (!parse_quarantine_id(id_text, &id, &err)) {
    std::cerr << "qscan quarantine " << cmd << ": " << printable(err) << "\n";
    *rc = 2;
    return false;
  }
  if (!find_quarantine_entry(spool, id, e, &err)) {
    std::cerr << "qscan quarantine " << cmd << ": " << printable(err) << "\n";
    *rc = 1;
    return false;
  }
  return true;
}

int show_command(const std::vector<std::string>& args, const policy::Config& cfg) {
  if (args.size() != 1) {
    std::cerr << "usage: qscan quarantine show ID\n";
    return 2;
  }
  QuarantineEntry e;
  int rc = 0;
  if (!resolve(cfg.spool_dir, args[0], "show", &e, &rc)) return rc;
  std::string original, err;
  if (!read_quarantine_message(e, &original, &err)) {
    std::cerr << "qscan quarantine show: " << printable(err) << "\n";
    return 1;
  }
  const auto& h = e.headers;
  std::ostringstream o;
  o << "id:          " << printable(e.id) << "\n"
    << "state:       " << (e.released ? "released" : "quarantined") << "\n"
    << "file:        " << printable(e.path) << "\n"
    << "quarantined: " << printable(h.date) << "\n"
    << "reason:      " << printable(h.reason) << "\n";
  if (!h.description.empty()) o << "description: " << printable(h.description) << "\n";
  o << "scanners:    " << printable(h.scanners) << "\n"
    << "sender:      " << show_address(h.envelope.sender) << "\n";
  for (const auto& r : h.envelope.recipients) o << "recipient:   " << show_address(r) << "\n";
  o << "size:        " << original.size() << " bytes (message; file " << e.file_size << " bytes)\n";
  std::cout << o.str() << describe_structure(original);
  return 0;
}

// ---------------------------------------------------------------- release / delete

bool valid_address(const std::string& a) {
  if (a.empty() || a.size() >= sv::kMaxAddressBytes) return false;
  for (char c : a) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == ' ') return false;
  }
  return true;
}

int release_command(const std::vector<std::string>& args, const policy::Config& cfg) {
  std::string id_text;
  std::vector<std::string> to;
  bool force = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--to" && i + 1 < args.size()) {
      to.push_back(args[++i]);
      if (!valid_address(to.back())) {
        std::cerr << "qscan quarantine release: bad address '" << printable(to.back()) << "'\n";
        return 2;
      }
    } else if (args[i] == "--force") {
      force = true;
    } else if (id_text.empty() && !args[i].starts_with("--")) {
      id_text = args[i];
    } else {
      id_text.clear();
      break;
    }
  }
  if (id_text.empty()) {
    std::cerr << "usage: qscan quarantine release ID [--to ADDR]... [--force]\n";
    return 2;
  }
  QuarantineEntry e;
  int rc = 0;
  if (!resolve(cfg.spool_dir, id_text, "release", &e, &rc)) return rc;
  if (e.released && !force) {
    std::cerr << "qscan quarantine release: " << printable(e.id)
              << " was already released (--force sends it again)\n";
    return 1;
  }
  std::string original, err;
  if (!read_quarantine_message(e, &original, &err)) {
    std::cerr << "qscan quarantine release: " << printable(err) << "\n";
    return 1;
  }
  sv::Envelope env = e.headers.envelope;
  if (!to.empty()) env.recipients = to;
  if (env.recipients.empty()) {
    std::cerr << "qscan quarantine release: no recipients recorded; use --to ADDR\n";
    return 1;
  }
  // Straight to qmail-queue: the released message is not scanned again.
  const sv::QueueResult q =
      sv::run_qmail_queue(cfg.qmail_queue, {std::string_view(original)}, sv::encode_envelope(env));
  if (q.exit_code != 0) {
    std::cerr << "qscan quarantine release: " << printable(cfg.qmail_queue) << " refused "
              << printable(e.id) << " (exit " << q.exit_code << "): " << printable(q.error) << "\n";
    return 1;
  }
  int result = 0;
  if (!append_release_log(cfg.spool_dir, "released", e.id, env.recipients, &err)) {
    std::cerr << "qscan quarantine release: " << printable(err) << "\n";
    result = 1;
  }
  const std::string base = e.name.substr(0, e.name.find(':'));
  const std::string dst =
      cfg.spool_dir + "/quarantine/" + e.cls + "/cur/" + base + std::string(kReleasedInfo);
  if (dst != e.path && ::rename(e.path.c_str(), dst.c_str()) != 0) {
    std::cerr << "qscan quarantine release: delivered, but cannot mark released: rename "
              << printable(e.path) << ": " << std::strerror(errno) << "\n";
    result = 1;
  }
  std::cout << "released " << printable(e.id) << " to " << join_recipients(env.recipients)
            << " (passed to qmail-queue without rescanning); now "
            << printable(e.cls + "/" + base + std::string(kReleasedInfo)) << "\n";
  return result;
}

int delete_command(const std::vector<std::string>& args, const policy::Config& cfg) {
  if (args.size() != 1 || args[0].starts_with("--")) {
    std::cerr << "usage: qscan quarantine delete ID\n";
    return 2;
  }
  QuarantineEntry e;
  int rc = 0;
  if (!resolve(cfg.spool_dir, args[0], "delete", &e, &rc)) return rc;
  if (::unlink(e.path.c_str()) != 0) {
    std::cerr << "qscan quarantine delete: unlink " << printable(e.path) << ": "
              << std::strerror(errno) << "\n";
    return 1;
  }
  std::string err;
  int result = 0;
  if (!append_release_log(cfg.spool_dir, "deleted", e.id, e.headers.envelope.recipients, &err)) {
    std::cerr << "qscan quarantine delete: " << printable(err) << "\n";
    result = 1;
  }
  std::cout << "deleted " << printable(e.id) << "\n";
  return result;
}

void usage() {
  std::cerr << "usage: qscan quarantine list [--class viruses|policy|spam] [--since AGE] [--json]\n"
               "       qscan quarantine show ID\n"
               "       qscan quarantine release ID [--to ADDR]... [--force]\n"
               "       qscan quarantine delete ID\n"
               "ID is <class>/<maildir file name>, as list prints it.\n";
}

}  // namespace

std::string invoking_user() {
  const uid_t uid = ::getuid();
  if (uid == 0) {
    if (const char* s = std::getenv("SUDO_USER"); s && *s) return s;
  }
  passwd pw{}, *res = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res && res->pw_name)
    return res->pw_name;
  return "uid " + std::to_string(uid);
}

int quarantine_command(const std::vector<std::string>& args, const std::string& config_path) {
  if (args.empty()) {
    usage();
    return 2;
  }
  const std::string& sub = args[0];
  if (sub != "list" && sub != "show" && sub != "release" && sub != "delete") {
    usage();
    return 2;
  }
  auto cfg = config_or_complain(config_path, "quarantine");
  if (!cfg) return 1;
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (sub == "list") return list_command(rest, *cfg);
  if (sub == "show") return show_command(rest, *cfg);
  if (sub == "release") return release_command(rest, *cfg);
  return delete_command(rest, *cfg);
}

}  // namespace qscan::tools
