import Foundation

/// Runs file and state-record calls, and unit restarts (sd-bus blocks in poll), on threads of
/// their own, never on Swift's cooperative pool.
///
/// The file adapters make blocking system calls (open, read, fsync, rename). Any of them can hang
/// for as long as the file system wants: an open of a FIFO nobody writes, a hung NFS mount. On the
/// cooperative pool (one thread per core: two on a small host) two such calls would starve every
/// task of the process, the daemon's loop and the signal handling with it. Here a hung call holds
/// only its own thread; the step monitor sees it, the watchdog stops, and a stop abandons it.
struct OffPoolFileWork: PortCallHook {
    private static let executor = ThreadPerJobExecutor()

    func around<T: Sendable>(_ call: PortCall, _ work: () async throws -> T) async throws -> T {
        switch call.kind {
        case .file, .stateLoad, .stateSave, .restart:
            try await withTaskExecutorPreference(Self.executor) { try await work() }
        case .iam, .verify:
            // Non-blocking already: NIO's event loops, the child process's own waits.
            try await work()
        }
    }
}

/// A task executor that runs every job on a new thread. A job that blocks in a system call holds
/// that thread alone; thread creation (tens of microseconds) is nothing next to file I/O done a
/// handful of times per rotation.
final class ThreadPerJobExecutor: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        let thread = Thread { job.runSynchronously(on: executor) }
        thread.name = "keyrotd.file-io"
        thread.start()
    }
}
