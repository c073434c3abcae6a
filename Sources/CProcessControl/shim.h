// prctl(2) is variadic, which Swift cannot call: fixed-argument wrappers for the calls keyrotd makes.
#include <sys/prctl.h>

/// PR_SET_DUMPABLE: 0 forbids core dumps and ptrace attach by the same user, and makes /proc/PID root's.
static inline int keyrotd_set_dumpable(int dumpable) {
    return prctl(PR_SET_DUMPABLE, (unsigned long)dumpable, 0UL, 0UL, 0UL);
}

