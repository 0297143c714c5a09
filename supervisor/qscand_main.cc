// qscand [--foreground] [--config FILE]: the resident supervisor.
#include <iostream>
#include <string>

#include "supervisor/daemon.h"

int main(int argc, char** argv) {
  qscan::supervisor::DaemonOptions opts;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--foreground") {
      opts.foreground = true;
    } else if (a == "--config" && i + 1 < argc) {
      opts.config_path = argv[++i];
    } else {
      std::cerr << "usage: qscand [--foreground] [--config FILE]\n";
      return 2;
    }
  }
  return qscan::supervisor::run_daemon(opts);
}
