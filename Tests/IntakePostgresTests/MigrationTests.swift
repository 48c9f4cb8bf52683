import Foundation
import IntakeCore
import IntakePostgres
import IntakeSchema
import IntakeTestSupport
import Testing

@Suite("Migrations", .enabled(if: TestDatabase.available, TestDatabase.skipReason))
struct MigrationTests {
    @Test func concurrentIntakectlMigrateRunsBothSucceed() async throws {
        try await TestDatabase.withFreshDatabase { name in
            let binary = TestDatabase.productsDirectory.appendingPathComponent("intakectl")
            #expect(FileManager.default.isExecutableFile(atPath: binary.path), "build intakectl first")
            func run() throws -> (Int32, String) {
                try runProduct("intakectl", ["migrate", "--database-url", TestDatabase.url!, "--database", name])
            }
            async let one = Task.detached { try run() }.value
            async let two = Task.detached { try run() }.value
            let results = try await [one, two]
            for (status, output) in results {
                #expect(status == 0, "intakectl migrate failed: \(output)")
            }
            let db = try await TestDatabase.connect(database: name)
            let versions = try await db.query("SELECT version FROM intake.schema_migrations ORDER BY version")
            let latest = IntakeMigrations.migrator().latestVersion
            #expect(versions.count == IntakeMigrations.all.count)
            #expect(try versions[versions.count - 1].decode(Int.self, at: 0) == latest)
            // A second run is a no-op.
            let (status, output) = try run()
            #expect(status == 0)
            #expect(output.contains("up to date"))
            await db.close()
        }
    }

    @Test func olderSchemaIsRefusedWithAMessage() async throws {
        try await TestDatabase.withFreshDatabase { name in
            let db = try await TestDatabase.connect(database: name)
            try await Migrator(migrations: CoreSchema.migrations).migrate(on: db)
            let newer = Migrator(
                migrations: CoreSchema.migrations + [Migration(version: 999, name: "future", sql: "SELECT 1")])
            do {
                try await newer.requireCurrent(on: db)
                Issue.record("an older schema was accepted")
            } catch let error as SchemaTooOld {
                #expect(error.required == 999)
                #expect(error.description.contains("intakectl migrate"))
            }
            try await Migrator(migrations: CoreSchema.migrations).requireCurrent(on: db)
            await db.close()
        }
    }

    @Test("migration 9: SQS histories written with retry_in_seconds read as retry_in_ms")
    func historiesMoveToOneFormat() async throws {
        try await TestDatabase.withFreshDatabase { name in
            let db = try await TestDatabase.connect(database: name)
            try await Migrator(migrations: CoreSchema.migrations.filter { $0.version < 9 }).migrate(on: db)
            let old = #"[{"attempt":1,"retry_in_seconds":3,"message":"a"},{"attempt":2,"message":"b"}]"#
            try await db.query(
                "INSERT INTO intake.sqs_failures (message_id, queue_url, errors) VALUES ('m1', 'q', $1::jsonb)", [old])
            try await db.query(
                """
                INSERT INTO intake.dead_letters (origin, origin_ref, handler, payload, attempts, errors)
                VALUES ('sqs', 'm2', 'h', '{}', 2, $1::jsonb)
                """, [old])
            try await Migrator(migrations: CoreSchema.migrations).migrate(on: db)
            for table in ["intake.sqs_failures", "intake.dead_letters"] {
                let rows = try await db.query(
                    """
                    SELECT (errors->0->>'retry_in_ms')::int, errors->0 ? 'retry_in_seconds', errors->1->>'message',
                           jsonb_array_length(errors)
                    FROM \(table)
                    """)
                #expect(try rows[0].decode(Int.self, at: 0) == 3000, "\(table)")
                #expect(try rows[0].decode(Bool.self, at: 1) == false, "\(table)")
                #expect(try rows[0].decode(String.self, at: 2) == "b", "\(table): order and other entries kept")
                #expect(try rows[0].decode(Int.self, at: 3) == 2)
            }
            await db.close()
        }
    }

    @Test func enqueueNotifiesOncePerStatement() async throws {
        try await TestDatabase.withFreshDatabase { name in
            let db = try await TestDatabase.connect(database: name)
            try await Migrator(migrations: CoreSchema.migrations).migrate(on: db)
            let listener = try await TestDatabase.connect(database: name)
            try await listener.listen("intake_jobs")
            try await db.query(
                "INSERT INTO intake.jobs (kind, payload) SELECT 'bulk', jsonb_build_object('n', g) FROM generate_series(1, 50) g")
            #expect(try await listener.waitForNotification(timeout: .seconds(2)) != nil)
            // Fifty rows, one statement: one notification.
            #expect(try await listener.waitForNotification(timeout: .milliseconds(200)) == nil)
            let id = try await db.query("SELECT intake.enqueue($1, $2::jsonb)", "one", PostgresJSON(text: #"{"a":1}"#))
            #expect(try id[0].decode(Int.self, at: 0) == 51)
            #expect(try await listener.waitForNotification(timeout: .seconds(2))?.channel == "intake_jobs")
            await db.close()
            await listener.close()
        }
    }
}
