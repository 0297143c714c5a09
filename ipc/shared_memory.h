// memfd-backed shared memory: the sealed read-only message and the writable output arena.
// We use memfd rather than Boost.Interprocess's named shm objects because an anonymous
// memfd has no name in /dev/shm that another process could open, can be sealed, and is
// inherited across fork with nothing to clean up.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace qscan::ipc {

// An owned file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
  int get() const { return fd_; }
  int release();
  void reset(int fd = -1);
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// An mmap()ed region, unmapped on destruction.
class Mapping {
 public:
  Mapping() = default;
  Mapping(void* addr, std::size_t size) : addr_(addr), size_(size) {}
  Mapping(Mapping&& o) noexcept;
  Mapping& operator=(Mapping&& o) noexcept;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping();
  std::span<std::byte> bytes() const { return {static_cast<std::byte*>(addr_), size_}; }
  std::size_t size() const { return size_; }
  void reset();

 private:
  void* addr_ = nullptr;
  std::size_t size_ = 0;
};

// Creates an empty, sealable memfd (close-on-exec). Returns an invalid fd and sets
// `error` on failure.
UniqueFd create_memfd(std::string_view name, std::string* error);

// Seals `fd` against any change (shrink, grow, write, further seals).
bool seal_readonly(int fd, std::string* error);

// Maps `size` bytes of `fd`. A zero size maps nothing and succeeds.
Mapping map_readonly(int fd, std::size_t size, std::string* error);
Mapping map_shared_rw(int fd, std::size_t size, std::string* error);

// Creates a memfd of `size` bytes mapped shared read-write: the output arena.
struct SharedArena {
  UniqueFd fd;
  Mapping map;
};
bool create_arena(std::string_view name, std::size_t size, SharedArena& out, std::string* error);

}  // namespace qscan::ipc
