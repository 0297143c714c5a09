#include "tools/quarantine_store.h"

#include "tools/mail_stats.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "supervisor/quarantine_writer.h"
#include "supervisor/scan_report.h"
#include "tools/mail_stats.h"

namespace qscan::tools {
namespace {

namespace sv = qscan::supervisor;

bool starts_with_header(std::string_view line, std::string_view name, std::string_view* value) {
  if (line.size() < name.size() + 2 || line.substr(0, name.size()) != name) return false;
  if (line[name.size()] != ':' || line[name.size() + 1] != ' ') return false;
  *value = line.substr(name.size() + 2);
  return true;
}

// Appends up to `chunk` more bytes from `fd`; false on a read error.
bool read_prefix(int fd, std::string* out, std::size_t chunk) {
  std::size_t old = out->size();
  out->resize(old + chunk);
  ssize_t n;
  do {
    n = ::read(fd, out->data() + old, chunk);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    out->resize(old);
    return false;
  }
  out->resize(old + static_cast<std::size_t>(n));
  return true;
}

// Opens without following a symlink planted in the Maildir.
int open_quarantine_file(const std::string& path) {
  return ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
}

bool load_headers(const std::string& path, QuarantineEntry* e, std::string* error) {
  int fd = open_quarantine_file(path);
  if (fd < 0) {
    if (error) *error = "open " + path + ": " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (error) *error = path + ": not a regular file";
    ::close(fd);
    return false;
  }
  e->mtime = st.st_mtime;
  e->file_size = static_cast<std::uint64_t>(st.st_size);
  std::string text;
  std::optional<QuarantineHeaders> h;
  bool complete = false;
  // The block is small (a few hundred bytes plus one line per recipient); read until it ends.
  while (true) {
    std::size_t before = text.size();
    if (!read_prefix(fd, &text, 65536)) {
      if (error) *error = "read " + path + ": " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    const bool eof = text.size() == before;
    h = parse_quarantine_headers(text, &complete, error);
    if (complete || eof || !h) break;
  }
  ::close(fd);
  if (!h) {
    if (error && error->empty()) *error = path + ": no quarantine header block";
    return false;
  }
  e->headers = std::move(*h);
  return true;
}

}  // namespace

std::string QuarantineId::base() const { return name.substr(0, name.find(':')); }

bool parse_quarantine_id(std::string_view id, QuarantineId* out, std::string* error) {
  auto fail = [&](const std::string& why) {
    if (error) *error = "invalid quarantine ID '" + sv::header_safe(id) + "': " + why;
    return false;
  };
  const auto slash = id.find('/');
  if (slash == std::string_view::npos) return fail("expected <class>/<name>");
  const std::string_view cls = id.substr(0, slash), name = id.substr(slash + 1);
  if (std::find(kQuarantineClasses.begin(), kQuarantineClasses.end(), cls) ==
      kQuarantineClasses.end())
    return fail("unknown class (viruses, policy or spam)");
  if (name.empty()) return fail("empty name");
  if (name.find('/') != std::string_view::npos) return fail("name contains '/'");
  if (name.find("..") != std::string_view::npos) return fail("name contains '..'");
  if (name.front() == '.') return fail("name starts with '.'");
  if (name.front() == ':') return fail("name starts with ':'");
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x7f) return fail("name contains a control byte or space");
  }
  out->cls = std::string(cls);
  out->name = std::string(name);
  return true;
}

std::optional<QuarantineHeaders> parse_quarantine_headers(std::string_view text, bool* complete,
                                                          std::string* error) {
  // The writer's order: Date, Reason, [Description], Scanners, Mail-From, Rcpt-Count,
  // exactly that many Rcpt-To. Each header at most once, except Rcpt-To. (Files written
  // before Rcpt-Count existed: Rcpt-To lines up to the first other line.)
  QuarantineHeaders h;
  *complete = false;
  std::size_t pos = 0;
  int stage = 0;  // 0 Date, 1 Reason, 2 Description/Scanners, 3 Mail-From, 4 Rcpt-Count/To
  std::optional<std::size_t> expected;  // from Rcpt-Count
  while (true) {
    const auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) break;  // need more text
    const std::string_view line = text.substr(pos, nl - pos);
    std::string_view v;
    bool ours = true;
    if (stage == 0 && starts_with_header(line, sv::kHdrDate, &v)) {
      h.date = v, stage = 1;
    } else if (stage == 1 && starts_with_header(line, sv::kHdrReason, &v)) {
      h.reason = v, stage = 2;
    } else if (stage == 2 && h.description.empty() &&
               starts_with_header(line, sv::kHdrDescription, &v)) {
      h.description = v;
    } else if (stage == 2 && starts_with_header(line, sv::kHdrScanners, &v)) {
      h.scanners = v, stage = 3;
    } else if (stage == 3 && starts_with_header(line, sv::kHdrMailFrom, &v)) {
      if (!sv::unescape_address(v, h.envelope.sender)) {
        if (error) *error = "malformed escape in " + std::string(sv::kHdrMailFrom);
        return std::nullopt;
      }
      h.have_sender = true, stage = 4;
    } else if (stage == 4 && !expected && h.envelope.recipients.empty() &&
               starts_with_header(line, sv::kHdrRcptCount, &v)) {
      std::size_t n = 0;
      const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size() || n > 100000) {
        if (error) *error = "malformed " + std::string(sv::kHdrRcptCount);
        return std::nullopt;
      }
      expected = n;
    } else if (stage == 4 && (!expected || h.envelope.recipients.size() < *expected) &&
               starts_with_header(line, sv::kHdrRcptTo, &v)) {
      std::string r;
      if (!sv::unescape_address(v, r)) {
        if (error) *error = "malformed escape in " + std::string(sv::kHdrRcptTo);
        return std::nullopt;
      }
      h.envelope.recipients.push_back(std::move(r));
    } else {
      ours = false;
    }
    if (!ours) {
      *complete = true;
      break;
    }
    pos = nl + 1;
  }
  h.block_bytes = pos;
  if (*complete && expected && h.envelope.recipients.size() != *expected) {
    if (error) *error = "quarantine header block incomplete (fewer recipients than counted)";
    return std::nullopt;
  }
  if (*complete && !h.have_sender) {
    if (error) *error = "quarantine header block incomplete (no envelope sender)";
    return std::nullopt;
  }
  if (!*complete && text.size() - pos > 65536) {
    if (error) *error = "no quarantine header block (overlong line)";
    return std::nullopt;
  }
  return h;
}

std::vector<QuarantineEntry> list_quarantine(const std::string& spool_dir, const std::string& cls,
                                             std::vector<std::string>* warnings) {
  std::vector<QuarantineEntry> out;
  for (std::string_view c : kQuarantineClasses) {
    if (!cls.empty() && cls != c) continue;
    for (const char* sub : {"new", "cur"}) {
      const std::string dir = spool_dir + "/quarantine/" + std::string(c) + "/" + sub;
      DIR* d = ::opendir(dir.c_str());
      if (!d) {
        if (errno != ENOENT && warnings)
          warnings->push_back("cannot read " + dir + ": " + std::strerror(errno));
        continue;
      }
      while (dirent* de = ::readdir(d)) {
        const std::string name = de->d_name;
        if (name.empty() || name.front() == '.') continue;
        QuarantineEntry e;
        e.cls = std::string(c);
        e.name = name;
        e.subdir = sub;
        e.id = e.cls + "/" + name;
        e.path = dir + "/" + name;
        const auto colon = name.find(":2,");
        e.released = colon != std::string::npos && name.find('P', colon + 3) != std::string::npos;
        struct stat st {};
        if (::lstat(e.path.c_str(), &st) != 0) continue;  // removed meanwhile
        std::string err;
        if (!load_headers(e.path, &e, &err)) {
          if (!S_ISREG(st.st_mode)) continue;
          e.mtime = st.st_mtime;
          e.file_size = static_cast<std::uint64_t>(st.st_size);
          if (warnings) warnings->push_back(err);
        }
        out.push_back(std::move(e));
      }
      ::closedir(d);
    }
  }
  std::sort(out.begin(), out.end(), [](const QuarantineEntry& a, const QuarantineEntry& b) {
    return a.mtime != b.mtime ? a.mtime < b.mtime : a.id < b.id;
  });
  return out;
}

bool find_quarantine_entry(const std::string& spool_dir, const QuarantineId& id,
                           QuarantineEntry* out, std::string* error) {
  const std::string base = id.base();
  for (const char* sub : {"new", "cur"}) {
    const std::string dir = spool_dir + "/quarantine/" + id.cls + "/" + sub;
    DIR* d = ::opendir(dir.c_str());
    if (!d) continue;
    std::string found;
    while (dirent* de = ::readdir(d)) {
      const std::string name = de->d_name;
      if (name == id.name || (name.substr(0, name.find(':')) == base && !base.empty())) {
        found = name;
        if (name == id.name) break;
      }
    }
    ::closedir(d);
    if (found.empty()) continue;
    QuarantineEntry e;
    e.cls = id.cls;
    e.name = found;
    e.subdir = sub;
    e.id = id.cls + "/" + found;
    e.path = dir + "/" + found;
    const auto colon = found.find(":2,");
    e.released = colon != std::string::npos && found.find('P', colon + 3) != std::string::npos;
    if (!load_headers(e.path, &e, error)) return false;
    *out = std::move(e);
    return true;
  }
  if (error) *error = "no quarantined message " + id.cls + "/" + id.name;
  return false;
}

bool read_quarantine_message(const QuarantineEntry& e, std::string* original, std::string* error) {
  int fd = open_quarantine_file(e.path);
  if (fd < 0) {
    if (error) *error = "open " + e.path + ": " + std::strerror(errno);
    return false;
  }
  std::string text;
  while (true) {
    std::size_t before = text.size();
    if (!read_prefix(fd, &text, 1 << 20)) {
      if (error) *error = "read " + e.path + ": " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (text.size() == before) break;
  }
  ::close(fd);
  bool complete = false;
  auto h = parse_quarantine_headers(text, &complete, error);
  if (!h || !complete) {
    if (error && error->empty()) *error = e.path + ": no complete quarantine header block";
    return false;
  }
  *original = text.substr(h->block_bytes);
  return true;
}

std::optional<std::int64_t> parse_age(std::string_view s) {
  // The same grammar as `qscan stats --since`, except that a unit is required here.
  if (s.empty() || (s.back() >= '0' && s.back() <= '9')) return std::nullopt;
  return parse_duration(s);
}

}  // namespace qscan::tools
