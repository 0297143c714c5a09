#include "supervisor/daemon.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <set>

#include "hardening/worker_identity.h"
#include "ipc/daemon_protocol.h"
#include "ipc/fd_passing.h"
#include "supervisor/daemon_socket.h"
#include "supervisor/engine_setup.h"
#include "supervisor/exit_codes.h"
#include "supervisor/host_name.h"
#include "supervisor/log_sink.h"
#include "supervisor/message_handler.h"

namespace qscan::supervisor {
namespace {

using Clock = std::chrono::steady_clock;

// Read from the request before a connection counts as stalled and is dropped.
constexpr auto kRequestTimeout = std::chrono::seconds(5);

// After this many spares in a row die unused, qscand forks per message only.
constexpr int kMaxSpareFailures = 3;

struct Connection {
  ipc::UniqueFd sock;
  Clock::time_point since;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<ipc::UniqueFd> fds;  // message, envelope
};

void send_reply(int sock, int code, const std::string& text = {}) {
  const std::string r = ipc::encode_reply({code, text});
  ssize_t w = ::send(sock, r.data(), r.size(), MSG_NOSIGNAL);
  (void)w;
}

// The generation of everything a reload replaces: swapped whole, only once it loaded.
struct Generation {
  std::unique_ptr<policy::Config> config;
  std::unique_ptr<workers::ClamEngine> engine;
  std::unique_ptr<policy::PolicySet> policy;
};

class Daemon {
 public:
  explicit Daemon(DaemonOptions opts) : opts_(std::move(opts)) {}
  int run();

 private:
  bool load(Generation& g, std::string* error);
  bool drop_privileges(std::string* error);
  void accept_new();
  void read_request(std::size_t index);
  void start_ready();
  void spawn(Connection c);
  void become_message_supervisor();
  [[noreturn]] void serve(Connection c);
  void make_spare();
  void retire_spare();
  void reap();
  void expire_queue();
  void reload();
  int poll_timeout_ms() const;

  DaemonOptions opts_;
  Generation gen_;
  std::unique_ptr<LogSink> log_;
  ipc::UniqueFd listen_;
  ipc::UniqueFd signals_;
  std::vector<Connection> reading_;  // accepted, request not read yet
  std::deque<Connection> queue_;     // waiting for a free slot
  std::set<pid_t> running_;
  struct Spare {
    pid_t pid = -1;
    ipc::UniqueFd sock;
  } spare_;
  std::set<pid_t> retired_;  // spares told to exit
  int spare_failures_ = 0;   // spares in a row that died unused
  bool stopping_ = false;
};

bool Daemon::load(Generation& g, std::string* error) {
  policy::ConfigError cerr;
  auto cfg = policy::load_config(opts_.config_path, &cerr);
  if (!cfg) {
    *error = "config: " + cerr.to_string();
    return false;
  }
  g.config = std::make_unique<policy::Config>(std::move(*cfg));
  g.policy = std::make_unique<policy::PolicySet>();
  if (!prepare_policy(*g.config, *g.policy, error)) return false;
  g.engine = std::make_unique<workers::ClamEngine>();
  return prepare_scanning(*g.config, *g.engine, error);
}

bool Daemon::drop_privileges(std::string* error) {
  if (::geteuid() != 0) return true;
  const passwd* pw = ::getpwnam(gen_.config->user.c_str());
  if (!pw) {
    *error = "started as root but user " + gen_.config->user + " does not exist";
    return false;
  }
  const std::string& path = gen_.config->daemon_socket;
  if (::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    *error = "chown " + path + ": " + std::strerror(errno);
    return false;
  }
  if (pw->pw_uid == 0) return true;  // user = "root": nothing to drop
  // Workers get their own uid (worker_user) unless it is the daemon's own: then qscand
  // keeps only what switching to it takes (CAP_SETUID, CAP_SETGID, CAP_CHOWN, permitted,
  // not effective) instead of dropping every privilege.
  const auto& worker = hardening::cached_worker_user(gen_.config->worker_user);
  const std::string name = pw->pw_name;
  const uid_t uid = pw->pw_uid;
  const gid_t gid = pw->pw_gid;
  std::string why;
  if (worker && worker->uid != uid) {
    if (!hardening::drop_root_keeping_worker_switch(name.c_str(), uid, gid, &why)) {
      *error = "dropping privileges: " + why;
      return false;
    }
    log_->event("running as " + name + "; workers as " + worker->name + " (uid " +
                std::to_string(worker->uid) + ")");
    return true;
  }
  if (::initgroups(name.c_str(), gid) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) {
    *error = std::string("dropping privileges: ") + std::strerror(errno);
    return false;
  }
  return true;
}

int Daemon::run() {
  std::string error;
  if (!load(gen_, &error)) {
    std::cerr << "qscand: " << error << "\n";
    return 1;
  }
  set_host_name(gen_.config->hostname);
  log_ = std::make_unique<LogSink>(*gen_.config);
  listen_ = listen_unix(gen_.config->daemon_socket, &error);
  if (!listen_ || !drop_privileges(&error)) {
    std::cerr << "qscand: " << error << "\n";
    return 1;
  }
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGCHLD, SIGHUP, SIGTERM, SIGINT}) sigaddset(&mask, s);
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  signals_.reset(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  log_->event("qscand started: " + std::to_string(gen_.engine->signatures()) +
              " signatures, clamav " + gen_.engine->version() + ", socket " +
              gen_.config->daemon_socket);

  while (!stopping_ || !running_.empty()) {
    std::vector<pollfd> pfds;
    pfds.push_back({signals_.get(), POLLIN, 0});
    pfds.push_back({stopping_ ? -1 : listen_.get(), POLLIN, 0});
    for (const auto& c : reading_) pfds.push_back({c.sock.get(), POLLIN, 0});
    int n = ::poll(pfds.data(), pfds.size(), poll_timeout_ms());
    if (n < 0 && errno != EINTR) break;
    if (n > 0 && (pfds[0].revents & POLLIN)) {
      signalfd_siginfo si;
      while (::read(signals_.get(), &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGCHLD) reap();
        if (si.ssi_signo == SIGHUP) reload();
        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
          if (!stopping_)
            log_->event("qscand stopping: finishing " + std::to_string(running_.size()) +
                        " messages");
          stopping_ = true;
        }
      }
    }
    if (n > 0 && (pfds[1].revents & POLLIN)) accept_new();
    for (std::size_t i = pfds.size(); i-- > 2;) {
      if (pfds[i].revents) read_request(i - 2);
    }
    if (stopping_) {
      for (auto& c : queue_) send_reply(c.sock.get(), exit_code::kTemporaryReject);
      queue_.clear();
      reading_.clear();
      if (listen_) {
        ::unlink(gen_.config->daemon_socket.c_str());
        listen_.reset();
      }
    }
    expire_queue();
    start_ready();
    if (stopping_) retire_spare();
    // Only while nothing runs: forking beside a running message slows that message down
    // (the fork and its exit contend for the same memory-management locks).
    if (running_.empty()) make_spare();
  }
  log_->event("qscand stopped");
  return 0;
}

int Daemon::poll_timeout_ms() const {
  if (queue_.empty() && reading_.empty()) return -1;
  return 50;
}

void Daemon::accept_new() {
  for (;;) {
    int fd = ::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    ipc::UniqueFd sock(fd);
    uid_t uid = 0;
    if (!peer_allowed(fd, gen_.config->allowed_uids, &uid)) {
      log_->event("refused connection from uid " + std::to_string(uid) + " (not in allowed_uids)");
      continue;  // closing without a reply: the client defers with 71
    }
    reading_.push_back({std::move(sock), Clock::now(), {}, {}});
  }
}

void Daemon::read_request(std::size_t index) {
  Connection c = std::move(reading_[index]);
  reading_.erase(reading_.begin() + static_cast<std::ptrdiff_t>(index));
  std::string data, error;
  long n = ipc::recv_with_fds(c.sock.get(), data, ipc::kMaxRequestBytes, c.fds, &error);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    reading_.push_back(std::move(c));
    return;
  }
  auto env = n > 0 ? ipc::decode_request(data) : std::nullopt;
  if (!env || c.fds.size() != 2) {
    log_->event("malformed request from client" + (error.empty() ? "" : ": " + error));
    send_reply(c.sock.get(), exit_code::kTemporaryReject);
    return;
  }
  c.env = std::move(*env);
  c.since = Clock::now();
  queue_.push_back(std::move(c));
}

void Daemon::expire_queue() {
  const auto now = Clock::now();
  const auto max_wait = std::chrono::milliseconds(gen_.config->max_wait_ms);
  while (!queue_.empty() && now - queue_.front().since > max_wait) {
    log_->event("deferred a message: waited over max_wait_ms for a free slot (" +
                std::to_string(running_.size()) + " running)");
    send_reply(queue_.front().sock.get(), exit_code::kTemporaryReject);
    queue_.pop_front();
  }
  std::erase_if(reading_, [&](const Connection& c) { return now - c.since > kRequestTimeout; });
}

void Daemon::start_ready() {
  while (!queue_.empty() && running_.size() < gen_.config->max_concurrent) {
    Connection c = std::move(queue_.front());
    queue_.pop_front();
    spawn(std::move(c));
  }
}

void Daemon::spawn(Connection c) {
  if (spare_.pid > 0) {
    // The spare is already forked: hand it the connection, the message and the envelope.
    const int fds[3] = {c.sock.get(), c.fds[0].get(), c.fds[1].get()};
    std::string error;
    const pid_t pid = spare_.pid;
    const bool sent =
        ipc::send_with_fds(spare_.sock.get(), ipc::encode_request(c.env), fds, &error);
    retire_spare();
    if (sent) {
      retired_.erase(pid);
      running_.insert(pid);
      spare_failures_ = 0;
      return;
    }
    log_->event("spare message supervisor did not take a message: " + error);
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    log_->event(std::string("fork: ") + std::strerror(errno));
    send_reply(c.sock.get(), exit_code::kTemporaryReject);
    return;
  }
  if (pid > 0) {
    running_.insert(pid);
    return;
  }
  become_message_supervisor();
  serve(std::move(c));
}

// The per-message supervisor. It dies with qscand (a killed daemon leaves no orphan
// half-way through qmail-queue: the client sees the socket close and defers).
void Daemon::become_message_supervisor() {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() == 1) ::_exit(0);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  listen_.reset();
  signals_.reset();
  reading_.clear();
  queue_.clear();
}

void Daemon::serve(Connection c) {
  int flags = ::fcntl(c.sock.get(), F_GETFL);
  ::fcntl(c.sock.get(), F_SETFL, flags & ~O_NONBLOCK);
  HandleResult r = handle_message(*gen_.config, *gen_.engine, *gen_.policy, c.fds[0].get(),
                                  c.fds[1].get(), client_from_pairs(c.env), *log_);
  send_reply(c.sock.get(), r.exit_code, r.custom_text);
  ::_exit(0);
}

// One message supervisor forked ahead of time, so the fork (copying qscand's mappings and
// the engine's page tables) is not in the next message's latency. It waits on a
// socketpair for a connection; a closed socketpair (reload, shutdown) makes it exit.
void Daemon::make_spare() {
  if (stopping_ || spare_.pid > 0 || spare_failures_ >= kMaxSpareFailures) return;
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return;
  ipc::UniqueFd ours(sv[0]), theirs(sv[1]);
  pid_t pid = ::fork();
  if (pid < 0) return;
  if (pid > 0) {
    spare_ = {pid, std::move(ours)};
    return;
  }
  ours.reset();
  become_message_supervisor();
  std::string data, error;
  std::vector<ipc::UniqueFd> fds;
  long n = -1;
  do {
    n = ipc::recv_with_fds(theirs.get(), data, ipc::kMaxRequestBytes, fds, &error);
  } while (n < 0 && errno == EINTR);
  auto env = n > 0 ? ipc::decode_request(data) : std::nullopt;
  if (!env || fds.size() != 3) ::_exit(0);  // retired without a message
  theirs.reset();
  Connection c;
  c.sock = std::move(fds[0]);
  c.env = std::move(*env);
  c.fds.push_back(std::move(fds[1]));
  c.fds.push_back(std::move(fds[2]));
  serve(std::move(c));
}

// Closing our end tells an idle spare to exit; it is reaped without a complaint.
void Daemon::retire_spare() {
  if (spare_.pid <= 0) return;
  retired_.insert(spare_.pid);
  spare_ = {};
}

void Daemon::reap() {
  int status;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid == spare_.pid) {
      // Died before it got a message: not a message failure, but do not fork forever.
      log_->event("spare message supervisor " + std::to_string(pid) + " ended unused (status " +
                  std::to_string(status) + ")");
      spare_ = {};
      ++spare_failures_;
      continue;
    }
    if (retired_.erase(pid)) continue;
    running_.erase(pid);
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
      log_->event("message supervisor " + std::to_string(pid) + " ended abnormally (status " +
                  std::to_string(status) + ")");
  }
}

void Daemon::reload() {
  Generation next;
  std::string error;
  if (!load(next, &error)) {
    log_->event("reload failed, keeping the running configuration: " + error);
    return;
  }
  if (next.config->daemon_socket != gen_.config->daemon_socket)
    log_->event("reload: daemon_socket change needs a restart; keeping " +
                gen_.config->daemon_socket);
  next.config->daemon_socket = gen_.config->daemon_socket;
  // Children hold their own copies (fork), so the old generation can go now; the spare
  // holds the old one too, so it is replaced.
  retire_spare();
  gen_ = std::move(next);
  set_host_name(gen_.config->hostname);
  log_ = std::make_unique<LogSink>(*gen_.config);
  log_->event("reloaded: " + std::to_string(gen_.engine->signatures()) + " signatures");
}

}  // namespace

int run_daemon(const DaemonOptions& options) { return Daemon(options).run(); }

}  // namespace qscan::supervisor
