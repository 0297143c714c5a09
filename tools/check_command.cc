#include "tools/check_command.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <limits>
#include <sstream>

#include "supervisor/engine_setup.h"
#include "supervisor/host_name.h"
#include "supervisor/pipeline.h"
#include "tools/json_text.h"

namespace qscan::tools {
namespace {

using supervisor::PipelineResult;

const char* action_name(supervisor::Action a) {
  switch (a) {
    case supervisor::Action::kDeliver:
      return "deliver";
    case supervisor::Action::kQuarantine:
      return "quarantine";
    case supervisor::Action::kDefer:
      return "defer";
    case supervisor::Action::kDrop:
      return "drop";
  }
  return "?";
}

std::string join_names(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& n : v) s += (s.empty() ? "" : ", ") + n;
  return s;
}

void print_text(const std::string& file, const PipelineResult& r) {
  std::cout << "file:     " << file << "\n";
  std::cout << "verdict:  " << (r.verdict.reason.empty() ? "clean" : r.verdict.reason) << "\n";
  std::cout << "action:   " << action_name(r.verdict.action);
  if (r.verdict.qclass != supervisor::QuarantineClass::kNone)
    std::cout << " (quarantine/" << supervisor::quarantine_dir_name(r.verdict.qclass) << ")";
  std::cout << "\n";
  if (!r.verdict.description.empty()) std::cout << "reason:   " << r.verdict.description << "\n";
  std::cout << "status:   " << r.status << "\n";
  std::cout << "parts:    " << r.parts.size() << "\n";
  for (const auto& p : r.parts) {
    std::cout << "  " << p.path << "  " << p.content_type << "  " << p.size << " bytes";
    if (!p.filenames.empty()) std::cout << "  name=" << join_names(p.filenames);
    if (!p.detected_type.empty()) std::cout << "  type=" << p.detected_type;
    std::cout << "  via " << p.decoder << "\n";
  }
  for (const auto& h : r.hits)
    std::cout << "hit:      " << h.name << " (" << h.scanner << ") in "
              << (h.path.empty() ? "raw message" : h.path) << "\n";
  for (const auto& f : r.findings)
    std::cout << "finding:  " << f.check << (f.path.empty() ? "" : " at " + f.path) << ": "
              << f.detail << "\n";
  for (const auto& f : r.failures) std::cout << "failure:  " << f << "\n";
  for (const auto& s : r.scanners) std::cout << "scanner:  " << s.name << " " << s.version << "\n";
  std::cout << "time:     " << r.seconds << " s (decode " << r.decode.seconds << " s, "
            << r.decode.max_rss_kb << " KiB; scan " << r.scan.seconds << " s, " << r.scan.max_rss_kb
            << " KiB)\n";
}

void print_json(const std::string& file, const PipelineResult& r) {
  std::ostringstream o;
  o << "{\"file\":" << json_string(file)
    << ",\"verdict\":" << json_string(r.verdict.reason.empty() ? "clean" : r.verdict.reason)
    << ",\"action\":" << json_string(action_name(r.verdict.action))
    << ",\"quarantine\":" << json_string(supervisor::quarantine_dir_name(r.verdict.qclass))
    << ",\"description\":" << json_string(r.verdict.description)
    << ",\"status\":" << json_string(r.status) << ",\"parts\":[";
  for (std::size_t i = 0; i < r.parts.size(); ++i) {
    const auto& p = r.parts[i];
    o << (i ? "," : "") << "{\"path\":" << json_string(p.path)
      << ",\"content_type\":" << json_string(p.content_type) << ",\"size\":" << p.size
      << ",\"decoder\":" << json_string(p.decoder)
      << ",\"detected_type\":" << json_string(p.detected_type) << ",\"flags\":" << p.flags
      << ",\"filenames\":[";
    for (std::size_t j = 0; j < p.filenames.size(); ++j)
      o << (j ? "," : "") << json_string(p.filenames[j]);
    o << "]}";
  }
  o << "],\"hits\":[";
  for (std::size_t i = 0; i < r.hits.size(); ++i)
    o << (i ? "," : "") << "{\"scanner\":" << json_string(r.hits[i].scanner)
      << ",\"name\":" << json_string(r.hits[i].name) << ",\"path\":" << json_string(r.hits[i].path)
      << "}";
  o << "],\"findings\":[";
  for (std::size_t i = 0; i < r.findings.size(); ++i)
    o << (i ? "," : "") << "{\"check\":" << json_string(r.findings[i].check)
      << ",\"detail\":" << json_string(r.findings[i].detail)
      << ",\"path\":" << json_string(r.findings[i].path) << "}";
  o << "],\"failures\":[";
  for (std::size_t i = 0; i < r.failures.size(); ++i)
    o << (i ? "," : "") << json_string(r.failures[i]);
  rusage self{};
  ::getrusage(RUSAGE_SELF, &self);
  o << "],\"seconds\":" << r.seconds << ",\"decode\":{\"seconds\":" << r.decode.seconds
    << ",\"max_rss_kb\":" << r.decode.max_rss_kb << "},\"scan\":{\"seconds\":" << r.scan.seconds
    << ",\"max_rss_kb\":" << r.scan.max_rss_kb << "},\"supervisor_max_rss_kb\":" << self.ru_maxrss
    << "}\n";
  std::cout << o.str();
}

}  // namespace

int check_command(const std::vector<std::string>& args, const std::string& config_path) {
  std::string file;
  bool json = false;
  supervisor::PipelineInput in;
  in.envelope.sender = "check@localhost";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--envelope-from" && i + 1 < args.size()) {
      in.envelope.sender = args[++i];
    } else if (a == "--rcpt" && i + 1 < args.size()) {
      in.envelope.recipients.push_back(args[++i]);
    } else if (file.empty() && !a.starts_with("--")) {
      file = a;
    } else {
      std::cerr << "qscan check: unexpected argument " << a << "\n";
      return 2;
    }
  }
  if (file.empty()) {
    std::cerr << "usage: qscan check FILE [--envelope-from A] [--rcpt B]... [--json]\n";
    return 2;
  }
  if (in.envelope.recipients.empty()) in.envelope.recipients.push_back("check@localhost");
  policy::ConfigError cerr;
  auto config = policy::load_config(config_path, &cerr);
  if (!config) {
    std::cerr << "qscan check: " << cerr.to_string() << "\n";
    return 2;
  }
  supervisor::set_host_name(config->hostname);
  // Straight into the sealed memfd, as qmail-scanner-queue reads fd 0: no copy in between.
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::cerr << "qscan check: cannot read " << file << ": " << std::strerror(errno) << "\n";
    return 2;
  }
  supervisor::InputMessage message;
  std::string error;
  const int rc =
      supervisor::read_message(fd, std::numeric_limits<std::uint64_t>::max(), message, &error);
  ::close(fd);
  if (rc != 0) {
    std::cerr << "qscan check: " << error << "\n";
    return 2;
  }
  policy::PolicySet rules;
  if (!supervisor::prepare_policy(*config, rules, &error)) {
    std::cerr << "qscan check: " << error << "\n";
    return 2;
  }
  workers::ClamEngine engine;
  if (!supervisor::prepare_scanning(*config, engine, &error)) {
    std::cerr << "qscan check: " << error << "\n";
    return 2;
  }
  in.config = &*config;
  in.engine = &engine;
  in.policy = &rules;
  in.message = &message;
  in.dry_run = true;
  in.client = supervisor::client_from_environment();
  supervisor::LogSink log(*config);
  PipelineResult r = supervisor::process_message(in, log);
  if (json)
    print_json(file, r);
  else
    print_text(file, r);
  return r.verdict.action == supervisor::Action::kDeliver ? 0 : 1;
}

}  // namespace qscan::tools
