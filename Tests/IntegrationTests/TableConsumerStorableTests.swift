import Foundation
import IntakeCore
import IntakePostgres
import IntakeSupport
import IntakeTestSupport
import Logging
import Testing

/// Failures and results that quote a body holding U+0000: `text` cannot hold it and
/// `jsonb` refuses `\u0000`, so the settlement used to fail and the rows came back forever.
@Suite("Table consumer: failures of any content", .enabled(if: TestDatabase.available, TestDatabase.skipReason))
struct TableConsumerStorableTests {
    static let fast = ConsumerSettings(
        concurrency: 2, batch: 8, leaseSeconds: 30, idleWait: .milliseconds(50), sweepInterval: .milliseconds(500))
    static let quick = RetryPolicies(defaultPolicy: RetryPolicy(maxAttempts: 2, base: .milliseconds(10), cap: .milliseconds(50)))

    func consumer(_ name: String, table: QueueTable, handler: any Handler) -> (TableConsumer, PostgresPool) {
        let pool = PostgresPool(configuration: TestDatabase.configuration(database: name), size: 4)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let consumer = TableConsumer(
            table: table, settings: Self.fast, registry: HandlerRegistry([handler]), policies: Self.quick, pool: pool,
            workerID: "w", logger: logger, route: { _ in handler.name })
        return (consumer, pool)
    }

    @Test func deliveriesAndJobsQuotingNULAreDeadLetteredOrSucceedAndReplay() async throws {
        try await TestDatabase.withMigratedDatabase { name in
            let db = try await TestDatabase.connect(database: name)
            // Bodies "a NUL b" and a last byte that picks the handler's outcome.
            try await db.query(
                """
                INSERT INTO intake.deliveries (source, external_id, body) VALUES
                    ('s', 'permanent', '\\x61006221'::bytea), ('s', 'retry', '\\x61006222'::bytea),
                    ('s', 'echo', '\\x61006223'::bytea)
                """)
            try await db.query(#"INSERT INTO intake.jobs (kind, payload) VALUES ('quote', '{"n": 1}')"#)
            let quoting = ClosureHandler(name: "test.quote") { message, _ in
                let text = message.bodyText
                switch text.last {
                case "!": throw PermanentError("cannot parse \(text)")
                case "\"": throw RetryableError("upstream choked on \(text)")
                default: return .success(result: try PostgresJSON(object: ["echo": text]))
                }
            }
            let failingJob = ClosureHandler(name: "test.job") { _, _ in throw PermanentError("job said a\u{0}b") }
            let (inbox, inboxPool) = consumer(name, table: .deliveries, handler: quoting)
            let (notify, notifyPool) = consumer(name, table: .jobs, handler: failingJob)
            let runs = [Task { try await inbox.run() }, Task { try await notify.run() }]
            let settled = try await eventually(timeout: .seconds(15)) {
                try await db.query(
                    """
                    SELECT (SELECT count(*) FROM intake.deliveries WHERE status IN ('dead', 'succeeded'))
                         + (SELECT count(*) FROM intake.jobs WHERE status = 'dead')
                    """)[0].decode(Int.self, at: 0) == 4
            }
            inbox.stop()
            notify.stop()
            for run in runs { try await run.value }
            #expect(settled)

            let rows = try await db.query(
                "SELECT external_id, status, attempts, last_error, result->>'echo' FROM intake.deliveries ORDER BY external_id"
            )
            #expect(try rows.map { try $0.decode(String.self, at: 0) } == ["echo", "permanent", "retry"])
            #expect(try rows.map { try $0.decode(String.self, at: 1) } == ["succeeded", "dead", "dead"])
            #expect(try rows.map { try $0.decode(Int.self, at: 2) } == [1, 1, 2])
            #expect(try rows[0].decode(String.self, at: 4) == "a\u{2400}b#")
            #expect(try rows[1].decode(String?.self, at: 3) == "cannot parse a\u{2400}b!")
            #expect(try rows[2].decode(String?.self, at: 3) == "upstream choked on a\u{2400}b\"")

            let letters = try await db.query(
                """
                SELECT id, origin, attempts, errors->-1->>'message', payload->>'body_base64', jsonb_array_length(errors)
                FROM intake.dead_letters ORDER BY origin, origin_ref
                """)
            #expect(try letters.map { try $0.decode(String.self, at: 1) } == ["inbox", "inbox", "notify"])
            #expect(try letters.map { try $0.decode(Int.self, at: 5) } == [1, 2, 1])
            #expect(try letters[0].decode(String.self, at: 3) == "cannot parse a\u{2400}b!")
            #expect(try letters[2].decode(String.self, at: 3) == "job said a\u{2400}b")
            // The body itself is kept exactly.
            #expect(try Data(base64Encoded: letters[0].decode(String.self, at: 4)) == Data([0x61, 0x00, 0x62, 0x21]))

            // Show and replay work on such letters: the delivery is pending again, body intact.
            let store = DeadLetterStore(pool: inboxPool)
            let id = try letters[0].decode(Int64.self, at: 0)
            let shown = try #require(try await store.show(id: id))
            #expect(shown.errors?.contains("a\u{2400}b") == true)
            #expect(try await store.replay(id: id, resendSQS: nil) == .replayed)
            let replayed = try await db.query(
                "SELECT status, body FROM intake.deliveries WHERE external_id = 'permanent'")[0]
            #expect(try replayed.decode(String.self, at: 0) == "pending")
            #expect(try replayed.decode([UInt8].self, at: 1) == [0x61, 0x00, 0x62, 0x21])
            await inboxPool.close()
            await notifyPool.close()
            await db.close()
        }
    }
}
