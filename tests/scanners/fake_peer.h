// A test-only fake daemon on the far end of a socketpair: the worker function gets one end,
// a thread serves the other: reads the request (until `request_done` says it is complete,
// the client stops sending, or 5 s pass), then sends a canned reply and closes (or, with
// hold_open, keeps the connection open without replying, for timeout tests).
#pragma once

#include <functional>
#include <string>
#include <thread>

#include "ipc/shared_memory.h"

namespace qscan::testing {

class FakePeer {
 public:
  using RequestDone = std::function<bool(const std::string& request)>;
  FakePeer(std::string reply, RequestDone request_done, bool hold_open = false);
  ~FakePeer();
  FakePeer(const FakePeer&) = delete;
  FakePeer& operator=(const FakePeer&) = delete;

  int client_fd() const { return client_.get(); }
  // The request bytes the fake received; valid after join().
  const std::string& request() const { return request_; }
  // Closes the client end and waits for the serving thread (call after the client is done).
  void join();
  // Descriptors received with the request (SCM_RIGHTS), kept open until destruction.
  int received_fds() const { return received_fds_; }

 private:
  void serve(std::string reply, RequestDone request_done, bool hold_open);

  ipc::UniqueFd client_;
  ipc::UniqueFd server_;
  std::string request_;
  int received_fds_ = 0;
  std::thread thread_;
};

// request_done predicates
bool clamd_request_done(const std::string& request);  // ends with "zEND\0"
bool spamd_request_done(const std::string& request);  // head + Content-length bytes

}  // namespace qscan::testing
