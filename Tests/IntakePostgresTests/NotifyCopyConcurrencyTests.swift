import Foundation
import IntakePostgres
import IntakeTestSupport
import Synchronization
import Testing

@Suite("PostgreSQL LISTEN/NOTIFY, COPY and threading", .enabled(if: TestDatabase.available, TestDatabase.skipReason))
struct NotifyCopyConcurrencyTests {
    @Test func waitTimesOutOnTime() async throws {
        let listener = try await TestDatabase.connect()
        try await listener.listen("nobody_sends_here")
        let start = ContinuousClock.now
        let notification = try await listener.waitForNotification(timeout: .milliseconds(300))
        let elapsed = ContinuousClock.now - start
        #expect(notification == nil)
        #expect(elapsed >= .milliseconds(300))
        // Generous: the point is that the wait ends, on a test machine that may be busy.
        #expect(elapsed < .seconds(10))
    }

    @Test func interruptEndsWaitEarly() async throws {
        let listener = try await TestDatabase.connect()
        try await listener.listen("interrupt_test")
        let start = ContinuousClock.now
        async let result = listener.waitForNotification(timeout: .seconds(10))
        try await Task.sleep(for: .milliseconds(50))
        listener.interruptWait()
        #expect(try await result == nil)
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func copyLoadsHundredThousandRows() async throws {
        let db = try await TestDatabase.connect()
        try await db.execute(script: "CREATE TEMP TABLE copied (id bigint, name text, note text)")
        let loaded = try await db.copyIn("COPY copied (id, name, note) FROM STDIN") { writer in
            var buffer = [UInt8]()
            buffer.reserveCapacity(1 << 16)
            for i in 0..<100_000 {
                buffer.append(contentsOf: "\(i)\tname \(i)\t\(i % 10 == 0 ? "\\N" : "tab\\there")\n".utf8)
                if buffer.count > 60_000 {
                    try writer.write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try writer.write(buffer)
        }
        #expect(loaded == 100_000)
        let rows = try await db.query("SELECT count(*), count(note), sum(id), max(note) FROM copied")
        #expect(try rows[0].decode(Int.self, at: 0) == 100_000)
        #expect(try rows[0].decode(Int.self, at: 1) == 90_000)
        #expect(try rows[0].decode(Int.self, at: 2) == 4_999_950_000)
        #expect(try rows[0].decode(String.self, at: 3) == "tab\there")
    }

    @Test func copyErrorAbortsAndKeepsConnection() async throws {
        let db = try await TestDatabase.connect()
        try await db.execute(script: "CREATE TEMP TABLE strict_copy (id int NOT NULL)")
        await #expect(throws: PostgresError.self) {
            try await db.copyIn("COPY strict_copy FROM STDIN") { writer in
                try writer.write("1\nnot-a-number\n")
            }
        }
        #expect(try await db.query("SELECT count(*) FROM strict_copy")[0].decode(Int.self, at: 0) == 0)
    }

    @Test func reconnectsAfterTerminatedBackend() async throws {
        let db = try await TestDatabase.connect()
        let killer = try await TestDatabase.connect()
        let pid = await db.backendPID
        try await killer.query("SELECT pg_terminate_backend($1)", Int(pid))
        try await Task.sleep(for: .milliseconds(100))
        do {
            try await db.query("SELECT 1")
        } catch let error as PostgresError {
            #expect(error.isRetryable)
        }
        // The next statement reconnects by itself.
        #expect(try await db.query("SELECT 2")[0].decode(Int.self, at: 0) == 2)
        #expect(await db.backendPID != pid)
    }

    @Test func poolLeasesEachConnectionToOneTask() async throws {
        let pool = PostgresPool(configuration: TestDatabase.configuration(), size: 3)
        let pids = try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    try await pool.withConnection { conn in
                        try await conn.query("SELECT pg_sleep(0.05)")
                        return await conn.backendPID
                    }
                }
            }
            return try await group.reduce(into: Set<Int32>()) { $0.insert($1) }
        }
        #expect(pids.count <= 3)
        #expect(pids.count >= 1)
        await pool.close()
    }
}
