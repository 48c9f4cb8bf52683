import Foundation
import IntakeCore
import IntakeDrupal
import IntakeHandlers
import IntakePostgres
import IntakeSchema
import IntakeTestSupport
import Logging
import Testing

@Suite("drupal.module_sync concurrency", .enabled(if: TestDatabase.available, TestDatabase.skipReason))
struct DrupalLockTests {
    func message(id: Int, site: Int64, body: [UInt8]) -> Message {
        Message(
            origin: .inbox, id: String(id), handler: DrupalModuleSyncHandler.handlerName, attempt: 1, body: body,
            attributes: ["x-intake-site-id": String(site), "x-intake-site-name": "site"], topic: "drupal")
    }

    /// The newer sync holds the site's row; the older one, started meanwhile, waits for it, then
    /// finds the newer sync applied and is recorded as superseded.
    @Test func concurrentSyncsOfOneSiteSerializeAndTheLaterTimestampWins() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { name in
            let setup = try await TestDatabase.connect(database: name)
            let key = DrupalAPIKey.generate()
            let site = try await setup.query(
                "INSERT INTO ingest.drupal_sites (name, api_key_hash, key_prefix) VALUES ('s', $1, $2) RETURNING id",
                key.storedHash, key.keyPrefix)[0].decode(Int64.self, at: 0)
            let pool = PostgresPool(configuration: TestDatabase.configuration(database: name), size: 2)
            let logger: Logger = {
                var logger = Logger(label: "lock-test")
                logger.logLevel = .critical
                return logger
            }()
            let handler = DrupalModuleSyncHandler()
            let base = Date().addingTimeInterval(-600)
            let newer = DrupalBodies.body(DrupalBodies.names(0..<100).map { DrupalBodies.module($0, version: "2.0.0") }, at: base)
            let older = DrupalBodies.body(
                DrupalBodies.names(0..<50).map { DrupalBodies.module($0, version: "1.0.0") }, at: base.addingTimeInterval(-30))

            let first = try await TestDatabase.connect(database: name)
            let second = try await TestDatabase.connect(database: name)
            try await first.execute(script: "BEGIN")
            let firstOutcome = try await handler.handle(
                message(id: 1, site: site, body: newer),
                context: HandlerContext(logger: logger, transaction: first, pool: pool, workerID: "a"))
            guard case .success = firstOutcome else {
                Issue.record("the newer sync failed: \(firstOutcome)")
                return
            }
            let secondPID = await second.backendPID
            let waiting = Task {
                try await second.withTransaction { connection in
                    try await handler.handle(
                        message(id: 2, site: site, body: older),
                        context: HandlerContext(logger: logger, transaction: connection, pool: pool, workerID: "b"))
                }
            }
            // The second sync blocks on the site's row lock while the first is uncommitted.
            let blocked = try await eventually(timeout: .seconds(10)) {
                try await setup.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'", Int(secondPID)
                )[0].decode(Int.self, at: 0) == 1
            }
            #expect(blocked)
            try await first.execute(script: "COMMIT")
            let secondOutcome = try await waiting.value
            guard case .success(let result) = secondOutcome, let text = result?.text else {
                Issue.record("the older sync failed: \(secondOutcome)")
                return
            }
            #expect(text.contains(#""outcome":"superseded""#))

            let runs = try await setup.query("SELECT delivery_id, outcome FROM ingest.drupal_sync_runs ORDER BY delivery_id")
            #expect(try runs.map { "\(try $0.decode(Int.self, at: 0)):\(try $0.decode(String.self, at: 1))" } == ["1:applied", "2:superseded"])
            let versions = try await setup.query(
                """
                SELECT v.version, count(*) FROM ingest.drupal_site_modules s
                JOIN ingest.drupal_module_versions v ON v.id = s.version_id GROUP BY 1
                """)
            #expect(try versions.map { "\(try $0.decode(String.self, at: 0))×\(try $0.decode(Int.self, at: 1))" } == ["2.0.0×100"])
            await first.close()
            await second.close()
            await setup.close()
            await pool.close()
        }
    }
}
