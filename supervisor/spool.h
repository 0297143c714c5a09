// The spool: quarantine/{viruses,policy,spam}/ and archive/ Maildirs, work/ for
// per-message scratch directories, and the log files. Created 0700, owned by qscand.
#pragma once

#include <string>

namespace qscan::supervisor {

bool prepare_spool(const std::string& spool_dir, std::string* error);

// A private, empty directory for one message's libclamav temp files; removed (with
// anything left inside) by remove_tree.
bool make_scratch_dir(const std::string& parent, std::string& out, std::string* error);
void remove_tree(const std::string& dir);

}  // namespace qscan::supervisor
