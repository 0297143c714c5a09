// Handing a message on: fork+exec of the real qmail-queue with the message on its fd 0 and
// the envelope on its fd 1, both through pipes, in the order qmail-queue reads them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qscan::supervisor {

struct QueueResult {
  int exit_code = 0;  // qmail-queue's own code; 81 if it could not run or was killed
  std::string error;  // set when exit_code != 0
};

QueueResult run_qmail_queue(const std::string& program,
                            const std::vector<std::string_view>& message,
                            std::string_view envelope);

}  // namespace qscan::supervisor
