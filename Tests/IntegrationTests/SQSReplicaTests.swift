import Foundation
import IntakeAWS
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeRuntime
import IntakeSchema
import IntakeTestSupport
import Testing

@Suite("SQS worker: replicas", .enabled(if: SQSTestEnvironment.available, SQSTestEnvironment.skipReason))
struct SQSReplicaTests {
    @Test func twoConsumersShareAQueueAndHandleEachMessageOnce() async throws {
        let aws = try SQSTestEnvironment.clients()
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { database in
            let queue = try await SQSTestEnvironment.makeQueue(aws, visibilitySeconds: 30)
            let keys = (0..<40).map { "shared/\($0) x+y.csv" }
            let entries = keys.enumerated().map {
                SQSSendEntry(id: "m\($0.offset)", body: SQSTestEnvironment.nativeEvent(bucket: "b", key: $0.element))
            }
            #expect(try await aws.sqs.sendMessageBatch(queueURL: queue, entries: entries).successful.count == keys.count)
            let handled = Recorder<(key: String, consumer: Int)>()
            func consumer(_ number: Int) -> SQSConsumer {
                let handler = ClosureHandler(name: "test.shared", mode: .none) { message, _ in
                    handled.append((try S3ObjectTask(message: message).key, number))
                    try await Task.sleep(for: .milliseconds(20))
                    return .success
                }
                return SQSTestEnvironment.consumer(
                    aws, queue: queue, database: database, handlers: [handler],
                    routes: [RouteSettings(key: GlobPattern("shared/*"), handler: "test.shared")], concurrency: 3)
            }
            try await SQSTestEnvironment.running([consumer(1), consumer(2)]) { () async throws in
                #expect(try await eventually(timeout: .seconds(60)) { handled.count >= keys.count })
                #expect(try await eventually { try await SQSTestEnvironment.depth(aws, queue) == (0, 0) })
            }
            // SQS delivers at least once: under load the emulator can hand one message to both
            // receivers, which is legal (handlers are idempotent). What must hold: every message
            // handled, the queue empty, duplicates rare.
            let seen = handled.all.map(\.key)
            #expect(Set(seen) == Set(keys), "every message handled")
            #expect(seen.count - keys.count <= 2, "\(seen.count - keys.count) duplicate deliveries")
            #expect(Set(handled.all.map(\.consumer)) == [1, 2], "both replicas took a share")
        }
    }
}
