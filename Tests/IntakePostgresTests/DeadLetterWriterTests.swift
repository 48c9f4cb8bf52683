import Foundation
import IntakeCore
import IntakePostgres
import IntakeTestSupport
import Testing

@Suite("Dead-letter writer", .enabled(if: TestDatabase.available, TestDatabase.skipReason))
struct DeadLetterWriterTests {
    @Test("one letter per message until it is replayed; bytes and first failure kept")
    func oneLetterPerMessageUntilReplayed() async throws {
        try await TestDatabase.withFreshDatabase { name in
            let db = try await TestDatabase.connect(database: name)
            try await Migrator(migrations: CoreSchema.migrations).migrate(on: db)
            let failedAt = Date(timeIntervalSince1970: 1_700_000_000)
            let record = AttemptRecord(
                at: failedAt, attempt: 1, worker: "w1", handler: "csv.claims", errorClass: "PermanentError",
                message: "bad header", retryable: false)
            let sqs = DeadLetterWriter.Letter(
                origin: .sqs, originRef: "m1", handler: "csv.claims", payload: PostgresJSON(text: #"{"body":"a␀b"}"#),
                payloadRaw: [0x61, 0, 0x62], attempts: 1, errors: PostgresJSON(text: "[\(record.json)]"))
            let job = DeadLetterWriter.Letter(
                origin: .notify, originRef: "7", handler: "builtin.noop", payload: PostgresJSON(text: "{}"), attempts: 3,
                errors: PostgresJSON(text: "[]"))
            #expect(try await db.withIsolation { try DeadLetterWriter.write([sqs, job], on: $0) } == 2)
            // The worker died before deleting the message: it comes back and dies again.
            #expect(try await db.withIsolation { try DeadLetterWriter.write([sqs], on: $0) } == 0)
            try await db.query("UPDATE intake.dead_letters SET replayed_at = now() WHERE origin_ref = 'm1'")
            #expect(try await db.withIsolation { try DeadLetterWriter.write([sqs], on: $0) } == 1)
            let rows = try await db.query(
                """
                SELECT payload_raw, first_failed_at = $1::timestamptz, errors->0->>'handler'
                FROM intake.dead_letters WHERE origin = 'sqs' ORDER BY id
                """, [failedAt])
            #expect(rows.count == 2)
            #expect(try rows[1].decode([UInt8].self, at: 0) == [0x61, 0, 0x62])
            #expect(try rows[1].decode(Bool.self, at: 1))
            #expect(try rows[1].decode(String.self, at: 2) == "csv.claims")
            let job7 = try await db.query("SELECT payload_raw IS NULL, attempts FROM intake.dead_letters WHERE origin = 'notify'")
            #expect(try job7[0].decode(Bool.self, at: 0))
            #expect(try job7[0].decode(Int.self, at: 1) == 3)
            await db.close()
        }
    }
}
