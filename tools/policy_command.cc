#include "tools/policy_command.h"

#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "policy/policy_rules.h"

namespace qscan::tools {
namespace {

using policy::PolicyError;
using policy::PolicySet;

int usage() {
  std::cerr << "usage: qscan policy check FILE\n"
               "       qscan policy compile FILE [-o OUT]   (default OUT: FILE.compiled)\n"
               "       qscan policy show FILE               (text or .compiled)\n";
  return 2;
}

// Loads FILE (text, or compiled when it ends in .compiled); reports problems on stderr.
bool load(const std::string& file, PolicySet& set) {
  if (file.ends_with(".compiled")) {
    std::string error;
    if (policy::load_policy(file, set, &error)) return true;
    std::cerr << error << "\n";
    return false;
  }
  std::vector<PolicyError> errors;
  if (policy::load_policy_file(file, set, errors)) return true;
  for (const PolicyError& e : errors) {
    if (e.line != 0)
      std::cerr << file << ":" << e.line << ": " << e.message << "\n";
    else
      std::cerr << e.message << "\n";  // already names the file
  }
  return false;
}

// Writes atomically: OUT.tmp.PID then rename, so the supervisor never reads half a file.
bool write_file(const std::string& out, const std::string& text) {
  const std::string tmp = out + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) {
      std::cerr << "cannot write " << tmp << ": " << std::strerror(errno) << "\n";
      ::unlink(tmp.c_str());
      return false;
    }
  }
  if (::rename(tmp.c_str(), out.c_str()) != 0) {
    std::cerr << "cannot rename " << tmp << " to " << out << ": " << std::strerror(errno) << "\n";
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace

int policy_command(const std::vector<std::string>& args, const std::string& /*config_path*/) {
  if (args.size() < 2) return usage();
  const std::string& sub = args[0];
  const std::string& file = args[1];
  if (sub == "check") {
    if (args.size() != 2) return usage();
    PolicySet set;
    if (!load(file, set)) return 1;
    std::cout << file << ": OK, " << set.rules.size()
              << (set.rules.size() == 1 ? " rule\n" : " rules\n");
    return 0;
  }
  if (sub == "compile") {
    std::string out = file + ".compiled";
    if (args.size() == 4 && args[2] == "-o") {
      out = args[3];
    } else if (args.size() != 2) {
      return usage();
    }
    if (file.ends_with(".compiled")) {
      std::cerr << file << ": already compiled\n";
      return 1;
    }
    PolicySet set;
    if (!load(file, set)) return 1;
    if (!write_file(out, policy::compile_policy(set))) return 1;
    std::cout << "wrote " << out << " (" << set.rules.size()
              << (set.rules.size() == 1 ? " rule)\n" : " rules)\n");
    return 0;
  }
  if (sub == "show") {
    if (args.size() != 2) return usage();
    PolicySet set;
    if (!load(file, set)) return 1;
    std::cout << policy::show_policy(set);
    return 0;
  }
  return usage();
}

}  // namespace qscan::tools
