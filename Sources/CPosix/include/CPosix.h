#ifndef EXTRIAGE_CPOSIX_H
#define EXTRIAGE_CPOSIX_H
#include <stdint.h>

/// Opens a file read-only without following a final symlink and, where the caller may, without
/// updating its access time (O_NOATIME). Returns a descriptor or -1 with errno set.
int extriage_open_readonly(const char *path);

/// Opens a directory for listing, read-only, not following a final symlink, with O_NOATIME
/// where permitted. Returns a descriptor or -1 with errno set.
int extriage_open_directory(const char *path);

/// Birth time of `path` relative to directory `dirfd` (AT_FDCWD allowed; an empty path means
/// `dirfd` itself) via statx, not following links. Returns 1 when known, 0 otherwise.
int extriage_birth_time(int dirfd, const char *path, int64_t *seconds, uint32_t *nanoseconds);

/// An anonymous file that lives only in memory (memfd_create, close-on-exec), for a library that
/// reads only from a path: open it as /proc/self/fd/<descriptor>. Returns a descriptor or -1 with errno set.
int extriage_memory_file(const char *name);

#endif
