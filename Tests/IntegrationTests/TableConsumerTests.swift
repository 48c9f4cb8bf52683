import Foundation
import IntakeCore
import IntakePostgres
import IntakeSupport
import IntakeTestSupport
import Logging
import Testing

@Suite("Table consumer", .enabled(if: TestDatabase.available, TestDatabase.skipReason))
struct TableConsumerTests {
    static let fast = ConsumerSettings(
        concurrency: 4, batch: 32, leaseSeconds: 30, idleWait: .milliseconds(50), sweepInterval: .milliseconds(500))

    func makeConsumer(
        database: String, table: QueueTable = .deliveries, handlers: [any Handler], worker: String,
        settings: ConsumerSettings = fast, policies: RetryPolicies = RetryPolicies(),
        doorbell: Doorbell = Doorbell(), route: (@Sendable (String) -> String?)? = nil
    ) -> (TableConsumer, PostgresPool) {
        let pool = PostgresPool(configuration: TestDatabase.configuration(database: database), size: settings.concurrency + 2)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let names = handlers.map(\.name)
        let consumer = TableConsumer(
            table: table, settings: settings, registry: HandlerRegistry(handlers), policies: policies, pool: pool,
            workerID: worker, doorbell: doorbell, logger: logger, route: route ?? { _ in names.first })
        return (consumer, pool)
    }

    func count(_ db: PostgresConnection, _ sql: String) async throws -> Int {
        try await db.query(sql)[0].decode(Int.self, at: 0)
    }

    @Test func twoConsumersDrainTenThousandDeliveriesExactlyOnce() async throws {
        try await TestDatabase.withMigratedDatabase { name in
            let db = try await TestDatabase.connect(database: name)
            try await db.execute(script: "CREATE TABLE written (delivery_id bigint NOT NULL, worker text NOT NULL)")
            try await db.query(
                "INSERT INTO intake.deliveries (source, external_id, body) SELECT 'test', 'e' || g, '\\x7b7d'::bytea FROM generate_series(1, 10000) g")
            let writer = ClosureHandler(name: "test.write") { message, context in
                try await context.requireTransaction().query(
                    "INSERT INTO written VALUES ($1, $2)", Int(message.id)!, context.workerID)
                return .success
            }
            let (a, poolA) = makeConsumer(database: name, handlers: [writer], worker: "worker-a")
            let (b, poolB) = makeConsumer(database: name, handlers: [writer], worker: "worker-b")
            let runA = Task { try await a.run() }
            let runB = Task { try await b.run() }
            let drained = try await eventually(timeout: .seconds(60)) {
                try await count(db, "SELECT count(*) FROM intake.deliveries WHERE status <> 'succeeded'") == 0
            }
            a.stop()
            b.stop()
            try await runA.value
            try await runB.value
            #expect(drained)
            #expect(try await count(db, "SELECT count(*) FROM written") == 10_000)
            #expect(try await count(db, "SELECT count(DISTINCT delivery_id) FROM written") == 10_000)
            // Both workers took part.
            #expect(try await count(db, "SELECT count(DISTINCT worker) FROM written") == 2)
            await poolA.close()
            await poolB.close()
            await db.close()
        }
    }

    @Test func retryableFailuresBackOffWithinPolicyThenSucceed() async throws {
        try await TestDatabase.withMigratedDatabase { name in
            let db = try await TestDatabase.connect(database: name)
            try await db.query("INSERT INTO intake.deliveries (source, external_id, body) VALUES ('test', 'flaky', '\\x7b7d'::bytea)")
            let calls = Recorder<ContinuousClock.Instant>()
            let flaky = ClosureHandler(name: "test.flaky") { message, _ in
                calls.append(.now)
                if message.attempt < 3 { throw RetryableError("upstream timed out") }
                return .success(result: PostgresJSON(text: #"{"ok":true}"#))
            }
            let policy = RetryPolicy(maxAttempts: 5, base: .milliseconds(200), cap: .seconds(1))
            let (consumer, pool) = makeConsumer(
                database: name, handlers: [flaky], worker: "w", policies: RetryPolicies(defaultPolicy: policy))
            let run = Task { try await consumer.run() }
            let done = try await eventually {
                try await count(db, "SELECT count(*) FROM intake.deliveries WHERE status = 'succeeded'") == 1
            }
            consumer.stop()
            try await run.value
            #expect(done)
            let row = try await db.query("SELECT attempts, jsonb_array_length(errors), result->>'ok' FROM intake.deliveries")
            #expect(try row[0].decode(Int.self, at: 0) == 3)
            #expect(try row[0].decode(Int.self, at: 1) == 2)
            #expect(try row[0].decode(String.self, at: 2) == "true")
            let times = calls.all
            #expect(times.count == 3)
            // Each retry's backoff lies in [0, ceiling(n)], and the row was not run before it.
            let waits = try await db.query(
                "SELECT (e->>'attempt')::int, (e->>'retry_in_ms')::int FROM intake.deliveries, jsonb_array_elements(errors) e ORDER BY 1")
            #expect(waits.count == 2)
            for row in waits {
                let attempt = try row.decode(Int.self, at: 0)
                let waited = try row.decode(Int.self, at: 1)
                #expect(waited >= 0 && .milliseconds(waited) <= policy.ceiling(afterAttempt: attempt), "attempt \(attempt): \(waited) ms")
                let gap = times[attempt] - times[attempt - 1]
                #expect(gap >= .milliseconds(waited - 5), "attempt \(attempt + 1) ran \(gap) after attempt \(attempt), before its \(waited) ms backoff")
            }
            await pool.close()
            await db.close()
        }
    }

    @Test func permanentFailureDeadLettersAtOnceAndRetryableAfterMaxAttempts() async throws {
        try await TestDatabase.withMigratedDatabase { name in
            let db = try await TestDatabase.connect(database: name)
            try await db.query(
                "INSERT INTO intake.deliveries (source, external_id, body) VALUES ('bad', 'p1', '\\x7b7d'::bytea), ('down', 'r1', '\\x7b7d'::bytea)")
            let bad = ClosureHandler(name: "test.bad") { _, _ in throw PermanentError("field amount: not a number") }
            let down = ClosureHandler(name: "test.down") { _, _ in .retry(reason: "peer answered 503", delay: .milliseconds(10)) }
            let policies = RetryPolicies(
                defaultPolicy: RetryPolicy(maxAttempts: 8, base: .milliseconds(10), cap: .milliseconds(50)),
                handlers: ["test.down": RetryPolicy(maxAttempts: 3, base: .milliseconds(10), cap: .milliseconds(50))])
            let (consumer, pool) = makeConsumer(
                database: name, handlers: [bad, down], worker: "w", policies: policies,
                route: { $0 == "bad" ? "test.bad" : "test.down" })
            let run = Task { try await consumer.run() }
            let done = try await eventually {
                try await count(db, "SELECT count(*) FROM intake.deliveries WHERE status = 'dead'") == 2
            }
            consumer.stop()
            try await run.value
            #expect(done)
            let letters = try await db.query(
                "SELECT handler, attempts, jsonb_array_length(errors), errors->0->>'class', errors->-1->>'message', payload->>'external_id' FROM intake.dead_letters ORDER BY handler")
            #expect(letters.count == 2)
            #expect(try letters[0].decode(String.self, at: 0) == "test.bad")
            #expect(try letters[0].decode(Int.self, at: 1) == 1)
            #expect(try letters[0].decode(Int.self, at: 2) == 1)
            #expect(try letters[0].decode(String.self, at: 3) == "permanent")
            #expect(try letters[0].decode(String.self, at: 4) == "field amount: not a number")
            #expect(try letters[0].decode(String.self, at: 5) == "p1")
            #expect(try letters[1].decode(String.self, at: 0) == "test.down")
            #expect(try letters[1].decode(Int.self, at: 1) == 3)
            #expect(try letters[1].decode(Int.self, at: 2) == 3)
            #expect(try letters[1].decode(String.self, at: 3) == "retryable")
            await pool.close()
            await db.close()
        }
    }

    @Test func failedHandlerWritesRollBackButNeighboursCommit() async throws {
        try await TestDatabase.withMigratedDatabase { name in
            let db = try await TestDatabase.connect(database: name)
            try await db.execute(script: "CREATE TABLE side_effects (note text)")
            try await db.query(
                "INSERT INTO intake.deliveries (source, external_id, body) SELECT 'test', 'e' || g, convert_to(g::text, 'UTF8') FROM generate_series(1, 6) g")
            let mixed = ClosureHandler(name: "test.mixed") { message, context in
                try await context.requireTransaction().query("INSERT INTO side_effects VALUES ($1)", message.bodyText)
                if Int(message.bodyText)! % 2 == 0 { throw PermanentError("even numbers are invalid") }
                return .success
            }
            let (consumer, pool) = makeConsumer(database: name, handlers: [mixed], worker: "w")
            let run = Task { try await consumer.run() }
            let done = try await eventually {
                try await count(db, "SELECT count(*) FROM intake.deliveries WHERE status IN ('pending','processing')") == 0
            }
            consumer.stop()
            try await run.value
            #expect(done)
            let notes = try await db.query("SELECT string_agg(note, ',' ORDER BY note) FROM side_effects")
            #expect(try notes[0].decode(String.self, at: 0) == "1,3,5")
            #expect(try await count(db, "SELECT count(*) FROM intake.dead_letters") == 3)
            await pool.close()
            await db.close()
        }
    }

    @Test func expiredLeaseIsReclaimedAndCountsAsAnAttempt() async throws {
        try await TestDatabase.withMigratedDatabase { name in
            let db = try await TestDatabase.connect(database: name)
            // A worker that died mid-handler: claimed, lease already run out.
            try await db.query(
                "INSERT INTO intake.deliveries (source, external_id, body, status, attempts, locked_by, locked_until) VALUES ('test', 'orphan', '\\x7b7d'::bytea, 'processing', 1, 'dead-worker', now() - interval '1 second')")
            let ok = ClosureHandler(name: "test.ok", mode: .none) { _, _ in .success }
            let (consumer, pool) = makeConsumer(database: name, handlers: [ok], worker: "rescuer")
            let run = Task { try await consumer.run() }
            let done = try await eventually {
                try await count(db, "SELECT count(*) FROM intake.deliveries WHERE status = 'succeeded'") == 1
            }
            consumer.stop()
            try await run.value
            #expect(done)
            let row = try await db.query("SELECT attempts, errors->0->>'error', errors->0->>'worker' FROM intake.deliveries")
            #expect(try row[0].decode(Int.self, at: 0) == 2)
            #expect(try row[0].decode(String.self, at: 1) == "LeaseExpired")
            #expect(try row[0].decode(String.self, at: 2) == "dead-worker")
            await pool.close()
            await db.close()
        }
    }

    @Test func stopLetsRunningHandlersFinishAndLeavesNothingProcessing() async throws {
        try await TestDatabase.withMigratedDatabase { name in
            let db = try await TestDatabase.connect(database: name)
            try await db.query(
                "INSERT INTO intake.deliveries (source, external_id, body) SELECT 'test', 'e' || g, '\\x7b7d'::bytea FROM generate_series(1, 40) g")
            let started = Recorder<String>()
            let finished = Recorder<String>()
            let slow = ClosureHandler(name: "test.slow", mode: .none) { message, _ in
                started.append(message.id)
                try? await Task.sleep(for: .milliseconds(300))
                finished.append(message.id)
                return .success
            }
            let settings = ConsumerSettings(concurrency: 2, batch: 10, leaseSeconds: 30, idleWait: .milliseconds(50))
            let (consumer, pool) = makeConsumer(database: name, handlers: [slow], worker: "w", settings: settings)
            let run = Task { try await consumer.run() }
            _ = try await eventually { started.count >= 2 }
            consumer.stop()
            try await run.value
            #expect(started.count == finished.count)
            #expect(try await count(db, "SELECT count(*) FROM intake.deliveries WHERE status = 'processing'") == 0)
            #expect(try await count(db, "SELECT count(*) FROM intake.deliveries WHERE status = 'succeeded'") == finished.count)
            // Rows claimed but not started went back untouched.
            #expect(try await count(db, "SELECT count(*) FROM intake.deliveries WHERE status = 'pending' AND attempts = 0") == 40 - finished.count)
            await pool.close()
            await db.close()
        }
    }
}
