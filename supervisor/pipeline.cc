#include "supervisor/pipeline.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <regex>

#include "hardening/worker_identity.h"
#include "ipc/arena_reader.h"
#include "ipc/shared_memory.h"
#include "policy/format_checks.h"
#include "policy/policy_eval.h"
#include "supervisor/archive_writer.h"
#include "supervisor/custom_reply.h"
#include "supervisor/daemon_scans.h"
#include "supervisor/exit_codes.h"
#include "supervisor/host_name.h"
#include "supervisor/maildir.h"
#include "supervisor/notifier.h"
#include "supervisor/qmail_queue_exec.h"
#include "supervisor/quarantine_writer.h"
#include "supervisor/spool.h"
#include "supervisor/worker_runner.h"
#include "workers/decode_worker.h"
#include "workers/scan/clamav_scan.h"

namespace qscan::supervisor {
namespace {

bool uses_scanner(const policy::Config& c, std::string_view name) {
  return std::find(c.scanners.begin(), c.scanners.end(), name) != c.scanners.end();
}

using Clock = std::chrono::steady_clock;

constexpr std::size_t kScanArenaBytes = 4u << 20;

std::span<const std::byte> message_bytes(const InputMessage& m) { return m.map.bytes(); }

std::string_view as_view(std::span<const std::byte> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

workers::DecodeOptions decode_options(const policy::Config& c) {
  workers::DecodeOptions o;
  o.max_depth = c.max_depth;
  o.max_parts = c.max_parts;
  o.max_decoded_bytes = c.max_decoded_bytes;
  o.max_file_bytes = c.max_file_bytes;
  o.max_compression_ratio = c.max_compression_ratio;
  o.max_archive_entries = c.max_archive_entries;
  o.max_header_bytes = c.max_header_bytes;
  o.disabled_checks = policy::disabled_format_checks(c);
  o.block_password_protected = c.block_password_protected;
  return o;
}

WorkerSpec spec_for(hardening::WorkerKind kind, const policy::Config& c) {
  WorkerSpec s;
  s.kind = kind;
  s.identity = hardening::cached_worker_user(c.worker_user);
  s.enter_namespaces = c.worker_namespaces;
  s.timeout_ms = c.worker_timeout_ms;
  s.memory_bytes = c.worker_memory_mb << 20;
  s.cpu_seconds = c.worker_cpu_seconds;
  return s;
}

// The arena outlives the worker; once the worker is gone we reseal it read-only so that
// nothing (not even the next worker, which inherits our mappings) can change what we
// validated.
struct ReadOnlyArena {
  ipc::UniqueFd fd;
  ipc::Mapping map;
};

bool freeze_arena(ipc::SharedArena& arena, ReadOnlyArena& out, std::string* error) {
  const std::size_t size = arena.map.size();
  arena.map.reset();
  if (!ipc::seal_readonly(arena.fd.get(), error)) return false;
  out.map = ipc::map_readonly(arena.fd.get(), size, error);
  out.fd = std::move(arena.fd);
  return out.map.size() == size;
}

std::string header_value(const ipc::DecodedArena& d, std::string_view name) {
  for (const auto& h : d.headers) {
    if (h.name.size() == name.size() &&
        std::equal(h.name.begin(), h.name.end(), name.begin(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
      return h.value;
  }
  return {};
}

std::string attachment_name(const PartSummary& p) {
  if (!p.filenames.empty()) return p.filenames.front();
  auto slash = p.path.rfind('/');
  return slash == std::string::npos ? p.path : p.path.substr(slash + 1);
}

struct DecodeStage {
  ipc::DecodedArena decoded;
  ReadOnlyArena arena;
};

// Hits whose names match dlp_monitor are monitored, not blocked (Qmail-Scanner's DLP).
void split_dlp_hits(const policy::Config& cfg, ScanFacts& facts, LogSink& log) {
  if (cfg.dlp_monitor.empty() || facts.hits.empty()) return;
  try {
    const std::regex re(cfg.dlp_monitor, std::regex::ECMAScript | std::regex::icase);
    std::vector<ipc::ScanHitRecord> blocking;
    for (auto& h : facts.hits) {
      // Signature names are short and come from our own signatures: bounded input.
      if (std::regex_search(h.name, re))
        facts.dlp_hits.push_back(h);
      else
        blocking.push_back(h);
    }
    facts.hits = std::move(blocking);
  } catch (const std::regex_error& e) {
    log.event(std::string("dlp_monitor is not a valid regex, ignored: ") + e.what());
  }
}

bool has_finding(const ScanFacts& f, std::string_view check) {
  return std::any_of(f.findings.begin(), f.findings.end(),
                     [&](const ipc::FindingRecord& r) { return r.check == check; });
}

// What the policy file's rules see: envelope, client, decoded headers, every leaf, and the
// virtual headers of Qmail-Scanner 2.x computed from the decoder's findings.
policy::PolicyFacts policy_facts(const PipelineInput& in, const ipc::DecodedArena& d,
                                 const ScanFacts& facts) {
  policy::PolicyFacts pf;
  pf.mail_from = in.envelope.sender;
  pf.rcpt_to = in.envelope.recipients;
  pf.remote_ip = in.client.remote_ip;
  for (const auto& h : d.headers) pf.headers.emplace_back(h.name, h.value);
  for (const auto& p : d.parts) {
    policy::PolicyAttachment a;
    a.names = p.filenames;
    const auto slash = p.path.rfind('/');
    const std::string last = slash == std::string::npos ? p.path : p.path.substr(slash + 1);
    // Archive members are named by their path; MIME parts by number ("2/1"), not a name.
    if (p.decoder == "archive" || p.decoder == "tnef" || p.decoder == "uu") a.names.push_back(last);
    a.size = p.size;
    a.path = p.path;
    if (p.flags & ipc::kPartEncrypted) pf.zip_password_protected = true;
    pf.attachments.push_back(std::move(a));
  }
  pf.crypto = d.crypto;
  pf.file_length_too_long = has_finding(facts, "long_filename");
  pf.file_double_barreled = has_finding(facts, "double_extension");
  pf.file_clsid = has_finding(facts, "clsid_extension");
  pf.sensitive_and_no_crypto = !facts.dlp_hits.empty() && d.crypto.empty();
  return pf;
}

std::string reject_text(const Verdict& v) {
  if (v.qclass == QuarantineClass::kViruses)
    return "this message contains a virus (" + v.reason.substr(v.reason.find(':') + 1) +
           ") and was rejected";
  return "this message was rejected by policy (" + v.reason + ")";
}

}  // namespace

PipelineResult process_message(const PipelineInput& in, LogSink& log) {
  const auto start = Clock::now();
  const policy::Config& cfg = *in.config;
  PipelineResult out;
  ScanFacts facts;
  std::string error;

  // --- decode worker ---
  DecodeStage dec;
  {
    ipc::SharedArena arena;
    const std::size_t arena_size =
        static_cast<std::size_t>(cfg.max_decoded_bytes + in.message->size + (8u << 20));
    if (!ipc::create_arena("qscan-decode-arena", arena_size, arena, &error)) {
      out.exit_code = exit_code::kOutOfMemory;
      out.failures.push_back("cannot create decode arena: " + error);
      log.event(out.failures.back());
      return out;
    }
    const workers::DecodeOptions opts = decode_options(cfg);
    const auto msg = message_bytes(*in.message);
    WorkerResult wr = run_worker(spec_for(hardening::WorkerKind::kDecode, cfg), arena.map.bytes(),
                                 [&](ipc::ArenaWriter& w) { workers::run_decode(msg, opts, w); });
    out.decode = {wr.seconds, wr.max_rss_kb};
    if (!wr.ok) {
      facts.decoder_failure = "decode worker " + wr.failure;
    } else if (!freeze_arena(arena, dec.arena, &error)) {
      facts.decoder_failure = "cannot seal decode arena: " + error;
    } else {
      ipc::ArenaReadResult rr = ipc::read_arena(dec.arena.map.bytes(), {});
      ipc::DecodeLimits limits;
      limits.max_parts = cfg.max_parts + 16;
      limits.max_depth = cfg.max_depth + 1;
      std::string bad = ipc::decode_records(rr, limits, dec.decoded);
      if (!bad.empty()) {
        facts.decoder_failure = "decode worker returned a malformed arena: " + bad;
        dec.decoded = {};
      }
    }
    if (facts.decoder_failure) {
      out.failures.push_back(*facts.decoder_failure);
      log.event(*facts.decoder_failure);
    }
  }
  for (const auto& p : dec.decoded.parts)
    out.parts.push_back(
        {p.path, p.content_type, p.filenames, p.decoder, p.detected_type, p.size, p.flags});
  out.findings = dec.decoded.findings;
  out.crypto = dec.decoded.crypto;
  out.subject = header_value(dec.decoded, "Subject");
  out.message_id = header_value(dec.decoded, "Message-ID");
  facts.findings = dec.decoded.findings;
  facts.has_rewrite = dec.decoded.rewritten_message.has_value();

  // --- scan worker: the raw message (redundant) and every decoded part ---
  std::vector<workers::ScanItem> items;
  if (cfg.redundant || facts.decoder_failure)
    items.push_back({"", message_bytes(*in.message), true});
  for (const auto& p : dec.decoded.parts) {
    if (!p.data.empty()) items.push_back({p.path, p.data, false});
  }
  const bool use_clamav = uses_scanner(cfg, "clamav") && in.engine && in.engine->loaded();
  std::string scratch;
  const std::string scratch_parent = in.dry_run
                                         ? (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp")
                                         : cfg.spool_dir + "/work";
  if (!use_clamav) {
    // clamd and/or spamassassin only: no in-worker engine.
  } else if (!make_scratch_dir(scratch_parent, scratch, &error)) {
    facts.scanner_failure = "cannot create scan scratch dir: " + error;
  } else {
    ipc::SharedArena arena;
    if (!ipc::create_arena("qscan-scan-arena", kScanArenaBytes, arena, &error)) {
      facts.scanner_failure = "cannot create scan arena: " + error;
    } else {
      WorkerSpec spec = spec_for(hardening::WorkerKind::kScan, cfg);
      spec.scratch_dir = scratch;
      spec.max_file_size = cfg.max_decoded_bytes;
      // The worker runs as the worker uid: the scratch directory is its only writable place.
      if (spec.identity && !hardening::give_to_worker(scratch, *spec.identity, &error))
        facts.scanner_failure = "cannot hand the scratch dir to the worker uid: " + error;
      const workers::ClamEngine* engine = in.engine;
      WorkerResult wr = run_worker(spec, arena.map.bytes(), [&](ipc::ArenaWriter& w) {
        std::string e;
        const_cast<workers::ClamEngine*>(engine)->set_tmpdir(scratch, &e);
        workers::run_clamav_scan(*engine, items, w);
      });
      out.scan = {wr.seconds, wr.max_rss_kb};
      ReadOnlyArena ro;
      ipc::DecodedArena scanned;
      if (!wr.ok) {
        facts.scanner_failure = "scan worker " + wr.failure;
      } else if (!freeze_arena(arena, ro, &error)) {
        facts.scanner_failure = "cannot seal scan arena: " + error;
      } else {
        std::string bad = ipc::decode_records(ipc::read_arena(ro.map.bytes(), {}), {}, scanned);
        if (!bad.empty()) {
          facts.scanner_failure = "scan worker returned a malformed arena: " + bad;
        } else if (!scanned.scan_done || scanned.items_scanned != items.size()) {
          facts.scanner_failure = "scan worker did not scan every item";
        } else if (!scanned.scan_errors.empty() && scanned.hits.empty()) {
          const auto& e = scanned.scan_errors.front();
          facts.scanner_failure = "clamav could not scan " +
                                  (e.path.empty() ? "the message" : e.path) + ": " + e.detail;
        }
        facts.hits = scanned.hits;
        for (const auto& s : scanned.scanners) out.scanners.push_back({s.scanner, s.version});
      }
    }
    // What the worker uid left (a killed worker's temp files) must be ours to remove.
    if (hardening::cached_worker_user(cfg.worker_user) && ::geteuid() != 0)
      hardening::take_back_from_worker(scratch);
    remove_tree(scratch);
  }
  if (facts.scanner_failure) {
    out.failures.push_back(*facts.scanner_failure);
    log.event(*facts.scanner_failure);
  }
  if (use_clamav && out.scanners.empty()) out.scanners.push_back({"clamav", in.engine->version()});

  // --- clamd: the raw message (clamd unpacks it itself), over FILDES or zINSTREAM ---
  const std::uint64_t sequence = static_cast<std::uint64_t>(::getpid());
  if (uses_scanner(cfg, "clamd")) {
    ClamdOutcome c = run_clamd_stage(cfg, *in.message, sequence);
    out.daemon_timings.push_back({"clamd", c.timing.seconds, c.timing.max_rss_kb});
    if (c.version) out.scanners.push_back(*c.version);
    facts.hits.insert(facts.hits.end(), c.hits.begin(), c.hits.end());
    if (c.worker_failure && !facts.scanner_failure) facts.scanner_failure = c.worker_failure;
    if (c.unavailable) facts.av_unavailable = c.unavailable;
    for (const auto* why : {&c.worker_failure, &c.unavailable}) {
      if (!*why) continue;
      out.failures.push_back(**why);
      log.event(**why);
    }
  }
  split_dlp_hits(cfg, facts, log);
  out.hits = facts.hits;

  // --- policy file rules over the validated facts ---
  if (in.policy && !in.policy->rules.empty()) {
    const policy::PolicyFacts pf = policy_facts(in, dec.decoded, facts);
    if (auto m = policy::evaluate_policy(*in.policy, pf)) {
      facts.policy_hit = PolicyHit{m->rule->description, m->where,
                                   m->rule->action == policy::RuleAction::kGreylist};
    }
  }

  // --- spamd: AV and policy first; spam only for mail that would otherwise be delivered ---
  std::vector<ipc::HeaderRecord> spam_headers;
  StatusParts sp;
  sp.spam_configured = uses_scanner(cfg, "spamassassin");
  if (sp.spam_configured && decide(facts, cfg).action == Action::kDeliver) {
    SpamOutcome so = run_spamd_stage(cfg, *in.message, in.client, sequence);
    out.daemon_timings.push_back({"spamd", so.timing.seconds, so.timing.max_rss_kb});
    if (!so.skipped.empty()) out.notes.push_back("SpamAssassin skipped: " + so.skipped);
    if (so.unavailable) {
      facts.spam_unavailable = so.unavailable;
      out.failures.push_back(*so.unavailable);
      log.event(*so.unavailable + (cfg.spam_failure == "pass" ? " (passed unchecked)" : ""));
      if (cfg.spam_failure == "pass") out.notes.push_back("spam check failed, passed");
    }
    if (so.ran) {
      facts.spam_ran = true;
      facts.is_spam = so.result.is_spam;
      facts.spam_score = so.result.score_value;
      sp.spam = {true, so.result.is_spam, so.result.score, so.result.threshold};
      spam_headers = so.result.headers;
      out.scanners.push_back({"spamassassin", so.result.version});
    }
  }

  // --- verdict ---
  out.verdict = decide(facts, cfg);
  out.spam_headers = spam_headers;
  sp.dlp = out.verdict.dlp;
  sp.verdict = out.verdict.reason.empty() ? "Clear" : out.verdict.reason;
  sp.client = in.client;
  if (cfg.log_crypto) sp.crypto = out.crypto;
  out.status = status_string(sp);
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();

  if (in.dry_run) {
    out.exit_code = out.verdict.action == Action::kDefer ? exit_code::kTemporaryReject : 0;
    return out;
  }

  // --- actions ---
  const std::time_t now = std::time(nullptr);
  std::string scanner_text;
  for (const auto& s : out.scanners)
    scanner_text += (scanner_text.empty() ? "" : " ") + s.name + ": " + s.version + ".";
  if (out.verdict.action == Action::kQuarantine) {
    QuarantineInput q{in.envelope, out.verdict, scanner_text, as_view(message_bytes(*in.message)),
                      now};
    std::string name;
    const std::string dir =
        cfg.spool_dir + "/quarantine/" + quarantine_dir_name(out.verdict.qclass);
    if (!write_quarantine(dir, q, &name, &error)) {
      out.failures.push_back("quarantine failed: " + error);
      log.event(out.failures.back());
      out.exit_code = exit_code::kWriteError;
      return out;
    }
    out.quarantine_file =
        std::string("quarantine/") + quarantine_dir_name(out.verdict.qclass) + "/new/" + name;
    if (!log.quarantine_line({now, in.envelope.sender, in.envelope.recipients, out.subject,
                              out.verdict.reason, scanner_text}))
      log.event("cannot append to quarantine.log");
    out.exit_code = cfg.reject ? exit_code::kPermanentReject : exit_code::kQueued;
    if (cfg.reject) {
      // Reject mode tells the client in the SMTP reply instead of by alert mail.
      out.custom_text = make_custom_text(true, reject_text(out.verdict));
    } else if (out.verdict.qclass != QuarantineClass::kSpam) {
      NotifyContext nc;
      nc.envelope = &in.envelope;
      nc.verdict = &out.verdict;
      for (const auto& h : dec.decoded.headers) nc.headers.emplace_back(h.name, h.value);
      nc.subject = out.subject;
      nc.message_id = out.message_id;
      nc.quarantine_id = out.quarantine_file;
      nc.scanners = scanner_text;
      out.notifications = send_notifications(cfg, nc, log);
    }
  } else if (out.verdict.action == Action::kDrop) {
    out.exit_code = 0;  // accepted and discarded, as Qmail-Scanner does over sa_delete
    log.event("dropped (" + out.verdict.reason + "): " + out.verdict.description);
  } else if (out.verdict.action == Action::kDefer) {
    out.exit_code = exit_code::kTemporaryReject;
    if (out.verdict.greylist) {
      out.custom_text = make_custom_text(
          false, "greylisted (" + out.verdict.description + "), please try again later");
      log.event("greylisted (" + out.verdict.reason + "): " + out.verdict.description);
    } else {
      log.event("deferred (" + out.verdict.reason + "): " + out.verdict.description);
    }
  } else {
    ReportHeaderInput h{
        in.envelope.sender, &in.client,      host_name(), static_cast<unsigned>(::getuid()),
        out.scanners,       out.status + "", out.seconds, now};
    std::string headers = received_header(h);
    if (cfg.add_headers) headers += x_qmail_scanner_headers(h);
    for (const auto& sh : spam_headers) headers += sh.name + ": " + sh.value + "\n";
    std::string_view body = as_view(message_bytes(*in.message));
    if (out.verdict.rewrite && dec.decoded.rewritten_message)
      body = as_view(*dec.decoded.rewritten_message);
    QueueResult qr = run_qmail_queue(cfg.qmail_queue, {headers, body}, in.envelope_bytes);
    out.exit_code = qr.exit_code;
    if (qr.exit_code != 0) {
      out.failures.push_back(qr.error);
      log.event("qmail-queue failed, message deferred: " + qr.error);
    } else if (!out.verdict.dlp.empty() || should_archive(cfg, in.envelope)) {
      // After qmail-queue accepted it: the archive never holds mail that was not passed.
      std::string name;
      if (write_archive(cfg.spool_dir, {headers, body}, in.envelope, &name, &error))
        out.archive_file = "archive/new/" + name;
      else
        log.event("archive copy failed (message was delivered): " + error);
    }
  }

  LogRecord lr;
  lr.status = out.status;
  lr.seconds = out.seconds;
  lr.size = in.message->size;
  lr.sender = in.envelope.sender;
  lr.subject = out.subject;
  lr.message_id = out.message_id;
  lr.when = now;
  for (const auto& p : out.parts) lr.attachments.emplace_back(attachment_name(p), p.size);
  for (const auto& r : in.envelope.recipients) {
    lr.recipient = r;
    log.message_line(lr);
  }
  return out;
}

}  // namespace qscan::supervisor
