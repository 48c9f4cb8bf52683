import CLibPQ
import Foundation
import IntakeSupport

/// A notification received on a `LISTEN`ed channel.
public struct PostgresNotification: Sendable, Equatable {
    public var channel: String
    public var payload: String
    /// The notifying session's backend process id.
    public var senderPID: Int32
}

extension PostgresConnection {
    /// Starts listening on `channel`. After a reconnect the caller must listen again.
    public func listen(_ channel: String) throws {
        try execute(script: "LISTEN \(try quoteIdentifier(channel))")
    }

    public func unlisten(_ channel: String) throws {
        try execute(script: "UNLISTEN \(try quoteIdentifier(channel))")
    }

    /// Sends a notification (`pg_notify`), parameterized.
    public func notify(_ channel: String, payload: String = "") throws {
        try query("SELECT pg_notify($1, $2)", channel, payload)
    }

    /// Waits for the next notification, up to `timeout`. Sleeps in `poll(2)` on the
    /// connection's socket — no timer and no busy loop — so a NOTIFY wakes it at once.
    /// Returns nil on timeout or when `interruptWait()` was called.
    /// Throws a `.connection` error when the connection is lost.
    public func waitForNotification(timeout: Duration) throws -> PostgresNotification? {
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(kind: .connection, message: "connection lost while listening")
        }
        if let pending = try nextNotification() { return pending }
        let deadline = ContinuousClock.now + timeout
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { return nil }
            let milliseconds = Int32(clamping: remaining.milliseconds + 1)
            var fds = [
                pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 2, milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                throw PostgresError(kind: .connection, message: "poll failed: \(String(cString: strerror(errno)))")
            }
            if fds[1].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 64)
                _ = read(wakePipe.read, &buffer, 64)
                return nil
            }
            if fds[0].revents != 0 {
                if let notification = try nextNotification() { return notification }
            }
        }
    }

    /// Makes a pending or future `waitForNotification` return nil at once. Callable from
    /// any thread: it only writes a byte to a pipe.
    public nonisolated func interruptWait() {
        var byte: UInt8 = 1
        _ = write(wakePipe.write, &byte, 1)
    }

    private func nextNotification() throws -> PostgresNotification? {
        guard let handle else { throw PostgresError(kind: .connection, message: "not connected") }
        if PQconsumeInput(handle) == 0 {
            throw PostgresError(kind: .connection, message: Self.scrub(String(cString: PQerrorMessage(handle))))
        }
        guard let raw = PQnotifies(handle) else { return nil }
        defer { PQfreemem(raw) }
        return PostgresNotification(
            channel: String(cString: raw.pointee.relname),
            payload: String(cString: raw.pointee.extra),
            senderPID: raw.pointee.be_pid
        )
    }
}
