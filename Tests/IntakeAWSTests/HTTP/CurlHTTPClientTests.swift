import Foundation
import IntakeSupport
import Testing

@testable import IntakeAWS

@Suite("libcurl HTTP client")
struct CurlHTTPClientTests {
    let http = CurlHTTPClient(configuration: .init(maxConcurrentTransfers: 4, requestTimeout: .seconds(30)))

    func sqs(_ server: ScriptedServer, retry: RetryPolicy) throws -> SQSClient {
        let configuration = AWSConfiguration(
            region: "us-east-1", credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret"),
            endpoint: URL(string: server.url))
        return try SQSClient(configuration: configuration, http: http, retry: retry)
    }

    @Test func sendsSignedJSONProtocolRequests() async throws {
        let server = try ScriptedServer { _, _ in
            .init(status: 200, body: Array(#"{"Messages":[{"MessageId":"m1","ReceiptHandle":"r1","Body":"hello","Attributes":{"ApproximateReceiveCount":"3"}}]}"#.utf8))
        }
        let messages = try await sqs(server, retry: .none).receiveMessages(queueURL: "http://q/1/q", waitSeconds: 0)
        #expect(messages == [SQSMessage(messageId: "m1", receiptHandle: "r1", body: "hello", attributes: ["ApproximateReceiveCount": "3"])])
        #expect(messages.first?.receiveCount == 3)
        let head = try #require(server.requests.first)
        #expect(head.hasPrefix("POST / HTTP/1.1"))
        #expect(head.contains("Content-Type: application/x-amz-json-1.0\r\n"))
        #expect(head.contains("X-Amz-Target: AmazonSQS.ReceiveMessage\r\n"))
        #expect(head.contains("Authorization: AWS4-HMAC-SHA256 Credential=AKID/"))
        #expect(head.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-target"))
    }

    @Test func retriesServerErrorsHonouringRetryAfter() async throws {
        let server = try ScriptedServer { index, _ in
            index == 0
                ? .init(status: 503, headers: [("Retry-After", "0")], body: Array(#"{"__type":"ServiceUnavailable","message":"busy"}"#.utf8))
                : .init(status: 200, body: Array(#"{"MessageId":"sent-1"}"#.utf8))
        }
        let result = try await sqs(server, retry: RetryPolicy(maxAttempts: 3, base: .seconds(30), cap: .seconds(30)))
            .sendMessage(queueURL: "http://q/1/q", body: "x")
        #expect(result.messageId == "sent-1")
        #expect(server.requests.count == 2)
    }

    @Test func permanentErrorsAreNotRetried() async throws {
        let server = try ScriptedServer { _, _ in
            .init(status: 400, body: Array(#"{"__type":"com.amazonaws.sqs#InvalidParameterValue","message":"bad"}"#.utf8))
        }
        await #expect(throws: AWSError.self) {
            try await sqs(server, retry: RetryPolicy(maxAttempts: 5, base: .milliseconds(1))).sendMessage(queueURL: "q", body: "x")
        }
        #expect(server.requests.count == 1)
    }

    @Test func connectionRefusedIsARetryableNetworkError() async throws {
        let server = try ScriptedServer { _, _ in .init(status: 200) }
        let port = server.port + 1 == 65536 ? server.port - 1 : server.port + 1
        do {
            let response = try await http.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/nothing-listens"))
            Issue.record("something answered on port \(port): \(response.status)")
        } catch let error as AWSError {
            #expect(error.kind == .network || error.kind == .timeout)
            #expect(error.isRetryable)
        }
    }

    @Test func cancellingTheTaskAbortsAHangingRequest() async throws {
        let server = try ScriptedServer { _, _ in .init(status: 200, hang: true) }
        let task = Task { try await http.execute(HTTPRequest(method: "GET", url: server.url + "/hang")) }
        while server.requests.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test func streamedBodyIsBoundedByTheBuffer() async throws {
        let size = 6 * 1024 * 1024
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let server = try ScriptedServer { _, _ in .init(status: 200, body: payload) }
        let response = try await http.stream(HTTPRequest(method: "GET", url: server.url + "/big"), bufferBytes: 64 * 1024)
        #expect(response.status == 200)
        var received = [UInt8]()
        received.reserveCapacity(size)
        var chunks = 0
        for try await chunk in response.body {
            received += chunk
            chunks += 1
            // A slow reader: the curl thread has to wait for us.
            if chunks % 8 == 0 { try await Task.sleep(for: .milliseconds(1)) }
        }
        #expect(received == payload)
        // The buffer limit plus at most one curl read (128 KiB) may be in memory at once.
        #expect(response.body.channel.peakBufferedBytes <= 64 * 1024 + 128 * 1024)
    }
}
