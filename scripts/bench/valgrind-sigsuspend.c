/* Preloaded into keyrotd under valgrind by the bench scripts (not shipped). An async Swift main
 * parks the main thread in libdispatch's sigsuspend() with a mask held in read-only memory;
 * valgrind 3.19 (Debian 12) edits that mask in place and dies of SIGSEGV. This sigsuspend() hands
 * the kernel a writable copy instead. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, _NSIG / 8);
}
