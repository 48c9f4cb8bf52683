import Foundation
import IntakeCore
import Testing

@testable import IntakeHandlers

@Suite("Import notifications (unit)")
struct ImportNotifyUnitTests {
    /// The Standard Webhooks reference vector (standard-webhooks / svix libraries).
    @Test func signatureMatchesTheStandardWebhooksVector() throws {
        let signer = try WebhookSigner(secret: Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signature = signer.signature(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func aSecretWithoutWhsecIsUsedAsRawBytes() throws {
        let raw = try WebhookSigner(secret: Secret("plain-secret"))
        let body = Array("{}".utf8)
        let headers = raw.headers(id: "msg_1", timestamp: 10, body: body)
        #expect(headers.map(\.name) == ["webhook-id", "webhook-timestamp", "webhook-signature"])
        #expect(headers[2].value == raw.signature(id: "msg_1", timestamp: 10, body: body))
        #expect(headers[2].value != (try WebhookSigner(secret: Secret("other"))).signature(id: "msg_1", timestamp: 10, body: body))
        #expect(throws: (any Error).self) { try WebhookSigner(secret: Secret("whsec_***")) }
    }

    func kind(_ outcome: HandlerOutcome) -> String {
        switch outcome {
        case .success: return "success"
        case .retry(_, let delay): return delay.map { "retry \($0)" } ?? "retry"
        case .permanentFailure: return "permanent"
        }
    }

    @Test func answersSettleTheDeliveryAsSpecFourSays() {
        let url = "http://hooks.example"
        #expect(kind(SubscriberNotifyHandler.outcome(status: 200, retryAfter: nil, url: url)) == "success")
        #expect(kind(SubscriberNotifyHandler.outcome(status: 204, retryAfter: nil, url: url)) == "success")
        #expect(kind(SubscriberNotifyHandler.outcome(status: 400, retryAfter: nil, url: url)) == "permanent")
        #expect(kind(SubscriberNotifyHandler.outcome(status: 410, retryAfter: nil, url: url)) == "permanent")
        #expect(kind(SubscriberNotifyHandler.outcome(status: 408, retryAfter: nil, url: url)) == "retry")
        #expect(kind(SubscriberNotifyHandler.outcome(status: 503, retryAfter: nil, url: url)) == "retry")
        #expect(kind(SubscriberNotifyHandler.outcome(status: 429, retryAfter: "7", url: url)) == "retry 7.0 seconds")
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let date = "Tue, 14 Nov 2023 22:13:40 GMT"  // 20 s after `now`
        #expect(SubscriberNotifyHandler.parseRetryAfter(date, now: now) == .seconds(20))
        #expect(SubscriberNotifyHandler.parseRetryAfter("soon", now: now) == nil)
    }

    @Test func notificationBodyIsTheStandardWebhooksShape() throws {
        let event = ImportEvent(
            event: ImportEvent.completedKind, importJobID: UUID(), status: .completed, handler: "csv.pharmacy_claims",
            sourceIdentifier: "s3://b/k#e", bucket: "b", key: "k", processedRecords: 3, successfulRecords: 3, failedRecords: 0)
        let notification = try SubscriberNotification(
            url: "http://x", event: ImportEvent.completedKind, webhookID: "msg_1", data: event, now: Date(timeIntervalSince1970: 0))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(notification.body.utf8)) as? [String: Any])
        #expect(object["type"] as? String == "import.completed")
        #expect(object["timestamp"] as? String == "1970-01-01T00:00:00Z")
        let data = try #require(object["data"] as? [String: Any])
        #expect(data["import_job_id"] as? String == event.importJobID)
        #expect(data["status"] as? String == "completed")
        #expect(try ImportEvent.decode(Array(try event.json().text.utf8)) == event)
    }
}
