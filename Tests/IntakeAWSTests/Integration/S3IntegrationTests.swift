import Foundation
import IntakeAWS
import IntakeCrypto
import Testing

@Suite(
    "S3 against the emulator",
    .enabled(if: MotoEnvironment.isAvailable, "needs AWS_ENDPOINT_URL (run scripts/test)"))
struct S3IntegrationTests {
    let s3: S3Client
    let sqs: SQSClient

    init() throws {
        let configuration = try MotoEnvironment.configuration()
        s3 = try S3Client(configuration: configuration, http: MotoEnvironment.http)
        sqs = try SQSClient(configuration: configuration, http: MotoEnvironment.http)
    }

    static func payload(_ count: Int) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    @Test func putStreamRangeCopyDelete() async throws {
        let bucket = MotoEnvironment.uniqueName("intake-s3")
        try await s3.createBucket(bucket: bucket)
        let key = "imports/a b+c%d=e//ü.csv"
        let data = Self.payload(5 * 1024 * 1024 + 17)
        let put = try await s3.putObject(bucket: bucket, key: key, body: data, contentType: "text/csv", metadata: ["origin": "test"])
        #expect(put.eTag == "\"\(MD5.hash(data).hexString)\"")

        let head = try await s3.headObject(bucket: bucket, key: key)
        #expect(head.contentLength == Int64(data.count))
        #expect(head.metadata["origin"] == "test")

        // Stream it back through a 64 KiB buffer, hashing as it comes.
        let object = try await s3.getObject(bucket: bucket, key: key, bufferBytes: 64 * 1024)
        #expect(object.status == 200)
        #expect(object.contentLength == Int64(data.count))
        #expect(object.eTag == put.eTag)
        let hasher = SHA256()
        var total = 0
        var largestChunk = 0
        for try await chunk in object.body {
            hasher.update(chunk)
            total += chunk.count
            largestChunk = max(largestChunk, chunk.count)
        }
        #expect(total == data.count)
        #expect(largestChunk <= 512 * 1024)
        #expect(hasher.finalize() == SHA256.hash(data))

        let ranged = try await s3.getObject(bucket: bucket, key: key, range: .bytes(first: 1000, last: 1999))
        #expect(ranged.status == 206)
        #expect(ranged.objectSize == Int64(data.count))
        #expect(try await ranged.body.collect(upTo: 4096) == Array(data[1000...1999]))

        let tail = try await s3.getObject(bucket: bucket, key: key, range: .bytes(first: Int64(data.count - 10), last: nil))
        #expect(try await tail.body.collect(upTo: 100) == Array(data.suffix(10)))

        // Abandoning a stream part-way must not wedge the client.
        let abandoned = try await s3.getObject(bucket: bucket, key: key, bufferBytes: 16 * 1024)
        var iterator = abandoned.body.makeAsyncIterator()
        _ = try await iterator.next()
        abandoned.body.cancel()

        let copyKey = "processed/" + key
        let copied = try await s3.copyObject(sourceBucket: bucket, sourceKey: key, destinationBucket: bucket, destinationKey: copyKey)
        #expect(copied == put.eTag)
        let listing = try await s3.listObjectsV2(bucket: bucket, prefix: "processed/")
        #expect(listing.objects.map(\.key) == [copyKey])
        #expect(listing.objects.first?.size == Int64(data.count))

        try await s3.deleteObject(bucket: bucket, key: key)
        try await s3.deleteObject(bucket: bucket, key: copyKey)
        #expect(try await s3.listObjectsV2(bucket: bucket).objects.isEmpty)
    }

    @Test func missingObjectIsNotFound() async throws {
        let bucket = MotoEnvironment.uniqueName("intake-s3-missing")
        try await s3.createBucket(bucket: bucket)
        for attempt in ["get", "head"] {
            do {
                if attempt == "get" {
                    _ = try await s3.getObject(bucket: bucket, key: "no/such key.csv")
                } else {
                    _ = try await s3.headObject(bucket: bucket, key: "no/such key.csv")
                }
                Issue.record("\(attempt) of a missing key succeeded")
            } catch let error as AWSError {
                #expect(error.isNotFound, "\(attempt): \(error)")
                #expect(error.status == 404)
                #expect(!error.isRetryable)
            }
        }
        do {
            _ = try await s3.getObject(bucket: bucket, key: "no/such key.csv")
        } catch let error as AWSError {
            #expect(error.code == "NoSuchKey")
        }
    }

    @Test func bucketNotificationArrivesOnTheQueueAndParses() async throws {
        let bucket = MotoEnvironment.uniqueName("intake-s3-events")
        let queue = try await sqs.createQueue(name: MotoEnvironment.uniqueName("intake-events"))
        let arn = try #require(try await sqs.getQueueAttributes(queueURL: queue, names: ["QueueArn"])["QueueArn"])
        try await s3.createBucket(bucket: bucket)
        try await s3.putBucketNotificationConfiguration(
            bucket: bucket, queues: [S3QueueNotification(id: "imports", queueARN: arn, prefix: "claims/")])

        let key = "claims/2024 01/a+b=c ü.csv"
        try await s3.putObject(bucket: bucket, key: key, body: Array("id,amount\n1,2\n".utf8))

        var found: S3ObjectRef? = nil
        var sawTestEvent = false
        for _ in 0..<10 where found == nil {
            for message in try await sqs.receiveMessages(queueURL: queue, waitSeconds: 1) {
                let batch = try S3EventParser.parse(message.body)
                if batch.isTestEvent { sawTestEvent = true }
                found = found ?? batch.objects.first
                _ = try await sqs.deleteMessageBatch(
                    queueURL: queue, entries: [SQSDeleteEntry(id: "0", receiptHandle: message.receiptHandle)])
            }
        }
        let object = try #require(found)
        #expect(object.bucket == bucket)
        #expect(object.key == key)
        #expect(object.isObjectCreated)
        _ = sawTestEvent  // moto may or may not send one; both are fine
        let fetched = try await s3.getObject(bucket: object.bucket, key: object.key)
        #expect(try await fetched.body.collect(upTo: 1024) == Array("id,amount\n1,2\n".utf8))
    }
}
