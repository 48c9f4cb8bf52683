import Foundation
import IntakeCore
@testable import IntakeHandlers
@testable import IntakeRuntime
import Testing

/// The SQS consumer writes a handler's S3ObjectTask body by hand (no services needed here).
@Suite("SQS worker: task body")
struct SQSTaskBodyTests {
    @Test(arguments: [
        S3ObjectTask(bucket: "b", key: "plain.csv"),
        S3ObjectTask(
            bucket: "my.bucket", key: "a \"quoted\" \\ back/ü 日本 ✓\u{1}\n\t.csv", rawKey: "a+%22quoted%22", versionId: "v1",
            eTag: "\"abc\"", size: 1234, archivePrefix: "processed/"),
        S3ObjectTask(bucket: "b", key: "", size: 0),
    ])
    func roundTripsThroughTheCodableForm(_ task: S3ObjectTask) throws {
        let body = SQSConsumer.body(of: task)
        let message = Message(origin: .sqs, id: "m", handler: "h", attempt: 1, body: body, topic: "q")
        #expect(try S3ObjectTask(message: message) == task)
        #expect(try JSONSerialization.jsonObject(with: Data(body)) is [String: Any])
    }

    @Test func sleepHandlerReadsItsTimeFromTheKey() {
        #expect(SleepHandler.milliseconds(inKey: "drill/sleep-3000/x.csv") == 3000)
        #expect(SleepHandler.milliseconds(inKey: "sleep-5/x") == 5)
        #expect(SleepHandler.milliseconds(inKey: "drill/sleepy-3000/x.csv") == nil)
        #expect(SleepHandler.milliseconds(inKey: "x.csv") == nil)
    }
}
