// Maildir delivery: write into tmp/, fsync, rename into new/, fsync the directory.
// A crash at any point leaves at most a file in tmp/, never a partial one in new/.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qscan::supervisor {

// Creates dir/{tmp,new,cur} with mode 0700 if missing.
bool ensure_maildir(const std::string& dir, std::string* error);

// Writes the concatenation of `pieces` as one new message. On success `name` receives the
// file's unique name (the part under new/).
bool maildir_deliver(const std::string& dir, const std::vector<std::string_view>& pieces,
                     std::string* name, std::string* error);

// Unique Maildir file name: <sec>.<usec>P<pid>Q<count>.<host>
std::string maildir_unique_name();

}  // namespace qscan::supervisor
