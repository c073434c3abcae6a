// prctl(2) is variadic, which Swift cannot call: fixed-argument wrappers for the calls keyrotd makes.
#include <fcntl.h>
#include <sys/prctl.h>

/// PR_SET_DUMPABLE: 0 forbids core dumps and ptrace attach by the same user, and makes /proc/PID root's.
static inline int keyrotd_set_dumpable(int dumpable) {
    return prctl(PR_SET_DUMPABLE, (unsigned long)dumpable, 0UL, 0UL, 0UL);
}


// Landlock (landlock(7)) has no libc wrappers in glibc 2.36: fixed-argument wrappers over
// syscall(2), which is variadic too.
#include <linux/landlock.h>
#include <sys/syscall.h>
#include <unistd.h>

/// The Landlock ABI version the kernel offers (1 or more), or -1 (errno) when it has none.
static inline int keyrotd_landlock_abi(void) {
    return (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
}

/// A ruleset that restricts the file-system accesses in `handled`; its descriptor, or -1.
static inline int keyrotd_landlock_create_ruleset(unsigned long long handled) {
    struct landlock_ruleset_attr attributes = { .handled_access_fs = handled };
    return (int)syscall(SYS_landlock_create_ruleset, &attributes, sizeof(attributes), 0);
}

/// Allows `allowed` beneath the file or directory open as `parent_fd` (O_PATH); 0, or -1.
static inline int keyrotd_landlock_allow_beneath(int ruleset_fd, int parent_fd, unsigned long long allowed) {
    struct landlock_path_beneath_attr rule = { .allowed_access = allowed, .parent_fd = parent_fd };
    return (int)syscall(SYS_landlock_add_rule, ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
}

/// Applies the ruleset to this process and what it executes, for good (no_new_privs first, as
/// an unprivileged caller must); 0, or -1.
static inline int keyrotd_landlock_restrict_self(int ruleset_fd) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL) != 0) return -1;
    return (int)syscall(SYS_landlock_restrict_self, ruleset_fd, 0);
}

/// open(2) with O_PATH | O_NOFOLLOW | O_CLOEXEC (a rule's anchor, not opened for reading).
/// O_PATH needs _GNU_SOURCE, which the Glibc module Swift imports is not built with: its value
/// is the generic Linux one (asm-generic/fcntl.h, used by x86-64 and arm64).
static inline int keyrotd_open_path_nofollow(const char *path) {
    return open(path, 010000000 | O_NOFOLLOW | O_CLOEXEC);
}
