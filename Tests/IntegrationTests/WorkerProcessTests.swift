import Foundation
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeSchema
import IntakeTestSupport
import Testing

@Suite("Worker processes", .serialized, .enabled(if: TestDatabase.available, TestDatabase.skipReason))
struct WorkerProcessTests {
    func count(_ db: PostgresConnection, _ sql: String) async throws -> Int {
        try await db.query(sql)[0].decode(Int.self, at: 0)
    }

    func waitForRows(_ db: PostgresConnection, status: String, count expected: Int, timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let rows = try await db.query("SELECT count(*) FROM intake.deliveries WHERE status = $1", [status])
            if try rows[0].decode(Int.self, at: 0) == expected { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return false
    }

    @Test func twoWorkerProcessesDrainTenThousandDeliveriesOnce() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { name in
            let db = try await TestDatabase.connect(database: name)
            try await db.query(
                "INSERT INTO intake.deliveries (source, external_id, body) SELECT 'events', 'e' || g, convert_to(json_build_object('id', g, 'type', 'test.event')::text, 'UTF8') FROM generate_series(1, 10000) g")
            let config = TestDatabase.workerConfig(database: name, concurrency: 4, batch: 32)
            let workers = try [
                WorkerProcess("intake-inbox-worker", config: config), WorkerProcess("intake-inbox-worker", config: config),
            ]
            let drained = try await waitForRows(db, status: "succeeded", count: 10_000, timeout: .seconds(120))
            for worker in workers { worker.signal(SIGTERM) }
            for worker in workers { #expect(await worker.waitForExit(timeout: .seconds(15)) == 0) }
            #expect(drained)
            // webhook.generic writes one row per delivery; each delivery was claimed exactly once.
            #expect(try await count(db, "SELECT count(*) FROM ingest.webhook_events") == 10_000)
            #expect(try await count(db, "SELECT count(DISTINCT delivery_id) FROM ingest.webhook_events") == 10_000)
            #expect(try await count(db, "SELECT count(*) FROM intake.deliveries WHERE attempts <> 1") == 0)
            await db.close()
        }
    }

    @Test func inboxDeadLetterReplaysOnceTheCauseIsFixed() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { name in
            let db = try await TestDatabase.connect(database: name)
            // Not JSON: webhook.generic refuses it permanently.
            try await db.query(
                "INSERT INTO intake.deliveries (source, external_id, body) VALUES ('events', 'broken', convert_to('not json', 'UTF8'))")
            let worker = try WorkerProcess("intake-inbox-worker", config: TestDatabase.workerConfig(database: name))
            #expect(try await eventually { try await count(db, "SELECT count(*) FROM intake.dead_letters") == 1 })
            let letter = try await db.query("SELECT id, origin, attempts FROM intake.dead_letters")
            #expect(try letter[0].decode(String.self, at: 1) == "inbox")
            #expect(try letter[0].decode(Int.self, at: 2) == 1)
            // The fix: the partner resends valid JSON under the same delivery.
            try await db.query("UPDATE intake.deliveries SET body = convert_to('{\"type\":\"fixed\"}', 'UTF8')")
            let process = Process()
            process.executableURL = TestDatabase.productsDirectory.appendingPathComponent("intakectl")
            process.arguments = [
                "dlq", "replay", String(try letter[0].decode(Int.self, at: 0)), "--database-url", TestDatabase.url(database: name),
            ]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            #expect(try await waitForRows(db, status: "succeeded", count: 1, timeout: .seconds(20)))
            #expect(try await count(db, "SELECT count(*) FROM ingest.webhook_events WHERE event_type = 'fixed'") == 1)
            worker.signal(SIGTERM)
            #expect(await worker.waitForExit(timeout: .seconds(15)) == 0)
            await db.close()
        }
    }

    @Test func killNineMidHandlerAnotherWorkerFinishesTheRow() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { name in
            let db = try await TestDatabase.connect(database: name)
            try await db.query(
                "INSERT INTO intake.deliveries (source, external_id, body) VALUES ('smoke', 'slow-1', convert_to('{\"sleep_ms\": 4000}', 'UTF8'))")
            let config = TestDatabase.workerConfig(database: name, concurrency: 1, batch: 1, leaseSeconds: 2)
            let victim = try WorkerProcess("intake-inbox-worker", config: config)
            #expect(try await eventually {
                try await count(db, "SELECT count(*) FROM intake.deliveries WHERE status = 'processing'") == 1
            })
            victim.signal(SIGKILL)
            let killed = await victim.waitForExit(timeout: .seconds(5))
            #expect(killed == SIGKILL, "victim exit \(String(describing: killed))")
            let rescuer = try WorkerProcess("intake-inbox-worker", config: config)
            let done = try await waitForRows(db, status: "succeeded", count: 1, timeout: .seconds(30))
            rescuer.signal(SIGTERM)
            let status = await rescuer.waitForExit(timeout: .seconds(15))
            #expect(status == 0, "victim: \(victim.log.suffix(1500))\nrescuer: \(rescuer.log.suffix(1500))")
            let state = try await db.query("SELECT status || ' ' || attempts FROM intake.deliveries")[0].decode(String.self, at: 0)
            #expect(done, "row \(state); rescuer log: \(rescuer.log.suffix(2000))")
            let row = try await db.query("SELECT attempts, errors->0->>'error', status FROM intake.deliveries")
            let rowStatus = try row[0].decode(String.self, at: 2)
            #expect(try row[0].decode(Int.self, at: 0) == 2, "row: \(rowStatus) done=\(done) rescuer: \(rescuer.log)")
            #expect(try row[0].decode(String?.self, at: 1) == "LeaseExpired")
            #expect(try await count(db, "SELECT count(*) FROM intake.dead_letters") == 0)
            await db.close()
        }
    }

    @Test func sigtermLetsHandlersFinishAndExitsZero() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { name in
            let db = try await TestDatabase.connect(database: name)
            try await db.query(
                "INSERT INTO intake.deliveries (source, external_id, body) SELECT 'smoke', 'e' || g, convert_to('{\"sleep_ms\": 800}', 'UTF8') FROM generate_series(1, 30) g")
            let worker = try WorkerProcess(
                "intake-inbox-worker", config: TestDatabase.workerConfig(database: name, concurrency: 3, batch: 5))
            #expect(try await eventually {
                try await count(db, "SELECT count(*) FROM intake.deliveries WHERE status = 'processing'") >= 3
            })
            // Claimed is not started: give the lanes time to be inside their 800 ms handlers.
            try await Task.sleep(for: .milliseconds(400))
            let signalled = ContinuousClock.now
            worker.signal(SIGTERM)
            let status = await worker.waitForExit(timeout: .seconds(10))
            #expect(status == 0, "log: \(worker.log.suffix(2000))")
            #expect(ContinuousClock.now - signalled < .seconds(10))
            #expect(try await count(db, "SELECT count(*) FROM intake.deliveries WHERE status = 'processing'") == 0)
            // The handlers in flight finished; rows not started went back untouched; nothing failed.
            #expect(try await count(db, "SELECT count(*) FROM intake.deliveries WHERE status = 'succeeded'") >= 1)
            #expect(try await count(db, "SELECT count(*) FROM intake.deliveries WHERE status = 'pending' AND attempts <> 0") == 0)
            #expect(try await count(db, "SELECT count(*) FROM intake.dead_letters") == 0)
            #expect(try await count(db, "SELECT count(*) FROM intake.deliveries WHERE status IN ('pending','succeeded')") == 30)
            await db.close()
        }
    }

    @Test func replayFromTwoProcessesAtOnceRequeuesOnce() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { name in
            let db = try await TestDatabase.connect(database: name)
            // A job whose kind has no handler dies at once; then the "fix" is a handler for it.
            try await db.query("SELECT intake.enqueue('builtin.noop', '{}'::jsonb)")
            try await db.query("UPDATE intake.jobs SET kind = 'not.yet.deployed'")
            let config = TestDatabase.workerConfig(database: name)
            let worker = try WorkerProcess("intake-notify-worker", config: config)
            #expect(try await eventually { try await count(db, "SELECT count(*) FROM intake.dead_letters") == 1 })
            try await db.query("UPDATE intake.jobs SET kind = 'builtin.noop'")
            let letter = try await db.query("SELECT id FROM intake.dead_letters")[0].decode(Int.self, at: 0)
            func replay() throws -> Int32 {
                let process = Process()
                process.executableURL = TestDatabase.productsDirectory.appendingPathComponent("intakectl")
                process.arguments = ["dlq", "replay", String(letter), "--database-url", TestDatabase.url(database: name)]
                process.standardOutput = FileHandle.nullDevice
                try process.run()
                process.waitUntilExit()
                return process.terminationStatus
            }
            async let one = Task.detached { try replay() }.value
            async let two = Task.detached { try replay() }.value
            let statuses = try await [one, two]
            #expect(statuses == [0, 0])
            #expect(try await eventually {
                try await count(db, "SELECT count(*) FROM intake.jobs WHERE status = 'succeeded'") == 1
            })
            let stamp = try await db.query("SELECT replay_count FROM intake.dead_letters")
            #expect(try stamp[0].decode(Int.self, at: 0) == 1)
            // Processed once: one attempt after the replay reset attempts to 0.
            #expect(try await count(db, "SELECT attempts FROM intake.jobs") == 1)
            worker.signal(SIGTERM)
            #expect(await worker.waitForExit(timeout: .seconds(15)) == 0)
            await db.close()
        }
    }
}
