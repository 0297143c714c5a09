// enospc_preload.so: an LD_PRELOAD shim that makes the filesystem under one path prefix
// look full, for the fault-injection tests (tests/faults/faults_test.cc).
//
//   QSCAN_ENOSPC_PREFIX=/abs/dir    paths starting with this are "on the full disk"
//   QSCAN_ENOSPC_OPS=write,fsync,dirfsync,rename,open
//                                   which operations fail with ENOSPC (default: write);
//                                   "fsync" = fsync/fdatasync of files, "dirfsync" = of
//                                   directories (opened with O_DIRECTORY)
//   QSCAN_ENOSPC_AFTER=N            with "write": the first N bytes written to files under
//                                   the prefix succeed (the write that crosses N is short),
//                                   every later write fails (default 0)
//   QSCAN_ENOSPC_LOG=1              one line on stderr per injected failure
//
// Files are recognised by the path given to open/openat/creat (recorded per fd, so
// write/fsync need no syscall to find their path: the sandboxed workers inherit this shim
// across fork and must not make unexpected syscalls). Only absolute paths are matched.
// Everything is read once, in the constructor, before any worker is forked.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_FDS 4096

static char g_prefix[4096];
static size_t g_prefix_len;
static int g_fail_write, g_fail_fsync, g_fail_dirfsync, g_fail_rename, g_fail_open, g_log;
static unsigned long long g_after, g_written;
static unsigned char g_tracked[MAX_FDS];

static int (*real_open)(const char*, int, ...);
static int (*real_open64)(const char*, int, ...);
static int (*real_openat)(int, const char*, int, ...);
static int (*real_openat64)(int, const char*, int, ...);
static int (*real_creat)(const char*, mode_t);
static ssize_t (*real_write)(int, const void*, size_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_close)(int);
static int (*real_rename)(const char*, const char*);
static int (*real_renameat)(int, const char*, int, const char*);
static int (*real_renameat2)(int, const char*, int, const char*, unsigned);

__attribute__((constructor)) static void init(void) {
  real_open = dlsym(RTLD_NEXT, "open");
  real_open64 = dlsym(RTLD_NEXT, "open64");
  real_openat = dlsym(RTLD_NEXT, "openat");
  real_openat64 = dlsym(RTLD_NEXT, "openat64");
  real_creat = dlsym(RTLD_NEXT, "creat");
  real_write = dlsym(RTLD_NEXT, "write");
  real_fsync = dlsym(RTLD_NEXT, "fsync");
  real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
  real_close = dlsym(RTLD_NEXT, "close");
  real_rename = dlsym(RTLD_NEXT, "rename");
  real_renameat = dlsym(RTLD_NEXT, "renameat");
  real_renameat2 = dlsym(RTLD_NEXT, "renameat2");
  const char* p = getenv("QSCAN_ENOSPC_PREFIX");
  if (p && *p == '/' && strlen(p) < sizeof g_prefix) {
    strcpy(g_prefix, p);
    g_prefix_len = strlen(p);
  }
  const char* ops = getenv("QSCAN_ENOSPC_OPS");
  if (!ops || !*ops) ops = "write";
  g_fail_write = strstr(ops, "write") != NULL;
  g_fail_dirfsync = strstr(ops, "dirfsync") != NULL;
  {
    /* "fsync" as a word of its own: not only inside "dirfsync". */
    const char* q = ops;
    g_fail_fsync = 0;
    while ((q = strstr(q, "fsync")) != NULL) {
      if (q == ops || q[-1] == ',') g_fail_fsync = 1;
      q += 5;
    }
  }
  g_fail_rename = strstr(ops, "rename") != NULL;
  g_fail_open = strstr(ops, "open") != NULL;
  const char* a = getenv("QSCAN_ENOSPC_AFTER");
  if (a) g_after = strtoull(a, NULL, 10);
  const char* l = getenv("QSCAN_ENOSPC_LOG");
  g_log = l && *l == '1';
}

static int matches(const char* path) {
  return g_prefix_len && path && strncmp(path, g_prefix, g_prefix_len) == 0;
}

static void note(const char* what, const char* path) {
  if (!g_log) return;
  char buf[512];
  int n = snprintf(buf, sizeof buf, "enospc_preload: %s %s -> ENOSPC\n", what, path ? path : "");
  if (n > 0 && real_write)
    real_write(2, buf, (size_t)(n < (int)sizeof buf ? n : (int)sizeof buf - 1));
}

// g_tracked: 0 = not under the prefix, 1 = a file, 2 = a directory.
static int track(int fd, const char* path, int flags) {
  if (fd >= 0 && fd < MAX_FDS)
    g_tracked[fd] = (unsigned char)(matches(path) ? ((flags & O_DIRECTORY) ? 2 : 1) : 0);
  return fd;
}

static int creating(const char* path, int flags) {
  return g_fail_open && (flags & O_CREAT) && matches(path);
}

#define OPEN_MODE(flags, mode)           \
  mode_t mode = 0;                       \
  if ((flags) & (O_CREAT | O_TMPFILE)) { \
    va_list ap;                          \
    va_start(ap, flags);                 \
    mode = (mode_t)va_arg(ap, int);      \
    va_end(ap);                          \
  }

int open(const char* path, int flags, ...) {
  OPEN_MODE(flags, mode);
  if (creating(path, flags)) {
    note("open", path);
    errno = ENOSPC;
    return -1;
  }
  return track(real_open(path, flags, mode), path, flags);
}

int open64(const char* path, int flags, ...) {
  OPEN_MODE(flags, mode);
  if (creating(path, flags)) {
    note("open", path);
    errno = ENOSPC;
    return -1;
  }
  return track((real_open64 ? real_open64 : real_open)(path, flags, mode), path, flags);
}

int openat(int dirfd, const char* path, int flags, ...) {
  OPEN_MODE(flags, mode);
  if (creating(path, flags)) {
    note("openat", path);
    errno = ENOSPC;
    return -1;
  }
  return track(real_openat(dirfd, path, flags, mode), path, flags);
}

int openat64(int dirfd, const char* path, int flags, ...) {
  OPEN_MODE(flags, mode);
  if (creating(path, flags)) {
    note("openat", path);
    errno = ENOSPC;
    return -1;
  }
  return track((real_openat64 ? real_openat64 : real_openat)(dirfd, path, flags, mode), path,
               flags);
}

int creat(const char* path, mode_t mode) {
  if (creating(path, O_CREAT)) {
    note("creat", path);
    errno = ENOSPC;
    return -1;
  }
  return track(real_creat(path, mode), path, O_CREAT);
}

int close(int fd) {
  if (fd >= 0 && fd < MAX_FDS) g_tracked[fd] = 0;
  return real_close(fd);
}

ssize_t write(int fd, const void* buf, size_t n) {
  if (g_fail_write && fd >= 0 && fd < MAX_FDS && g_tracked[fd] == 1 && n > 0) {
    if (g_written >= g_after) {
      note("write", "(tracked fd)");
      errno = ENOSPC;
      return -1;
    }
    unsigned long long room = g_after - g_written;
    if (n > room) n = (size_t)room;
    ssize_t w = real_write(fd, buf, n);
    if (w > 0) g_written += (unsigned long long)w;
    return w;
  }
  return real_write(fd, buf, n);
}

int fsync(int fd) {
  if (fd >= 0 && fd < MAX_FDS &&
      ((g_fail_fsync && g_tracked[fd] == 1) || (g_fail_dirfsync && g_tracked[fd] == 2))) {
    note("fsync", "(tracked fd)");
    errno = ENOSPC;
    return -1;
  }
  return real_fsync(fd);
}

int fdatasync(int fd) {
  if (fd >= 0 && fd < MAX_FDS &&
      ((g_fail_fsync && g_tracked[fd] == 1) || (g_fail_dirfsync && g_tracked[fd] == 2))) {
    note("fdatasync", "(tracked fd)");
    errno = ENOSPC;
    return -1;
  }
  return real_fdatasync(fd);
}

int rename(const char* from, const char* to) {
  if (g_fail_rename && matches(to)) {
    note("rename", to);
    errno = ENOSPC;
    return -1;
  }
  return real_rename(from, to);
}

int renameat(int fd1, const char* from, int fd2, const char* to) {
  if (g_fail_rename && matches(to)) {
    note("renameat", to);
    errno = ENOSPC;
    return -1;
  }
  return real_renameat(fd1, from, fd2, to);
}

int renameat2(int fd1, const char* from, int fd2, const char* to, unsigned flags) {
  if (g_fail_rename && matches(to)) {
    note("renameat2", to);
    errno = ENOSPC;
    return -1;
  }
  return real_renameat2(fd1, from, fd2, to, flags);
}
