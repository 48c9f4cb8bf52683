import Foundation
import IntakeAWS
import Testing

func nativeRecord(
    _ key: String, bucket: String = "uploads", eventName: String = "ObjectCreated:Put", version: String = "2.1",
    extra: String = ""
) -> String {
    """
    {"eventVersion":"\(version)","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2024-05-01T12:00:00.000Z",\
    "eventName":"\(eventName)","s3":{"s3SchemaVersion":"1.0","configurationId":"c","bucket":{"name":"\(bucket)",\
    "arn":"arn:aws:s3:::\(bucket)"},"object":{"key":"\(key)","size":1234,"eTag":"0123abcd",\(extra)"sequencer":"00AB"}}}
    """
}

func jsonString(_ text: String) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed]), as: UTF8.self)
        .dropFirst().dropLast().description
}

@Suite("S3 event parsing")
struct S3EventParserTests {
    @Test(arguments: [
        ("claims/2024+01/report+final.csv", "claims/2024 01/report final.csv"),
        ("a%2Bb%3Dc.csv", "a+b=c.csv"),
        ("100%25+done.csv", "100% done.csv"),
        ("dir//nested%2F%2Fkey", "dir//nested//key"),
        ("caf%C3%A9/%E6%97%A5%E6%9C%AC.csv", "café/日本.csv"),
        ("plain.csv", "plain.csv"),
    ])
    func nativeKeysAreFormDecoded(raw: String, decoded: String) throws {
        let batch = try S3EventParser.parse(#"{"Records":[\#(nativeRecord(raw))]}"#)
        #expect(batch.origin == .s3)
        let object = try #require(batch.objects.first)
        #expect(object.key == decoded)
        #expect(object.rawKey == raw)
        #expect(object.bucket == "uploads")
        #expect(object.size == 1234)
        #expect(object.eTag == "0123abcd")
        #expect(object.eventName == "ObjectCreated:Put")
        #expect(object.eventTime == "2024-05-01T12:00:00.000Z")
    }

    @Test func severalRecordsAnyTwoDotVersionAndIgnoredEvents() throws {
        let body = """
            {"Records":[\(nativeRecord("a.csv", version: "2.0")),\
            \(nativeRecord("b.csv", eventName: "ObjectCreated:CompleteMultipartUpload", version: "2.3", extra: #""versionId":"v7","#)),\
            \(nativeRecord("c.csv", eventName: "ObjectRemoved:Delete", version: "2.1"))]}
            """
        let batch = try S3EventParser.parse(body)
        #expect(batch.objects.map(\.key) == ["a.csv", "b.csv"])
        #expect(batch.objects[1].versionId == "v7")
        #expect(batch.ignored.map(\.eventName) == ["ObjectRemoved:Delete"])
        #expect(!batch.isTestEvent)
    }

    @Test func testEvent() throws {
        let batch = try S3EventParser.parse(
            #"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2024-05-01T12:00:00.000Z","Bucket":"uploads","RequestId":"R","HostId":"H"}"#)
        #expect(batch.isTestEvent)
        #expect(batch.testEventBucket == "uploads")
        #expect(batch.objects.isEmpty)
    }

    @Test func snsEnvelopeCarryingRecords() throws {
        let inner = #"{"Records":[\#(nativeRecord("x+y%2B.csv"))]}"#
        let body = #"{"Type":"Notification","MessageId":"m","TopicArn":"arn:aws:sns:us-east-1:1:t","Subject":"Amazon S3 Notification","Message":\#(try jsonString(inner)),"Timestamp":"2024-05-01T12:00:00.000Z"}"#
        let batch = try S3EventParser.parse(body)
        #expect(batch.origin == .sns)
        #expect(batch.objects.map(\.key) == ["x y+.csv"])
    }

    @Test func snsEnvelopeCarryingTestEvent() throws {
        let inner = #"{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"b"}"#
        let batch = try S3EventParser.parse(#"{"Type":"Notification","Message":\#(try jsonString(inner))}"#)
        #expect(batch.isTestEvent)
        #expect(batch.origin == .sns)
    }

    @Test func eventBridgeObjectCreated() throws {
        let body = """
            {"version":"0","id":"e","detail-type":"Object Created","source":"aws.s3","account":"1","time":"2024-05-01T12:00:00Z",\
            "region":"us-east-1","resources":["arn:aws:s3:::uploads"],"detail":{"version":"0","bucket":{"name":"uploads"},\
            "object":{"key":"commerce/orders+2024.ndjson","size":99,"etag":"ee","version-id":"v1","sequencer":"1"},\
            "request-id":"r","requester":"1","reason":"PutObject"}}
            """
        let batch = try S3EventParser.parse(body)
        #expect(batch.origin == .eventBridge)
        let object = try #require(batch.objects.first)
        #expect(object.key == "commerce/orders 2024.ndjson")
        #expect(object.rawKey == "commerce/orders+2024.ndjson")
        #expect(object.size == 99)
        #expect(object.eTag == "ee")
        #expect(object.versionId == "v1")
        #expect(object.eventName == "ObjectCreated:Put")
        #expect(object.eventTime == "2024-05-01T12:00:00Z")
    }

    @Test func eventBridgeObjectDeletedIsIgnorable() throws {
        let body = #"{"detail-type":"Object Deleted","source":"aws.s3","detail":{"bucket":{"name":"b"},"object":{"key":"k"},"deletion-type":"Permanently Deleted"}}"#
        let batch = try S3EventParser.parse(body)
        #expect(batch.objects.isEmpty)
        #expect(batch.ignored.first?.eventName == "ObjectRemoved:Permanently Deleted")
    }

    @Test func undecodableKeyIsUsedAsGiven() throws {
        let batch = try S3EventParser.parse(#"{"Records":[\#(nativeRecord("50%off.csv"))]}"#)
        #expect(batch.objects.first?.key == "50%off.csv")
    }

    @Test(arguments: [
        "hello world",
        "",
        "[1,2,3]",
        "{}",
        #"{"Records":[]}"#,
        #"{"Records":[{"eventVersion":"1.0","eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]}"#,
        #"{"Records":[{"eventVersion":"2.1","eventSource":"aws:dynamodb","eventName":"INSERT"}]}"#,
        #"{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"}}}]}"#,
        #"{"Type":"Notification","Message":"not json"}"#,
        #"{"Type":"SubscriptionConfirmation","Token":"t"}"#,
        #"{"detail-type":"Object Created","source":"aws.ec2","detail":{}}"#,
        #"{"order":1,"customer":"x"}"#,
    ])
    func nonS3BodiesArePermanentErrors(_ body: String) {
        #expect(throws: S3EventParseError.self) { try S3EventParser.parse(body) }
        do {
            _ = try S3EventParser.parse(body)
        } catch {
            #expect(!error.isRetryable)
            #expect(error.description.hasPrefix("not an S3 event notification: "))
        }
    }
}
