import Foundation
import IntakePostgres
import IntakeTestSupport
import Synchronization
import Testing

/// Measures that other tasks keep running during blocking calls: meaningful only when the
/// machine is not saturated by other tests, so scripts/test runs it alone, after the rest.
@Suite(
    "Disruptive: NOTIFY wake-up and a free cooperative pool", .enabled(if: TestDatabase.disruptiveEnabled, "runs alone after the other tests (scripts/test sets INTAKE_DISRUPTIVE_TESTS=1)"))
struct DisruptiveThreadingTests {
    @Test func notifyWakesWaiterWithinMilliseconds() async throws {
        let listener = try await TestDatabase.connect()
        let sender = try await TestDatabase.connect()
        let channel = "test_\(UUID().uuidString.prefix(8).lowercased())"
        try await listener.listen(channel)
        let sentAt = Mutex<ContinuousClock.Instant?>(nil)
        async let received = listener.waitForNotification(timeout: .seconds(5))
        try await Task.sleep(for: .milliseconds(100))
        sentAt.withLock { $0 = .now }
        try await sender.notify(channel, payload: "hello")
        let notification = try await received
        let latency = ContinuousClock.now - sentAt.withLock { $0! }
        #expect(notification?.channel == channel)
        #expect(notification?.payload == "hello")
        #expect(notification?.senderPID == (await sender.backendPID))
        #expect(latency < .milliseconds(250), "wake-up took \(latency)")
    }

    /// Blocking libpq calls run on the connection's own thread: two `pg_sleep(2)`s at once
    /// (as many as the cooperative pool has threads here) leave other tasks running. Were the
    /// calls on the pool, the probe task below could only finish after the sleeps, 2 s later.
    @Test func blockingQueryDoesNotStallOtherTasks() async throws {
        let a = try await TestDatabase.connect()
        let b = try await TestDatabase.connect()
        let started = ContinuousClock.now
        async let sleepA: PostgresResult = a.query("SELECT pg_sleep(2)")
        async let sleepB: PostgresResult = b.query("SELECT pg_sleep(2)")
        try await Task.sleep(for: .milliseconds(200))
        let probe = try await Task.detached {
            var total = 0
            for i in 0..<1000 { total &+= i }
            try await Task.sleep(for: .milliseconds(10))
            return (total, ContinuousClock.now)
        }.value
        _ = try await (sleepA, sleepB)
        let finished = ContinuousClock.now
        #expect(probe.0 == 499_500)
        #expect(probe.1 - started < .milliseconds(1500), "the probe waited for the blocking calls")
        #expect(finished - started >= .seconds(2))
    }

}
