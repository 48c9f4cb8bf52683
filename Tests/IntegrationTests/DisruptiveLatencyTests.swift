import Foundation
import IntakeCore
import IntakePostgres
import IntakeTestSupport
import Logging
import Testing

/// Latency targets hold on an idle machine, not while hundreds of other tests share its two
/// cores: scripts/test runs this suite alone, after the rest (INTAKE_DISRUPTIVE_TESTS=1).
@Suite(
    "Disruptive: NOTIFY latency", .serialized,
    .enabled(if: TestDatabase.disruptiveEnabled, "runs alone after the other tests (scripts/test sets INTAKE_DISRUPTIVE_TESTS=1)"))
struct DisruptiveLatencyTests {
    func makeConsumer(
        database: String, table: QueueTable, handlers: [any Handler], worker: String, settings: ConsumerSettings,
        doorbell: Doorbell
    ) -> (TableConsumer, PostgresPool) {
        let pool = PostgresPool(configuration: TestDatabase.configuration(database: database), size: settings.concurrency + 2)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let names = handlers.map(\.name)
        let consumer = TableConsumer(
            table: table, settings: settings, registry: HandlerRegistry(handlers), policies: RetryPolicies(), pool: pool,
            workerID: worker, doorbell: doorbell, logger: logger, route: { _ in names.first })
        return (consumer, pool)
    }

    func count(_ db: PostgresConnection, _ sql: String) async throws -> Int {
        try await db.query(sql)[0].decode(Int.self, at: 0)
    }

    @Test func notifyWakesIdleConsumerAndSweepFindsMissedJobs() async throws {
        try await TestDatabase.withMigratedDatabase { name in
            let db = try await TestDatabase.connect(database: name)
            // Enqueued before anyone listens: only the sweep can find it.
            try await db.query("SELECT intake.enqueue($1, $2::jsonb)", "test.job", PostgresJSON(text: #"{"n":0}"#))
            let handled = Recorder<(String, ContinuousClock.Instant)>()
            let job = ClosureHandler(name: "test.job", mode: .none) { message, _ in
                handled.append((message.bodyText, .now))
                return .success
            }
            let doorbell = Doorbell()
            let settings = ConsumerSettings(
                concurrency: 2, batch: 32, leaseSeconds: 30, idleWait: .seconds(5), sweepInterval: .seconds(5))
            let (consumer, pool) = makeConsumer(
                database: name, table: .jobs, handlers: [job], worker: "w", settings: settings, doorbell: doorbell)
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let listener = NotifyListener(
                configuration: TestDatabase.configuration(database: name), channel: "intake_jobs", doorbell: doorbell,
                logger: logger)
            let runListener = Task { try await listener.run() }
            let run = Task { try await consumer.run() }
            #expect(try await eventually { handled.count == 1 })
            // Now idle (next poll in 5 s): a new job must start within 50 ms of its commit.
            try await Task.sleep(for: .milliseconds(300))
            var latencies: [Duration] = []
            for n in 1...5 {
                let before = handled.count
                let committedAt = ContinuousClock.now
                try await db.query("SELECT intake.enqueue($1, $2::jsonb)", "test.job", PostgresJSON(text: "{\"n\":\(n)}"))
                _ = try await eventually(timeout: .seconds(5), every: .milliseconds(1)) { handled.count > before }
                latencies.append(handled.all.last!.1 - committedAt)
                try await Task.sleep(for: .milliseconds(100))
            }
            consumer.stop()
            listener.stop()
            try await run.value
            try await runListener.value
            latencies.sort()
            #expect(latencies[2] < .milliseconds(50), "median wake-up \(latencies[2])")
            #expect(try await count(db, "SELECT count(*) FROM intake.jobs WHERE status = 'succeeded'") == 6)
            await pool.close()
            await db.close()
        }
    }
}
