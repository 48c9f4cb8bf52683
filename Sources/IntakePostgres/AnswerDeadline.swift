#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import IntakeSupport
import Synchronization

/// Cuts off a connection whose server stopped answering.
///
/// A stopped server process (or a network that silently drops packets) leaves the TCP
/// connection open: the server's kernel still acknowledges and answers keepalives, so a blocking
/// libpq call on the connection's thread would wait forever. The connection arms a deadline
/// before each round trip; when it passes first, `shutdown(2)` on the socket makes the blocked
/// call fail at once. `shutdown`, not `close`: the descriptor stays libpq's until `PQfinish`,
/// so it cannot be reused under libpq's feet.
final class AnswerDeadline: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var socket: Int32 = -1
        var fired = false
    }

    private let state = Mutex(State())

    func arm(socket: Int32, after limit: Duration) {
        let generation = state.withLock { state in
            state.generation &+= 1
            state.socket = socket
            state.fired = false
            return state.generation
        }
        let nanoseconds = Int(clamping: limit.nanoseconds)
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [weak self] in
            self?.fire(generation)
        }
    }

    /// Ends the round trip; returns whether the deadline cut the socket off before that.
    func disarm() -> Bool {
        state.withLock { state in
            state.generation &+= 1
            state.socket = -1
            defer { state.fired = false }
            return state.fired
        }
    }

    private func fire(_ generation: UInt64) {
        state.withLock { state in
            // A round trip that ended (disarm) or a newer one (arm) makes this timer stale.
            guard state.generation == generation, state.socket >= 0 else { return }
            state.fired = true
            _ = shutdown(state.socket, Int32(SHUT_RDWR))
        }
    }
}
