#include "ipc/shared_memory.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace qscan::ipc {
namespace {

void set_error(std::string* error, std::string_view what) {
  if (error) *error = std::string(what) + ": " + std::strerror(errno);
}

Mapping map_fd(int fd, std::size_t size, int prot, std::string* error) {
  if (size == 0) return {};
  void* p = ::mmap(nullptr, size, prot, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    set_error(error, "mmap");
    return {};
  }
  return Mapping(p, size);
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) reset(o.release());
  return *this;
}

UniqueFd::~UniqueFd() { reset(); }

int UniqueFd::release() { return std::exchange(fd_, -1); }

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Mapping::Mapping(Mapping&& o) noexcept
    : addr_(std::exchange(o.addr_, nullptr)), size_(std::exchange(o.size_, 0)) {}

Mapping& Mapping::operator=(Mapping&& o) noexcept {
  if (this != &o) {
    reset();
    addr_ = std::exchange(o.addr_, nullptr);
    size_ = std::exchange(o.size_, 0);
  }
  return *this;
}

Mapping::~Mapping() { reset(); }

void Mapping::reset() {
  if (addr_) ::munmap(addr_, size_);
  addr_ = nullptr;
  size_ = 0;
}

UniqueFd create_memfd(std::string_view name, std::string* error) {
  std::string n(name);
  int fd = ::memfd_create(n.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) set_error(error, "memfd_create");
  return UniqueFd(fd);
}

bool seal_readonly(int fd, std::string* error) {
  if (::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
    set_error(error, "F_ADD_SEALS");
    return false;
  }
  return true;
}

Mapping map_readonly(int fd, std::size_t size, std::string* error) {
  return map_fd(fd, size, PROT_READ, error);
}

Mapping map_shared_rw(int fd, std::size_t size, std::string* error) {
  return map_fd(fd, size, PROT_READ | PROT_WRITE, error);
}

bool create_arena(std::string_view name, std::size_t size, SharedArena& out, std::string* error) {
  out.fd = create_memfd(name, error);
  if (!out.fd) return false;
  if (::ftruncate(out.fd.get(), static_cast<off_t>(size)) != 0) {
    set_error(error, "ftruncate arena");
    return false;
  }
  out.map = map_shared_rw(out.fd.get(), size, error);
  return out.map.size() == size;
}

}  // namespace qscan::ipc
