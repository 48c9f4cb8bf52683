import Foundation
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeSchema
import IntakeTestSupport
import Testing

/// Tests that take PostgreSQL away. They would break every other test running at the same time,
/// so scripts/test runs them alone, after the rest, with INTAKE_DISRUPTIVE_TESTS=1.
@Suite(
    "Disruptive: PostgreSQL restarts", .serialized,
    .enabled(if: TestDatabase.disruptiveEnabled, "runs alone after the other tests (scripts/test sets INTAKE_DISRUPTIVE_TESTS=1)"))
struct DisruptiveWorkerTests {
    func count(_ db: PostgresConnection, _ sql: String) async throws -> Int {
        try await db.query(sql)[0].decode(Int.self, at: 0)
    }

    @Test func workersCarryOnAfterPostgresRestartUnderLoad() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { name in
            var db = try await TestDatabase.connect(database: name)
            try await db.query(
                "INSERT INTO intake.deliveries (source, external_id, body) SELECT 'smoke', 'e' || g, convert_to('{\"sleep_ms\": 20}', 'UTF8') FROM generate_series(1, 600) g")
            try await db.query(
                "INSERT INTO intake.jobs (kind, payload) SELECT 'builtin.sleep', '{\"sleep_ms\": 20}'::jsonb FROM generate_series(1, 600)")
            let config = TestDatabase.workerConfig(database: name, concurrency: 2, batch: 4, leaseSeconds: 5)
            let workers = try [
                WorkerProcess("intake-inbox-worker", config: config), WorkerProcess("intake-inbox-worker", config: config),
                WorkerProcess("intake-notify-worker", config: config), WorkerProcess("intake-notify-worker", config: config),
            ]
            #expect(try await eventually {
                try await count(db, "SELECT count(*) FROM intake.jobs WHERE status = 'succeeded'") > 20
            })
            await db.close()
            try TestDatabase.controlServer("stop")
            try await Task.sleep(for: .seconds(2))
            try TestDatabase.controlServer("start")
            db = try await TestDatabase.connect(database: name)
            let finished = try await eventually(timeout: .seconds(60)) {
                let deliveries = try await count(db, "SELECT count(*) FROM intake.deliveries WHERE status = 'succeeded'")
                let jobs = try await count(db, "SELECT count(*) FROM intake.jobs WHERE status = 'succeeded'")
                return deliveries == 600 && jobs == 600
            }
            for worker in workers { worker.signal(SIGTERM) }
            for worker in workers { #expect(await worker.waitForExit(timeout: .seconds(15)) == 0) }
            #expect(finished, "log: \(workers[0].log.suffix(1500)) \(workers[2].log.suffix(1500))")
            #expect(try await count(db, "SELECT count(*) FROM intake.dead_letters") == 0)
            await db.close()
        }
    }

}
