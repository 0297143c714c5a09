#include "workers/daemons/pool.h"

#include "workers/daemons/connect.h"

namespace qscan::daemons {

std::vector<std::size_t> pool_order(std::size_t count, std::uint64_t sequence) {
  std::vector<std::size_t> order;
  if (count == 0) return order;
  std::size_t start = static_cast<std::size_t>(sequence % count);
  for (std::size_t i = 0; i < count; ++i) order.push_back((start + i) % count);
  return order;
}

PoolConnection connect_pool(const std::vector<std::string>& addresses, std::uint64_t sequence,
                            int timeout_ms, std::string* error) {
  PoolConnection out;
  for (std::size_t i : pool_order(addresses.size(), sequence)) {
    std::string why;
    ipc::UniqueFd fd = connect_daemon(addresses[i], timeout_ms, &why);
    if (fd) {
      out.fd = std::move(fd);
      out.address = addresses[i];
      out.is_unix = is_unix_address(addresses[i]);
      return out;
    }
    out.failures.push_back(why);
  }
  if (error) {
    std::string joined = addresses.empty() ? "no daemon address configured" : "";
    for (const std::string& f : out.failures) joined += (joined.empty() ? "" : "; ") + f;
    *error = joined;
  }
  return out;
}

}  // namespace qscan::daemons
