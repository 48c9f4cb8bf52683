import Foundation
import IntakeAWS
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeRuntime
import IntakeSchema
import IntakeSupport
import IntakeTestSupport
import Synchronization
import Testing

@Suite("SQS worker: retries, dead letters, heartbeat", .enabled(if: SQSTestEnvironment.available, SQSTestEnvironment.skipReason))
struct SQSRetryTests {
    let aws: AWSClients

    init() throws {
        aws = try SQSTestEnvironment.clients()
    }

    @Test func failingMessageBacksOffGrowingThenDeadLettersAndReplaySucceeds() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { database in
            let queue = try await SQSTestEnvironment.makeQueue(aws, visibilitySeconds: 10)
            let body = SQSTestEnvironment.nativeEvent(bucket: "flaky-bucket", key: "flaky/one.csv")
            let sent = try await aws.sqs.sendMessage(queueURL: queue, body: body)

            let healed = Atomic<Bool>(false)
            let attempts = Recorder<(attempt: Int, id: String, at: ContinuousClock.Instant)>()
            // Asks for a wait that grows with the attempt (1 s, then 3 s): the runtime must
            // honour it as the message's visibility.
            let flaky = ClosureHandler(name: "test.flaky", mode: .none) { message, _ in
                attempts.append((message.attempt, message.id, ContinuousClock.now))
                if healed.load(ordering: .sequentiallyConsistent) { return .success }
                return .retry(reason: "peer unavailable (attempt \(message.attempt))", delay: .seconds(message.attempt * 2 - 1))
            }
            let consumer = SQSTestEnvironment.consumer(
                aws, queue: queue, database: database, handlers: [flaky],
                routes: [RouteSettings(key: GlobPattern("flaky/*"), handler: "test.flaky")],
                retry: RetryPolicy(maxAttempts: 3, base: .seconds(1), cap: .seconds(4)))
            let db = try await TestDatabase.connect(database: database)
            try await SQSTestEnvironment.running([consumer]) { () async throws in
                #expect(try await eventually(timeout: .seconds(40)) {
                    try await SQSTestEnvironment.count(db, "SELECT count(*) FROM intake.dead_letters") == 1
                })
                #expect(try await eventually { try await SQSTestEnvironment.depth(aws, queue) == (0, 0) })

                let tries = attempts.all
                #expect(tries.map(\.attempt) == [1, 2, 3])
                #expect(tries.allSatisfy { $0.id == sent.messageId })
                if tries.count == 3 {
                    let first = tries[1].at - tries[0].at
                    let second = tries[2].at - tries[1].at
                    #expect(first >= .milliseconds(900), "came back after \(first), asked for 1 s")
                    #expect(second >= .milliseconds(2900), "came back after \(second), asked for 3 s")
                    #expect(second > first)
                }
                let letter = try await db.query(
                    "SELECT id, origin_ref, handler, attempts, errors::text FROM intake.dead_letters")[0]
                #expect(try letter.decode(String.self, at: 1) == sent.messageId)
                #expect(try letter.decode(String.self, at: 2) == "test.flaky")
                #expect(try letter.decode(Int.self, at: 3) == 3)
                let history = try #require(
                    try JSONSerialization.jsonObject(with: Data(try letter.decode(String.self, at: 4).utf8)) as? [[String: Any]])
                #expect(history.map { $0["attempt"] as? Int } == [1, 2, 3])
                // One history format for every origin: the wait SQS was given, in milliseconds.
                #expect(history.map { $0["retry_in_ms"] as? Int } == [1000, 3000, nil])
                #expect(history.allSatisfy { $0["retry_in_seconds"] == nil && $0["handler"] as? String == "test.flaky" })
                #expect(history.allSatisfy { ($0["message"] as? String)?.hasPrefix("peer unavailable") == true })
                #expect(try await SQSTestEnvironment.count(db, "SELECT count(*) FROM intake.sqs_failures") == 0)

                // The peer is back: the operator replays with the built intakectl.
                healed.store(true, ordering: .sequentiallyConsistent)
                let id = try letter.decode(Int64.self, at: 0)
                let (status, output) = try await runTool(
                    "intakectl", ["dlq", "replay", String(id), "--database-url", TestDatabase.url(database: database)],
                    environment: ["INTAKE_CONFIG": ""])
                #expect(status == 0, "intakectl: \(output)")
                #expect(try await eventually(timeout: .seconds(20)) { attempts.count == 4 })
                #expect(try await eventually { try await SQSTestEnvironment.depth(aws, queue) == (0, 0) })
                let replayed = try #require(attempts.all.last)
                #expect(replayed.attempt == 1)
                #expect(replayed.id != sent.messageId, "a replay is a new message")
                let stamp = try await db.query("SELECT replay_count, replayed_at IS NOT NULL FROM intake.dead_letters")[0]
                #expect(try stamp.decode(Int.self, at: 0) == 1)
                #expect(try stamp.decode(Bool.self, at: 1))
            }
            #expect(try await SQSTestEnvironment.count(db, "SELECT count(*) FROM intake.dead_letters") == 1)
            await db.close()
        }
    }

    @Test func backoffFollowsThePolicyAndPermanentFailuresDieAtOnce() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { database in
            let queue = try await SQSTestEnvironment.makeQueue(aws, visibilitySeconds: 10)
            try await aws.sqs.sendMessage(
                queueURL: queue, body: SQSTestEnvironment.nativeEvent(bucket: "b", key: "retry/one.csv"))
            try await aws.sqs.sendMessage(
                queueURL: queue, body: SQSTestEnvironment.nativeEvent(bucket: "b", key: "bad/one.csv"))
            let failing = ClosureHandler(name: "test.failing", mode: .none) { message, _ in
                let task = try S3ObjectTask(message: message)
                if task.key.hasPrefix("bad/") { throw PermanentError("row 3: ndc is not 11 digits") }
                throw RetryableError("connection reset")
            }
            let consumer = SQSTestEnvironment.consumer(
                aws, queue: queue, database: database, handlers: [failing],
                routes: [RouteSettings(key: GlobPattern("*"), handler: "test.failing")],
                retry: RetryPolicy(maxAttempts: 2, base: .seconds(1), cap: .seconds(1)))
            let db = try await TestDatabase.connect(database: database)
            try await SQSTestEnvironment.running([consumer]) { () async throws in
                #expect(try await eventually(timeout: .seconds(30)) {
                    try await SQSTestEnvironment.count(db, "SELECT count(*) FROM intake.dead_letters") == 2
                })
                #expect(try await eventually { try await SQSTestEnvironment.depth(aws, queue) == (0, 0) })
            }
            let rows = try await db.query(
                """
                SELECT attempts, jsonb_array_length(errors), errors->0->>'class', errors->0->>'retry_in_ms'
                FROM intake.dead_letters ORDER BY payload->>'body' LIKE '%bad/%' DESC
                """)
            // The permanent failure: one attempt. The retryable one: two, the first waiting at
            // most the policy's ceiling for attempt 1.
            #expect(try rows[0].decode(Int.self, at: 0) == 1)
            #expect(try rows[0].decode(Int.self, at: 1) == 1)
            #expect(try rows[0].decode(String.self, at: 2) == "permanent")
            #expect(try rows[1].decode(Int.self, at: 0) == 2)
            #expect(try rows[1].decode(Int.self, at: 1) == 2)
            #expect(try rows[1].decode(String.self, at: 2) == "retryable")
            let wait = try #require(Int(try rows[1].decode(String.self, at: 3)))
            #expect([0, 1000].contains(wait))
            await db.close()
        }
    }

    @Test func heartbeatKeepsALongHandlersMessageFromOtherWorkers() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { database in
            let queue = try await SQSTestEnvironment.makeQueue(aws, visibilitySeconds: 2)
            try await aws.sqs.sendMessage(
                queueURL: queue, body: SQSTestEnvironment.nativeEvent(bucket: "b", key: "slow/one.csv"))
            let runs = Recorder<Int>()
            let slow = ClosureHandler(name: "test.slow", mode: .none) { message, _ in
                runs.append(message.attempt)
                try await Task.sleep(for: .seconds(7))
                return .success
            }
            let registry = MetricsRegistry()
            let routes = [RouteSettings(key: GlobPattern("*"), handler: "test.slow")]
            // Two workers on one queue: if the visibility (2 s) lapsed, the other would take it.
            let first = SQSTestEnvironment.consumer(
                aws, queue: queue, database: database, handlers: [slow], routes: routes, visibilitySeconds: 2,
                metrics: SQSMetrics(registry: registry))
            let second = SQSTestEnvironment.consumer(
                aws, queue: queue, database: database, handlers: [slow], routes: routes, visibilitySeconds: 2,
                metrics: SQSMetrics(registry: registry))
            try await SQSTestEnvironment.running([first, second]) { () async throws in
                #expect(try await eventually(timeout: .seconds(30)) {
                    try await SQSTestEnvironment.depth(aws, queue) == (0, 0) && runs.count > 0
                })
            }
            #expect(runs.all == [1], "ran \(runs.all)")
            let rendered = registry.render()
            let extensions = rendered.split(separator: "\n").first { $0.hasPrefix("intake_lease_renewals_total{origin=\"sqs\"} ") }
            let count = extensions.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
            #expect(count >= 3, "heartbeats: \(extensions ?? "none")")
        }
    }

    /// An S3 key with U+0000 (`%00` in the event) ends up in every error message about the
    /// object; `jsonb` refuses `\u0000`, and the message used to come back forever.
    @Test func nulInTheS3KeyIsDeadLetteredWithinItsAttemptsAndReplaysByteForByte() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { database in
            let queue = try await SQSTestEnvironment.makeQueue(aws, visibilitySeconds: 10)
            let key = "nul/a\u{0}b.csv"
            let body = SQSTestEnvironment.nativeEvent(bucket: "nul-bucket", key: key)
            #expect(body.contains("a%00b.csv"))
            let sent = try await aws.sqs.sendMessage(queueURL: queue, body: body)

            let attempts = Recorder<Int>()
            let failing = ClosureHandler(name: "test.nul", mode: .none) { message, _ in
                attempts.append(message.attempt)
                let task = try S3ObjectTask(message: message)
                throw RetryableError("cannot read \(task.key): connection reset")
            }
            let consumer = SQSTestEnvironment.consumer(
                aws, queue: queue, database: database, handlers: [failing],
                routes: [RouteSettings(key: GlobPattern("nul/*"), handler: "test.nul")],
                retry: RetryPolicy(maxAttempts: 2, base: .seconds(1), cap: .seconds(1)))
            let db = try await TestDatabase.connect(database: database)
            try await SQSTestEnvironment.running([consumer]) { () async throws in
                #expect(
                    try await eventually(timeout: .seconds(30)) {
                        try await SQSTestEnvironment.count(db, "SELECT count(*) FROM intake.dead_letters") == 1
                    })
                #expect(try await eventually { try await SQSTestEnvironment.depth(aws, queue) == (0, 0) })
            }
            #expect(attempts.all == [1, 2], "handled \(attempts.all)")

            let letter = try #require(
                try await db.query(
                    """
                    SELECT id, origin_ref, attempts, errors::text, payload->>'body', payload_raw
                    FROM intake.dead_letters
                    """
                ).first)
            let id = try letter.decode(Int64.self, at: 0)
            #expect(try letter.decode(String.self, at: 1) == sent.messageId)
            #expect(try letter.decode(Int.self, at: 2) == 2)
            let history = try #require(
                try JSONSerialization.jsonObject(with: Data(try letter.decode(String.self, at: 3).utf8))
                    as? [[String: Any]])
            // Both attempts, the retry's entry included, with the NUL shown as U+2400.
            #expect(history.map { $0["attempt"] as? Int } == [1, 2])
            #expect(
                history.allSatisfy { ($0["message"] as? String) == "cannot read nul/a\u{2400}b.csv: connection reset" })
            #expect(history.allSatisfy { ($0["object"] as? String) == "s3://nul-bucket/nul/a\u{2400}b.csv" })
            #expect(try letter.decode(String.self, at: 4) == body)
            #expect(try letter.decode([UInt8].self, at: 5) == Array(body.utf8))
            #expect(try await SQSTestEnvironment.count(db, "SELECT count(*) FROM intake.sqs_failures") == 0)

            let url = TestDatabase.url(database: database)
            let (shown, showOutput) = try await runTool(
                "intakectl", ["dlq", "show", String(id), "--database-url", url], environment: ["INTAKE_CONFIG": ""])
            #expect(shown == 0, "intakectl: \(showOutput)")
            #expect(showOutput.contains("a\u{2400}b.csv"), "intakectl: \(showOutput)")

            let (replayed, replayOutput) = try await runTool(
                "intakectl", ["dlq", "replay", String(id), "--database-url", url], environment: ["INTAKE_CONFIG": ""])
            #expect(replayed == 0, "intakectl: \(replayOutput)")
            // The stopped consumer's last long poll may still take the message on the emulator's
            // side; it is visible again after the queue's 10 s visibility timeout.
            var resent: [SQSMessage] = []
            _ = try await eventually(timeout: .seconds(30)) {
                resent = try await aws.sqs.receiveMessages(queueURL: queue, waitSeconds: 2)
                return !resent.isEmpty
            }
            #expect(resent.count == 1, "intakectl: \(replayOutput)")
            #expect(
                resent.first.map { Array($0.body.utf8) } == Array(body.utf8), "replay re-sends the body as received")
            #expect(resent.first?.messageId != sent.messageId)
            await db.close()
        }
    }

    /// However the dead letter fails to be written, the message must not be deleted unrecorded
    /// nor come back at once forever: it waits the handler's backoff, for the queue's redrive.
    @Test func aRefusedDeadLetterLeavesTheMessageForTheRedrivePolicy() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { database in
            // Any refusal will do; the NUL of old was one.
            let db = try await TestDatabase.connect(database: database)
            try await db.execute(
                script: """
                    CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'dead letters refused by this test'; END $$;
                    CREATE TRIGGER refuse BEFORE INSERT ON intake.dead_letters FOR EACH ROW EXECUTE FUNCTION refuse();
                    """)
            let queue = try await SQSTestEnvironment.makeQueue(aws, visibilitySeconds: 10)
            try await aws.sqs.sendMessage(
                queueURL: queue, body: SQSTestEnvironment.nativeEvent(bucket: "b", key: "bad/one.csv"))
            let attempts = Recorder<Int>()
            let failing = ClosureHandler(name: "test.bad", mode: .none) { message, _ in
                attempts.append(message.attempt)
                throw PermanentError("row 3: not a number")
            }
            let consumer = SQSTestEnvironment.consumer(
                aws, queue: queue, database: database, handlers: [failing],
                routes: [RouteSettings(key: GlobPattern("*"), handler: "test.bad")],
                retry: RetryPolicy(maxAttempts: 5, base: .seconds(20), cap: .seconds(20)))
            try await SQSTestEnvironment.running([consumer]) { () async throws in
                #expect(try await eventually(timeout: .seconds(20)) { attempts.count == 1 })
                #expect(try await eventually { try await SQSTestEnvironment.depth(aws, queue) == (0, 1) })
                // Past the queue's 10 s visibility: still held back, by the backoff of up to 20 s.
                try await Task.sleep(for: .seconds(12))
            }
            #expect(attempts.all == [1], "handled \(attempts.all)")
            await db.close()
        }
    }
}
