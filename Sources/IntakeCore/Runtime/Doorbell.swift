import Synchronization

/// Wakes idle consumers: rung by a NOTIFY, a full batch, or shutdown.
///
/// A ring is never lost: it bumps a generation, and a waiter that saw an older generation
/// returns at once instead of sleeping through it.
public final class Doorbell: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    public var generation: UInt64 { state.withLock { $0.generation } }

    public func ring() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            let waiting = Array(state.waiters.values)
            state.waiters.removeAll()
            return waiting
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Wakes one idle waiter (lanes busy right now see the new generation and look again).
    /// A notification usually means a little new work: one lane claims it rather than every
    /// lane racing for the same rows; a lane that finds a full batch rings for the others.
    public func ringOne() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.generation &+= 1
            guard let key = state.waiters.keys.min() else { return nil }
            return state.waiters.removeValue(forKey: key)
        }
        waiter?.resume()
    }

    /// Returns when rung after `seen`, after `timeout`, or when the task is cancelled.
    public func wait(after seen: UInt64, timeout: Duration) async {
        if generation != seen { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitForRing(after: seen) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForRing(after seen: UInt64) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.generation != seen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
