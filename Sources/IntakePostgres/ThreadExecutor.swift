import Foundation

/// A serial executor backed by one dedicated OS thread.
///
/// libpq calls block. Swift's cooperative pool has one thread per core (two here), so a single
/// blocking `PQexec` on it would stall every task in the process. Each `PostgresConnection`
/// actor therefore runs on its own `ThreadExecutor`: the actor's methods execute on this thread,
/// where blocking is harmless, and callers simply `await` them.
public final class ThreadExecutor: SerialExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var stopping = false
    private var thread: Thread?

    public init(name: String) {
        // The thread holds the executor strongly until `shutdown()` lets its loop end: an
        // executor freed under a running (or not yet started) thread would be a use-after-free.
        let thread = Thread { self.loop() }
        thread.name = name
        thread.stackSize = 1 << 20
        self.thread = thread
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        jobs.append(unowned)
        condition.signal()
        condition.unlock()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func checkIsolated() {
        precondition(Thread.current === thread, "not on the connection's thread")
    }

    /// Lets the thread finish the jobs already queued, then exit.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        let me = self
        while true {
            me.condition.lock()
            while me.head == me.jobs.count && !me.stopping {
                me.condition.wait()
            }
            if me.head == me.jobs.count && me.stopping {
                me.condition.unlock()
                me.thread = nil
                return
            }
            let job = me.jobs[me.head]
            me.head += 1
            if me.head == me.jobs.count {
                me.jobs.removeAll(keepingCapacity: true)
                me.head = 0
            }
            me.condition.unlock()
            job.runSynchronously(on: me.asUnownedSerialExecutor())
        }
    }
}
