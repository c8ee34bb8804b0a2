/*
 * ntfs_populate: copy a host directory tree into an NTFS image file through libntfs-3g,
 * with no mount and no root. Used by the tests and `make sample-images` to build NTFS images.
 *
 *   ntfs_populate IMAGE SRCDIR [-s RELPATH STREAM CONTENTFILE]... [-z RELPATH SIZE]... [-t RELPATH SECONDS]...
 *                 [-d RELPATH]... [-j RELPATH STREAM OFFSET CONTENTFILE]...
 *
 * IMAGE must already hold an empty NTFS file system (mkntfs -F -Q -q IMAGE). Every directory
 * and regular file under SRCDIR is created with the same relative path and content; links and
 * other kinds are ignored. `-s` adds an alternate data stream STREAM (content from CONTENTFILE) to
 * the file RELPATH (created by the copy). `-z` creates RELPATH as a sparse file of SIZE bytes
 * whose only written bytes are "sparse-tail\n" at its very end. `-t` time-stomps RELPATH: its four
 * $STANDARD_INFORMATION times become SECONDS (Unix time) while its $FILE_NAME attribute keeps the
 * creation times, as a user-mode timestomp tool leaves them. `-d` deletes RELPATH (a file copied
 * from SRCDIR): its MFT entry is freed but stays on disk, as after a deletion on Windows. `-j`
 * writes a journal-like stream: it creates RELPATH if needed (its folder must exist, e.g. the
 * `$Extend` mkntfs makes) and writes CONTENTFILE into its stream STREAM at OFFSET, the bytes
 * before left as a sparse hole, as NTFS leaves the freed head of `$Extend/$UsnJrnl:$J`. A folder
 * of SRCDIR that already exists in the image (`$Extend`) is filled, not created again.
 *
 * Build: gcc -O1 -o ntfs_populate ntfs_populate.c -lntfs-3g   (Debian package ntfs-3g-dev)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/ntfstime.h>
#include <ntfs-3g/unistr.h>
#include <ntfs-3g/volume.h>

static int fail(const char *what, const char *path) {
    fprintf(stderr, "ntfs_populate: %s: %s: %s\n", what, path, strerror(errno));
    return 1;
}

/* Creates NAME (a file or directory) in the directory DIR; returns the new inode or NULL. */
static ntfs_inode *create_child(ntfs_inode *dir, const char *name, mode_t type) {
    ntfschar *uname = NULL;
    int length = ntfs_mbstoucs(name, &uname);
    if (length < 0) return NULL;
    ntfs_inode *child = ntfs_create(dir, const_cpu_to_le32(0), uname, (u8)length, type);
    free(uname);
    return child;
}

/* Writes the whole host file at HOSTPATH into attribute (TYPE, NAME) of NI. */
static int write_attribute_at(ntfs_inode *ni, ntfschar *name, u32 name_len, const char *hostpath, s64 start) {
    int fd = open(hostpath, O_RDONLY);
    if (fd < 0) return fail("open", hostpath);
    ntfs_attr *na = ntfs_attr_open(ni, AT_DATA, name, name_len);
    if (!na) { close(fd); return fail("ntfs_attr_open", hostpath); }
    char buffer[65536];
    s64 offset = start;
    for (;;) {
        ssize_t count = read(fd, buffer, sizeof buffer);
        if (count < 0) { ntfs_attr_close(na); close(fd); return fail("read", hostpath); }
        if (count == 0) break;
        s64 done = 0;
        while (done < count) {
            s64 wrote = ntfs_attr_pwrite(na, offset + done, count - done, buffer + done);
            if (wrote <= 0) { ntfs_attr_close(na); close(fd); return fail("ntfs_attr_pwrite", hostpath); }
            done += wrote;
        }
        offset += count;
    }
    ntfs_attr_close(na);
    close(fd);
    return 0;
}

static int write_attribute(ntfs_inode *ni, ntfschar *name, u32 name_len, const char *hostpath) {
    return write_attribute_at(ni, name, name_len, hostpath, 0);
}

/* Copies the host directory HOST into the NTFS directory DIR, recursively, in name order. */
static int copy_tree(ntfs_inode *dir, const char *host) {
    struct dirent **names = NULL;
    int count = scandir(host, &names, NULL, alphasort);
    if (count < 0) return fail("scandir", host);
    int status = 0;
    for (int i = 0; i < count && status == 0; i++) {
        const char *name = names[i]->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
        char *path = NULL;
        if (asprintf(&path, "%s/%s", host, name) < 0) { status = 1; break; }
        struct stat info;
        if (lstat(path, &info) != 0) {
            status = fail("lstat", path);
        } else if (S_ISDIR(info.st_mode) || S_ISREG(info.st_mode)) {
            ntfs_inode *child = S_ISDIR(info.st_mode) ? ntfs_pathname_to_inode(dir->vol, dir, name) : NULL;
            if (!child) child = create_child(dir, name, S_ISDIR(info.st_mode) ? S_IFDIR : S_IFREG);
            if (!child) {
                status = fail("ntfs_create", path);
            } else {
                status = S_ISDIR(info.st_mode) ? copy_tree(child, path) : write_attribute(child, AT_UNNAMED, 0, path);
                if (ntfs_inode_close_in_dir(child, dir) != 0 && status == 0) status = fail("ntfs_inode_close", path);
            }
        }
        free(path);
    }
    for (int i = 0; i < count; i++) free(names[i]);
    free(names);
    return status;
}

static int add_stream(ntfs_volume *vol, const char *relpath, const char *stream, const char *content) {
    char *absolute = NULL;
    if (asprintf(&absolute, "/%s", relpath) < 0) return 1;
    ntfs_inode *ni = ntfs_pathname_to_inode(vol, NULL, absolute);
    free(absolute);
    if (!ni) return fail("no such file in the image", relpath);
    ntfschar *uname = NULL;
    int length = ntfs_mbstoucs(stream, &uname);
    int status = 0;
    if (length < 0 || ntfs_attr_add(ni, AT_DATA, uname, (u8)length, NULL, 0) != 0) {
        status = fail("ntfs_attr_add", stream);
    } else {
        status = write_attribute(ni, uname, (u32)length, content);
    }
    free(uname);
    ntfs_inode_close(ni);
    return status;
}

static int add_sparse(ntfs_volume *vol, const char *relpath, long long size) {
    static const char tail[] = "sparse-tail\n";
    const s64 tail_len = (s64)sizeof tail - 1;
    char *parent_path = strdup(relpath);
    char *slash = strrchr(parent_path, '/');
    const char *name = slash ? slash + 1 : parent_path;
    char *absolute = NULL;
    if (slash) *slash = 0;
    if (asprintf(&absolute, "/%s", slash ? parent_path : "") < 0) { free(parent_path); return 1; }
    ntfs_inode *dir = ntfs_pathname_to_inode(vol, NULL, absolute);
    free(absolute);
    if (!dir) { free(parent_path); return fail("no such folder in the image", relpath); }
    ntfs_inode *ni = create_child(dir, name, S_IFREG);
    int status = 0;
    if (!ni) {
        status = fail("ntfs_create", relpath);
    } else {
        ntfs_attr *na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0);
        if (!na || ntfs_attr_pwrite(na, size - tail_len, tail_len, tail) != tail_len) status = fail("sparse write", relpath);
        if (na) ntfs_attr_close(na);
        ntfs_inode_close_in_dir(ni, dir);
    }
    ntfs_inode_close(dir);
    free(parent_path);
    return status;
}

static int add_journal(ntfs_volume *vol, const char *relpath, const char *stream, long long offset, const char *content) {
    char *absolute = NULL;
    if (asprintf(&absolute, "/%s", relpath) < 0) return 1;
    ntfs_inode *ni = ntfs_pathname_to_inode(vol, NULL, absolute);
    free(absolute);
    if (!ni) {
        char *parent_path = strdup(relpath);
        char *slash = strrchr(parent_path, '/');
        const char *name = slash ? slash + 1 : parent_path;
        if (slash) *slash = 0;
        char *folder = NULL;
        if (asprintf(&folder, "/%s", slash ? parent_path : "") < 0) { free(parent_path); return 1; }
        ntfs_inode *dir = ntfs_pathname_to_inode(vol, NULL, folder);
        free(folder);
        if (!dir) { free(parent_path); return fail("no such folder in the image", relpath); }
        ni = create_child(dir, name, S_IFREG);
        free(parent_path);
        if (!ni) { ntfs_inode_close(dir); return fail("ntfs_create", relpath); }
        ntfs_inode_close_in_dir(ni, dir);
        ntfs_inode_close(dir);
        if (asprintf(&absolute, "/%s", relpath) < 0) return 1;
        ni = ntfs_pathname_to_inode(vol, NULL, absolute);
        free(absolute);
        if (!ni) return fail("created file not found", relpath);
    }
    ntfschar *uname = NULL;
    int length = ntfs_mbstoucs(stream, &uname);
    int status = 0;
    if (length < 0 || ntfs_attr_add(ni, AT_DATA, uname, (u8)length, NULL, 0) != 0) {
        status = fail("ntfs_attr_add", stream);
    } else {
        status = write_attribute_at(ni, uname, (u32)length, content, (s64)offset);
    }
    free(uname);
    ntfs_inode_close(ni);
    return status;
}

static int stomp(ntfs_volume *vol, const char *relpath, long long seconds) {
    char *absolute = NULL;
    if (asprintf(&absolute, "/%s", relpath) < 0) return 1;
    ntfs_inode *ni = ntfs_pathname_to_inode(vol, NULL, absolute);
    free(absolute);
    if (!ni) return fail("no such file in the image", relpath);
    struct timespec when = { .tv_sec = (time_t)seconds, .tv_nsec = 0 };
    ntfs_time value = timespec2ntfs(when);
    ni->creation_time = ni->last_data_change_time = ni->last_mft_change_time = ni->last_access_time = value;
    NInoSetDirty(ni);
    return ntfs_inode_close(ni) == 0 ? 0 : fail("ntfs_inode_close", relpath);
}

static int delete_file(ntfs_volume *vol, const char *relpath) {
    char *absolute = NULL, *parent = NULL;
    if (asprintf(&absolute, "/%s", relpath) < 0) return 1;
    parent = strdup(absolute);
    char *slash = strrchr(parent, '/');
    const char *name = strrchr(absolute, '/') + 1;
    if (slash == parent) slash[1] = 0; else *slash = 0;
    ntfs_inode *dir = ntfs_pathname_to_inode(vol, NULL, parent);
    ntfs_inode *ni = ntfs_pathname_to_inode(vol, NULL, absolute);
    int status = 0;
    ntfschar *uname = NULL;
    int length = ntfs_mbstoucs(name, &uname);
    if (!dir || !ni || length < 0) {
        status = fail("no such file in the image", relpath);
        if (ni) ntfs_inode_close(ni);
        if (dir) ntfs_inode_close(dir);
    } else if (ntfs_delete(vol, absolute, ni, dir, uname, (u8)length) != 0) {
        status = fail("ntfs_delete", relpath);  /* closes both inodes either way */
    }
    free(uname);
    free(parent);
    free(absolute);
    return status;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: ntfs_populate IMAGE SRCDIR [-s RELPATH STREAM CONTENTFILE]... [-z RELPATH SIZE]... [-t RELPATH SECONDS]... [-d RELPATH]... [-j RELPATH STREAM OFFSET CONTENTFILE]...\n");
        return 2;
    }
    ntfs_volume *vol = ntfs_mount(argv[1], NTFS_MNT_NONE);
    if (!vol) return fail("ntfs_mount", argv[1]);
    ntfs_inode *root = ntfs_inode_open(vol, FILE_root);
    int status = root ? copy_tree(root, argv[2]) : fail("open root", argv[1]);
    if (root) ntfs_inode_close(root);
    for (int i = 3; i < argc && status == 0; i++) {
        if (strcmp(argv[i], "-s") == 0 && i + 3 < argc) {
            status = add_stream(vol, argv[i + 1], argv[i + 2], argv[i + 3]);
            i += 3;
        } else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) {
            status = delete_file(vol, argv[i + 1]);
            i += 1;
        } else if (strcmp(argv[i], "-t") == 0 && i + 2 < argc) {
            status = stomp(vol, argv[i + 1], atoll(argv[i + 2]));
            i += 2;
        } else if (strcmp(argv[i], "-j") == 0 && i + 4 < argc) {
            status = add_journal(vol, argv[i + 1], argv[i + 2], atoll(argv[i + 3]), argv[i + 4]);
            i += 4;
        } else if (strcmp(argv[i], "-z") == 0 && i + 2 < argc) {
            status = add_sparse(vol, argv[i + 1], atoll(argv[i + 2]));
            i += 2;
        } else {
            fprintf(stderr, "ntfs_populate: bad argument %s\n", argv[i]);
            status = 2;
        }
    }
    if (ntfs_umount(vol, FALSE) != 0 && status == 0) status = fail("ntfs_umount", argv[1]);
    return status;
}
