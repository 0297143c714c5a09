// One message through the whole sandboxed pipeline: decode worker, validation, scan
// worker, validation, verdict, and (unless dry-run) the actions: quarantine, delivery
// through qmail-queue, logs. The same code serves qmail-scanner-queue, qscand's
// per-message child and `qscan check`.
#pragma once

#include <string>
#include <vector>

#include "ipc/records.h"
#include "policy/config.h"
#include "policy/policy_rules.h"
#include "supervisor/client_info.h"
#include "supervisor/envelope.h"
#include "supervisor/log_sink.h"
#include "supervisor/message_input.h"
#include "supervisor/scan_report.h"
#include "supervisor/verdict.h"
#include "workers/scan/clamav_engine.h"

namespace qscan::supervisor {

struct PipelineInput {
  const policy::Config* config = nullptr;
  const workers::ClamEngine* engine = nullptr;
  const policy::PolicySet* policy = nullptr;  // quarantine-attachments.txt rules (may be empty)
  const InputMessage* message = nullptr;
  Envelope envelope;
  std::string envelope_bytes;  // passed on unchanged
  ClientInfo client;
  bool dry_run = false;  // qscan check: no qmail-queue, no spool writes
};

struct PartSummary {
  std::string path;
  std::string content_type;
  std::vector<std::string> filenames;
  std::string decoder;
  std::string detected_type;
  std::uint64_t size = 0;
  std::uint64_t flags = 0;
};

struct WorkerTiming {
  double seconds = 0;
  long max_rss_kb = 0;
};

struct PipelineResult {
  int exit_code = 0;
  Verdict verdict;
  std::string status;  // status_string()
  std::vector<PartSummary> parts;
  std::vector<ipc::ScanHitRecord> hits;
  std::vector<ipc::FindingRecord> findings;
  std::vector<std::string> crypto;
  std::vector<ScannerVersion> scanners;
  std::vector<std::string> failures;  // worker failures and other logged problems
  std::string quarantine_file;        // spool-relative path when quarantined
  std::string archive_file;
  int notifications = 0;    // alerts queued           // spool-relative path of the archive copy
  std::string custom_text;  // custom SMTP reply for reject mode (custom_error)
  std::string subject;
  std::string message_id;
  WorkerTiming decode;
  WorkerTiming scan;
  struct DaemonTiming {
    std::string name;  // "clamd", "spamd"
    double seconds = 0;
    long max_rss_kb = 0;
  };
  std::vector<DaemonTiming> daemon_timings;
  std::vector<ipc::HeaderRecord> spam_headers;  // X-Spam-* added on delivery
  std::vector<std::string> notes;               // e.g. "SpamAssassin skipped: relay client"
  double seconds = 0;
};

PipelineResult process_message(const PipelineInput& in, LogSink& log);

}  // namespace qscan::supervisor
