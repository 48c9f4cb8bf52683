import Foundation
import IntakeAWS
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeRuntime
import IntakeSchema
import IntakeTestSupport
import Testing

@Suite(
    "SQS worker process", .serialized, .enabled(if: SQSTestEnvironment.available, SQSTestEnvironment.skipReason))
struct SQSWorkerProcessTests {
    let aws: AWSClients

    init() throws {
        aws = try SQSTestEnvironment.clients()
    }

    static func config(
        database: String, queue: String, visibility: Int, concurrency: Int, metricsPort: Int = 0, grace: Int = 10
    ) -> String {
        """
        database:
          url: "\(TestDatabase.url(database: database))"
        sqs:
          queue_url: "\(queue)"
          wait_seconds: 1
          max_messages: 10
          visibility_seconds: \(visibility)
        routes:
          - { bucket: "*", key: "*", handler: builtin.sleep }
        retry:
          max_attempts: 5
          base_seconds: 1
          cap_seconds: 2
        workers:
          concurrency: \(concurrency)
          shutdown_grace_seconds: \(grace)
          metrics_listen: 127.0.0.1:\(metricsPort)
        """
    }

    static func freePort() throws -> Int { try freeLocalPort() }

    static func get(_ url: String) async -> (Int, String) {
        do {
            let response = try await SQSTestEnvironment.http.execute(
                IntakeAWS.HTTPRequest(method: "GET", url: url, timeout: .seconds(5)))
            return (response.status, String(decoding: response.body, as: UTF8.self))
        } catch {
            return (0, "\(error)")
        }
    }

    @Test func killNineMidMessageIsRedeliveredAndProcessedOnce() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { database in
            let queue = try await SQSTestEnvironment.makeQueue(aws, visibilitySeconds: 3)
            let sent = try await aws.sqs.sendMessage(
                queueURL: queue, body: SQSTestEnvironment.nativeEvent(bucket: "b", key: "drill/sleep-3000/one.csv"))
            let victim = try WorkerProcess(
                "intake-sqs-worker", config: Self.config(database: database, queue: queue, visibility: 3, concurrency: 1))
            #expect(try await eventually { try await SQSTestEnvironment.depth(aws, queue).inFlight == 1 })
            try await Task.sleep(for: .milliseconds(500))
            victim.signal(SIGKILL)
            #expect(await victim.waitForExit(timeout: .seconds(5)) == SIGKILL)

            // The rescuer records every completed run of the same sleep handler.
            let done = Recorder<(attempt: Int, id: String)>()
            let sleeper = SleepHandler()
            let recording = ClosureHandler(name: sleeper.name, mode: .none) { message, context in
                let outcome = try await sleeper.handle(message, context: context)
                done.append((message.attempt, message.id))
                return outcome
            }
            let rescuer = SQSTestEnvironment.consumer(
                aws, queue: queue, database: database, handlers: [recording],
                routes: [RouteSettings(key: GlobPattern("*"), handler: sleeper.name)], visibilitySeconds: 3)
            try await SQSTestEnvironment.running([rescuer]) { () async throws in
                #expect(try await eventually(timeout: .seconds(30)) { done.count >= 1 })
                #expect(try await eventually { try await SQSTestEnvironment.depth(aws, queue) == (0, 0) })
                // Long enough for a stray second delivery to show up.
                try await Task.sleep(for: .seconds(4))
            }
            #expect(done.count == 1, "processed \(done.count) times; victim log: \(victim.log.suffix(1500))")
            #expect(done.all.first?.id == sent.messageId)
            #expect((done.all.first?.attempt ?? 0) >= 2, "the redelivery counts as a new attempt")
            let db = try await TestDatabase.connect(database: database)
            #expect(try await SQSTestEnvironment.count(db, "SELECT count(*) FROM intake.dead_letters") == 0)
            await db.close()
        }
    }

    @Test func sigtermFinishesHandlersInFlightAndLeavesTheRestVisible() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { database in
            let queue = try await SQSTestEnvironment.makeQueue(aws, visibilitySeconds: 30)
            let entries = (0..<6).map {
                SQSSendEntry(id: "m\($0)", body: SQSTestEnvironment.nativeEvent(bucket: "b", key: "drill/sleep-1500/\($0).csv"))
            }
            #expect(try await aws.sqs.sendMessageBatch(queueURL: queue, entries: entries).successful.count == 6)
            let port = try Self.freePort()
            let worker = try WorkerProcess(
                "intake-sqs-worker",
                config: Self.config(database: database, queue: queue, visibility: 30, concurrency: 2, metricsPort: port))
            #expect(try await eventually { try await SQSTestEnvironment.depth(aws, queue).inFlight == 2 })
            let (readyStatus, readyBody) = await Self.get("http://127.0.0.1:\(port)/readyz")
            #expect(readyStatus == 200, "readyz: \(readyBody)")
            #expect(readyBody.contains("\"sqs\":{\"ok\":true}"))
            try await Task.sleep(for: .milliseconds(300))
            worker.signal(SIGTERM)
            let status = await worker.waitForExit(timeout: .seconds(15))
            #expect(status == 0, "log: \(worker.log.suffix(2000))")
            // The two in flight finished and were deleted; the rest never left the queue, and
            // nothing waits out a visibility timeout.
            let depth = try await SQSTestEnvironment.depth(aws, queue)
            #expect(depth.inFlight == 0)
            #expect(depth.visible == 4, "visible \(depth.visible), in flight \(depth.inFlight)")
        }
    }

    @Test func sigtermPastTheGraceCancelsTheHandlerAndReleasesItsMessage() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { database in
            let queue = try await SQSTestEnvironment.makeQueue(aws, visibilitySeconds: 60)
            try await aws.sqs.sendMessage(
                queueURL: queue, body: SQSTestEnvironment.nativeEvent(bucket: "b", key: "drill/sleep-60000/long.csv"))
            let worker = try WorkerProcess(
                "intake-sqs-worker",
                config: Self.config(database: database, queue: queue, visibility: 60, concurrency: 1, grace: 3))
            #expect(try await eventually { try await SQSTestEnvironment.depth(aws, queue).inFlight == 1 })
            let signalled = ContinuousClock.now
            worker.signal(SIGTERM)
            let status = await worker.waitForExit(timeout: .seconds(15))
            #expect(status == 0, "log: \(worker.log.suffix(2000))")
            #expect(ContinuousClock.now - signalled < .seconds(6))
            // Released, not left to its 60 s visibility, and not counted as a failure.
            #expect(try await SQSTestEnvironment.depth(aws, queue) == (1, 0))
            let db = try await TestDatabase.connect(database: database)
            #expect(try await SQSTestEnvironment.count(db, "SELECT count(*) FROM intake.sqs_failures") == 0)
            #expect(try await SQSTestEnvironment.count(db, "SELECT count(*) FROM intake.dead_letters") == 0)
            await db.close()
        }
    }

    @Test func metricsCountMessagesPerHandler() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { database in
            let queue = try await SQSTestEnvironment.makeQueue(aws, visibilitySeconds: 30)
            let entries = (0..<5).map {
                SQSSendEntry(id: "m\($0)", body: SQSTestEnvironment.nativeEvent(bucket: "b", key: "quick/sleep-1/\($0).csv"))
            }
            _ = try await aws.sqs.sendMessageBatch(queueURL: queue, entries: entries)
            try await aws.sqs.sendMessage(queueURL: queue, body: "garbage")
            let port = try Self.freePort()
            let worker = try WorkerProcess(
                "intake-sqs-worker",
                config: Self.config(database: database, queue: queue, visibility: 30, concurrency: 4, metricsPort: port))
            #expect(try await eventually { try await SQSTestEnvironment.depth(aws, queue) == (0, 0) })
            var metrics = ""
            #expect(try await eventually {
                metrics = await Self.get("http://127.0.0.1:\(port)/metrics").1
                return metrics.contains("intake_messages_succeeded_total{handler=\"builtin.sleep\",origin=\"sqs\"} 5")
            }, "metrics: \(metrics)")
            #expect(metrics.contains("intake_sqs_messages_received_total{handler=\"builtin.sleep\"} 5"))
            #expect(metrics.contains("intake_messages_dead_lettered_total{handler=\"sqs.unparseable\",origin=\"sqs\"} 1"))
            #expect(metrics.contains("intake_handler_duration_seconds_count{handler=\"builtin.sleep\",origin=\"sqs\"} 5"))
            #expect(metrics.contains("intake_messages_in_flight{origin=\"sqs\"} 0"))
            #expect(metrics.contains("intake_sqs_messages_deleted_total 6"))
            worker.signal(SIGTERM)
            #expect(await worker.waitForExit(timeout: .seconds(15)) == 0)
        }
    }
}
