#include "supervisor/notifier.h"

#include <limits.h>
#include <unistd.h>

#include "policy/notify.h"
#include "supervisor/host_name.h"
#include "supervisor/qmail_queue_exec.h"
#include "supervisor/scan_report.h"

namespace qscan::supervisor {

std::string shared_data_dir() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "/usr/share/qscan";
  std::string exe(buf, static_cast<std::size_t>(n));
  std::string bin = exe.substr(0, exe.rfind('/'));
  return bin.substr(0, bin.rfind('/')) + "/share/qscan";
}

int send_notifications(const policy::Config& cfg, const NotifyContext& ctx, LogSink& log) {
  const Verdict& v = *ctx.verdict;
  policy::NotifyInput ni;
  ni.sender = ctx.envelope->sender;
  ni.recipients = ctx.envelope->recipients;
  ni.modes = cfg.notify;
  ni.admin_address = cfg.admin_address;
  ni.local_domain = host_name();
  ni.is_virus = v.qclass == QuarantineClass::kViruses;
  if (ni.is_virus) ni.virus_name = v.reason.substr(v.reason.find(':') + 1);
  ni.list_mail = policy::is_list_mail(ctx.headers);
  ni.forging_patterns = cfg.forging_viruses;
  const policy::NotifySelection sel = policy::select_notify_targets(ni);
  for (const auto& why : sel.skipped) log.event("notify: " + why);

  policy::AlertFields f;
  f.reason = v.reason;
  f.description = v.description;
  f.sender = ctx.envelope->sender;
  for (const auto& r : ctx.envelope->recipients)
    f.recipients += (f.recipients.empty() ? "" : ", ") + r;
  f.subject = ctx.subject;
  f.message_id = ctx.message_id;
  f.quarantine_id = ctx.quarantine_id;
  f.hostname = host_name();
  f.scanners = ctx.scanners;
  const std::string templates = shared_data_dir() + "/templates";
  int sent = 0;
  for (const auto& t : sel.targets) {
    std::string error;
    const std::string alert =
        policy::build_alert(templates, cfg.lang, t.kind, t.address, f, &error);
    if (alert.empty()) {
      log.event("notify " + t.address + ": " + error);
      continue;
    }
    const std::string env = encode_envelope(Envelope{"", {t.address}});
    QueueResult qr = run_qmail_queue(cfg.qmail_queue, {alert}, env);
    if (qr.exit_code != 0) {
      log.event("notify " + t.address + ": qmail-queue failed: " + qr.error);
      continue;
    }
    ++sent;
  }
  return sent;
}

}  // namespace qscan::supervisor
