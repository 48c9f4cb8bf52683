import Foundation
import IntakeAWS
import IntakeCore
import IntakeCrypto
import IntakeHandlers
import IntakePostgres
import IntakeRuntime
import IntakeSchema
import IntakeTestSupport
import Testing

/// Wraps a handler and records what it answered, per S3 key.
private struct Recording: Handler {
    let inner: any Handler
    let seen: Recorder<(key: String, attempt: Int, result: String?)>
    var name: String { inner.name }
    var transactionMode: TransactionMode { inner.transactionMode }

    func handle(_ message: Message, context: HandlerContext) async throws -> HandlerOutcome {
        let task = try S3ObjectTask(message: message)
        let outcome = try await inner.handle(message, context: context)
        if case .success(let result) = outcome { seen.append((task.key, message.attempt, result?.text)) }
        return outcome
    }
}

@Suite("SQS worker: S3 events", .enabled(if: SQSTestEnvironment.available, SQSTestEnvironment.skipReason))
struct SQSEventRoutingTests {
    let aws: AWSClients

    init() throws {
        aws = try SQSTestEnvironment.clients()
    }

    static let awkwardKeys = [
        "imports/plain.csv",
        "imports/with space and+plus.csv",
        "imports/percent%41-and=equals.csv",
        "imports//double//slash.csv",
        "imports/ünïcødé/日本語 ✓.csv",
        "imports/mixed %2B+ =&?#.csv",
        // Dot segments are part of an S3 key, not a path to resolve.
        "imports/x/../dot-dot.csv",
        "imports/./dot.csv",
    ]

    @Test func awkwardKeysArriveByNotificationAndDownloadByteExact() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { database in
            let queue = try await SQSTestEnvironment.makeQueue(aws, visibilitySeconds: 30)
            let bucket = try await SQSTestEnvironment.makeNotifyingBucket(aws, queue: queue)
            var expected: [String: (sha: String, bytes: Int)] = [:]
            for (index, key) in Self.awkwardKeys.enumerated() {
                let data = SQSTestEnvironment.payload(1000 + index * 70_001, seed: UInt64(index))
                try await aws.s3.putObject(bucket: bucket, key: key, body: data)
                expected[key] = (SHA256.hash(data).hexString, data.count)
            }
            let seen = Recorder<(key: String, attempt: Int, result: String?)>()
            let consumer = SQSTestEnvironment.consumer(
                aws, queue: queue, database: database,
                handlers: [Recording(inner: S3FetchHandler(s3: aws.s3), seen: seen)],
                routes: [RouteSettings(key: GlobPattern("imports/*"), handler: S3FetchHandler.handlerName)])
            try await SQSTestEnvironment.running([consumer]) { () async throws in
                #expect(try await eventually(timeout: .seconds(60)) { seen.count >= Self.awkwardKeys.count })
                #expect(try await eventually { try await SQSTestEnvironment.depth(aws, queue) == (0, 0) })
            }
            var fetched: [String: (sha: String, bytes: Int)] = [:]
            for entry in seen.all {
                let object = try #require(
                    try JSONSerialization.jsonObject(with: Data((entry.result ?? "{}").utf8)) as? [String: Any])
                fetched[entry.key] = ((object["sha256"] as? String) ?? "", (object["bytes"] as? Int) ?? -1)
            }
            #expect(Set(fetched.keys) == Set(expected.keys))
            for (key, want) in expected {
                #expect(fetched[key]?.sha == want.sha, "key \(key)")
                #expect(fetched[key]?.bytes == want.bytes, "key \(key)")
            }
            #expect(seen.count == Self.awkwardKeys.count, "each object handled once")

            // A ranged resume of the awkwardest key: the two halves hash to the whole.
            let key = Self.awkwardKeys[4]
            let total = try #require(expected[key]).bytes
            let hasher = SHA256()
            let head = try await aws.s3.getObject(bucket: bucket, key: key, range: .bytes(first: 0, last: Int64(total / 3 - 1)))
            hasher.update(try await head.body.collect(upTo: total))
            let tail = try await aws.s3.getObject(bucket: bucket, key: key, range: .bytes(first: Int64(total / 3), last: nil))
            #expect(tail.status == 206)
            #expect(tail.objectSize == Int64(total))
            hasher.update(try await tail.body.collect(upTo: total))
            #expect(hasher.finalize().hexString == expected[key]?.sha)

            let db = try await TestDatabase.connect(database: database)
            #expect(try await SQSTestEnvironment.count(db, "SELECT count(*) FROM intake.dead_letters") == 0)
            await db.close()
        }
    }

    @Test func aClaimsFileUploadedToTheBucketIsImportedAndArchived() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { database in
            let queue = try await SQSTestEnvironment.makeQueue(aws, visibilitySeconds: 30)
            let bucket = try await SQSTestEnvironment.makeNotifyingBucket(aws, queue: queue)
            let csv = SampleData.generateClaimsCSV(rows: 500, invalidEvery: 50).reduce(into: [UInt8]()) { $0 += $1 }
            let key = "claims/2026 01/jan+feb=%.csv"
            try await aws.s3.putObject(bucket: bucket, key: key, body: csv, contentType: "text/csv")
            let services = aws.handlerServices(configuration: IntakeConfiguration())
            let consumer = SQSTestEnvironment.consumer(
                aws, queue: queue, database: database, handlers: BuiltinHandlers.all(services: services),
                routes: [
                    RouteSettings(key: GlobPattern("claims/*.csv"), handler: "csv.pharmacy_claims", archivePrefix: "processed/")
                ])
            let db = try await TestDatabase.connect(database: database)
            try await SQSTestEnvironment.running([consumer]) { () async throws in
                #expect(try await eventually(timeout: .seconds(60)) {
                    try await SQSTestEnvironment.count(
                        db, "SELECT count(*) FROM intake.import_jobs WHERE status = 'partially_completed'") == 1
                })
                // The archive copy raises its own event, which no route takes: acknowledged.
                #expect(try await eventually { try await SQSTestEnvironment.depth(aws, queue) == (0, 0) })
            }
            let job = try await db.query(
                "SELECT source_identifier, successful_records, failed_records FROM intake.import_jobs")[0]
            #expect(try job.decode(String.self, at: 0).hasPrefix("s3://\(bucket)/\(key)#"))
            #expect(try job.decode(Int.self, at: 1) == 490)
            #expect(try job.decode(Int.self, at: 2) == 10)
            #expect(try await SQSTestEnvironment.count(db, "SELECT count(*) FROM ingest.pharmacy_claims") == 490)
            #expect(try await SQSTestEnvironment.count(db, "SELECT count(*) FROM intake.dead_letters") == 0)
            let listing = try await aws.s3.listObjectsV2(bucket: bucket)
            #expect(listing.objects.map(\.key) == ["processed/" + key])
            await db.close()
        }
    }

    @Test func snsWrappedAndEventBridgeBodiesAreRouted() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { database in
            let queue = try await SQSTestEnvironment.makeQueue(aws, visibilitySeconds: 30)
            let bucket = SQSTestEnvironment.uniqueName("intake-sqs-plain")
            try await aws.s3.createBucket(bucket: bucket)
            let snsKey = "sns/a b+c.csv"
            let bridgeKey = "bridge/x y=z.csv"
            try await aws.s3.putObject(bucket: bucket, key: snsKey, body: Array("sns body".utf8))
            try await aws.s3.putObject(bucket: bucket, key: bridgeKey, body: Array("bridge body".utf8))

            let inner = SQSTestEnvironment.nativeEvent(bucket: bucket, key: snsKey)
            let sns = """
                {"Type":"Notification","MessageId":"4d0b3f2c","TopicArn":"arn:aws:sns:us-east-1:123456789012:uploads",\
                "Subject":"Amazon S3 Notification","Message":\(SQSTestEnvironment.jsonString(inner)),\
                "Timestamp":"2026-01-01T00:00:00.000Z","SignatureVersion":"1"}
                """
            let bridge = """
                {"version":"0","id":"17793124-05d4-b198-2fde-7ededc63b103","detail-type":"Object Created",\
                "source":"aws.s3","account":"123456789012","time":"2026-01-01T00:00:00Z","region":"us-east-1",\
                "resources":["arn:aws:s3:::\(bucket)"],"detail":{"version":"0","bucket":{"name":"\(bucket)"},\
                "object":{"key":"\(SQSTestEnvironment.formEncode(bridgeKey))","size":11,"etag":"abc"},\
                "request-id":"N4N7GDK58NMKJ12R","requester":"123456789012","reason":"PutObject"}}
                """
            try await aws.sqs.sendMessage(queueURL: queue, body: sns)
            try await aws.sqs.sendMessage(queueURL: queue, body: bridge)

            let viaSNS = Recorder<(key: String, attempt: Int, result: String?)>()
            let viaBridge = Recorder<(key: String, attempt: Int, result: String?)>()
            let consumer = SQSTestEnvironment.consumer(
                aws, queue: queue, database: database,
                handlers: [
                    Recording(inner: Named(name: "test.sns", S3FetchHandler(s3: aws.s3)), seen: viaSNS),
                    Recording(inner: Named(name: "test.bridge", S3FetchHandler(s3: aws.s3)), seen: viaBridge),
                ],
                routes: [
                    RouteSettings(key: GlobPattern("sns/*"), handler: "test.sns"),
                    RouteSettings(key: GlobPattern("bridge/*"), handler: "test.bridge"),
                ])
            try await SQSTestEnvironment.running([consumer]) { () async throws in
                #expect(try await eventually { viaSNS.count == 1 && viaBridge.count == 1 })
                #expect(try await eventually { try await SQSTestEnvironment.depth(aws, queue) == (0, 0) })
            }
            #expect(viaSNS.all.first?.key == snsKey)
            #expect(viaSNS.all.first?.result?.contains("\"bytes\":8") == true)
            #expect(viaBridge.all.first?.key == bridgeKey)
            #expect(viaBridge.all.first?.result?.contains("\"bytes\":11") == true)
        }
    }

    @Test func garbageIsDeadLetteredAtOnceAndTestEventsAreDeleted() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { database in
            let queue = try await SQSTestEnvironment.makeQueue(aws, visibilitySeconds: 30)
            let garbage = "this is { not an S3 event"
            let sent = try await aws.sqs.sendMessage(
                queueURL: queue, body: garbage, messageAttributes: ["origin": .string("test")])
            try await aws.sqs.sendMessage(
                queueURL: queue,
                body: #"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-01-01T00:00:00Z","Bucket":"b","RequestId":"r","HostId":"h"}"#)
            // A removal is acknowledged too: only created objects are routed.
            try await aws.sqs.sendMessage(
                queueURL: queue, body: SQSTestEnvironment.nativeEvent(bucket: "b", key: "imports/x.csv", event: "ObjectRemoved:Delete"))
            let ran = Recorder<(key: String, attempt: Int, result: String?)>()
            let consumer = SQSTestEnvironment.consumer(
                aws, queue: queue, database: database, handlers: [Recording(inner: NoopHandler(), seen: ran)],
                routes: [RouteSettings(key: GlobPattern("*"), handler: "builtin.noop")])
            let db = try await TestDatabase.connect(database: database)
            try await SQSTestEnvironment.running([consumer]) { () async throws in
                #expect(try await eventually { try await SQSTestEnvironment.depth(aws, queue) == (0, 0) })
            }
            #expect(ran.count == 0)
            let rows = try await db.query(
                """
                SELECT origin, origin_ref, handler, attempts, jsonb_array_length(errors), payload->>'body',
                       payload->>'queue_url', payload->'message_attributes'->>'origin'
                FROM intake.dead_letters
                """)
            #expect(rows.count == 1)
            let row = try #require(rows.first)
            #expect(try row.decode(String.self, at: 0) == "sqs")
            #expect(try row.decode(String.self, at: 1) == sent.messageId)
            #expect(try row.decode(String.self, at: 2) == SQSConsumer.unparseableHandler)
            #expect(try row.decode(Int.self, at: 3) == 1)
            #expect(try row.decode(Int.self, at: 4) == 1)
            #expect(try row.decode(String.self, at: 5) == garbage)
            #expect(try row.decode(String.self, at: 6) == queue)
            #expect(try row.decode(String.self, at: 7) == "test")
            await db.close()
        }
    }
}

/// A handler under another registry name.
struct Named: Handler {
    let name: String
    let inner: any Handler
    init(name: String, _ inner: any Handler) {
        self.name = name
        self.inner = inner
    }
    var transactionMode: TransactionMode { inner.transactionMode }
    func handle(_ message: Message, context: HandlerContext) async throws -> HandlerOutcome {
        try await inner.handle(message, context: context)
    }
}
