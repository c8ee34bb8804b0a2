// Linux calls that Swift's Glibc module hides behind _GNU_SOURCE (O_NOATIME, statx, memfd_create).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "CPosix.h"

int extriage_open_readonly(const char *path) {
#ifdef O_NOATIME
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME | O_NONBLOCK);
    if (fd >= 0 || errno != EPERM) return fd;
#endif
    return open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
}

int extriage_open_directory(const char *path) {
#ifdef O_NOATIME
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
    if (fd >= 0 || errno != EPERM) return fd;
#endif
    return open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int extriage_birth_time(int dirfd, const char *path, int64_t *seconds, uint32_t *nanoseconds) {
#ifdef STATX_BTIME
    struct statx info;
    int flags = AT_SYMLINK_NOFOLLOW | (path[0] == 0 ? AT_EMPTY_PATH : 0);
    if (statx(dirfd, path, flags, STATX_BTIME, &info) != 0) return 0;
    if (!(info.stx_mask & STATX_BTIME)) return 0;
    *seconds = info.stx_btime.tv_sec;
    *nanoseconds = info.stx_btime.tv_nsec;
    return 1;
#else
    (void)dirfd; (void)path; (void)seconds; (void)nanoseconds;
    return 0;
#endif
}

int extriage_memory_file(const char *name) {
    return memfd_create(name, MFD_CLOEXEC);
}
