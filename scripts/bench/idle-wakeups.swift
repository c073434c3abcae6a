// scripts/bench/idle-wakeups.swift: a stand-alone probe for scripts/bench-idle-wakeups (not part of
// keyrotd). Does the same start-up as keyrotd in miniature (an async main that ran a few tasks on
// Swift's cooperative pool) and then idles in one of three ways, so that the bench can count the
// wake-ups each way costs:
//   pool    the idle wait is a Task.sleep: a timer of the cooperative pool (how keyrotd waits)
//   thread  the idle wait blocks a thread of its own (a plain nanosleep), the pool left empty
//   never   no Swift concurrency at all: the main thread sleeps (the floor)
import Dispatch
import Glibc

func startLikeKeyrotd() async {
    await withTaskGroup(of: Int.self) { group in
        for n in 0..<4 { group.addTask { (0..<1000).reduce(n, +) } }
        for await _ in group {}
    }
}

func blockingSleep(seconds: Int) {
    var request = timespec(tv_sec: seconds, tv_nsec: 0)
    var remaining = timespec()
    while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
}

let mode = CommandLine.arguments.dropFirst().first ?? "pool"
let seconds = Int(CommandLine.arguments.dropFirst(2).first ?? "") ?? 60
print("ready \(getpid())")
fflush(stdout)
switch mode {
case "never":
    blockingSleep(seconds: seconds)
case "thread":
    let done = DispatchSemaphore(value: 0)
    Task.detached { await startLikeKeyrotd(); done.signal() }
    done.wait()
    // The wait now blocks this (main) thread; nothing is queued on the pool.
    blockingSleep(seconds: seconds)
default:
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        await startLikeKeyrotd()
        try? await Task.sleep(for: .seconds(seconds))
        done.signal()
    }
    done.wait()
}
