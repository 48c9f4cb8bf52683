import NIOConcurrencyHelpers
import NIOCore

/// The server's open connections: enforces the connection limit and lets shutdown ask each
/// connection to finish its current request and close, then wait until all have.
final class ConnectionRegistry: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
        var drainedWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = NIOLockedValueBox(State())
    let maxConnections: Int

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    var count: Int { self.state.withLockedValue { $0.channels.count } }

    /// Registers a new connection; false when over the limit or shutting down.
    func add(_ channel: any Channel) -> Bool {
        let admitted = self.state.withLockedValue { state -> Bool in
            guard !state.shuttingDown, state.channels.count < self.maxConnections else { return false }
            state.channels[ObjectIdentifier(channel)] = channel
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { _ in self.remove(channel) }
        }
        return admitted
    }

    private func remove(_ channel: any Channel) {
        let waiters = self.state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.channels.removeValue(forKey: ObjectIdentifier(channel))
            guard state.shuttingDown, state.channels.isEmpty else { return [] }
            defer { state.drainedWaiters = [] }
            return state.drainedWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Stops admitting connections and asks each open one to quiesce: an idle connection closes
    /// at once, a busy one after answering its request (with `Connection: close`).
    func beginShutdown() {
        let (channels, waiters) = self.state.withLockedValue {
            state -> ([any Channel], [CheckedContinuation<Void, Never>]) in
            // Each connection must see the quiesce event once only.
            guard !state.shuttingDown else { return ([], []) }
            state.shuttingDown = true
            guard state.channels.isEmpty else { return (Array(state.channels.values), []) }
            defer { state.drainedWaiters = [] }
            return ([any Channel](), state.drainedWaiters)
        }
        for waiter in waiters { waiter.resume() }
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    /// Closes every connection now, answered or not.
    func closeAll() {
        let channels = self.state.withLockedValue { Array($0.channels.values) }
        for channel in channels { channel.close(promise: nil) }
    }

    /// Returns once shutdown has begun and every connection has closed.
    func waitUntilDrained() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let drained = self.state.withLockedValue { state -> Bool in
                if state.shuttingDown && state.channels.isEmpty { return true }
                state.drainedWaiters.append(continuation)
                return false
            }
            if drained { continuation.resume() }
        }
    }
}
