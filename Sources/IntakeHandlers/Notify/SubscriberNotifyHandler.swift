import Foundation
import IntakeAWS
import IntakeCore
import IntakeRuntime

/// `subscriber.notify`: posts one signed notification to one subscriber.
///
/// 2xx is success; 408, 429, 5xx and network failures are retried with the runtime's backoff
/// (a `Retry-After` is honoured); any other answer is permanent. When the attempts run out
/// the runtime dead-letters the job, with every attempt's error. The secret is looked up in
/// the configuration at send time and never travels in the job's payload.
public struct SubscriberNotifyHandler: Handler {
    public static let kind = "subscriber.notify"

    let subscribers: [SubscriberSettings]
    let http: CurlHTTPClient?
    let timeout: Duration

    public init(subscribers: [SubscriberSettings], http: CurlHTTPClient?, timeout: Duration = .seconds(10)) {
        self.subscribers = subscribers
        self.http = http
        self.timeout = timeout
    }

    public init(services: HandlerServices?) {
        self.init(subscribers: services?.configuration.subscribers ?? [], http: services?.http)
    }

    public var name: String { Self.kind }
    public var transactionMode: TransactionMode { .none }

    public func handle(_ message: Message, context: HandlerContext) async throws -> HandlerOutcome {
        let notification: SubscriberNotification
        do {
            notification = try JSONDecoder().decode(SubscriberNotification.self, from: Data(message.body))
        } catch {
            return .permanentFailure(reason: "subscriber.notify payload is not a notification: \(error)")
        }
        guard let subscriber = subscribers.first(where: { $0.url == notification.url && $0.wants(notification.event) }) else {
            return .permanentFailure(
                reason: "no subscriber with url \(notification.url) wants \(notification.event) any more (check subscribers:)")
        }
        guard let http else {
            return .permanentFailure(reason: "subscriber.notify needs an HTTP client; this worker was started without one")
        }
        let signer = try WebhookSigner(secret: subscriber.secret)
        let body = Array(notification.body.utf8)
        let timestamp = Int64(Date().timeIntervalSince1970)
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        for (name, value) in signer.headers(id: notification.webhookID, timestamp: timestamp, body: body) {
            headers.add(name, value)
        }
        let response: HTTPResponse
        do {
            response = try await http.execute(
                HTTPRequest(method: "POST", url: notification.url, headers: headers, body: body, timeout: timeout))
        } catch let error as AWSError {
            return .retry(reason: "POST \(notification.url) failed: \(error.kind.rawValue) error: \(error.message)")
        }
        return Self.outcome(status: response.status, retryAfter: response.headers["Retry-After"], url: notification.url)
    }

    /// How an answer settles the job (SPEC §4: 4xx but 408/429 is permanent).
    public static func outcome(status: Int, retryAfter: String?, url: String, now: Date = Date()) -> HandlerOutcome {
        switch status {
        case 200..<300:
            return .success(result: try? .init(object: ["status": status]))
        case 408, 429, 500..<600:
            return .retry(reason: "\(url) answered \(status)", delay: retryAfter.flatMap { parseRetryAfter($0, now: now) })
        default:
            return .permanentFailure(reason: "\(url) answered \(status); not retried")
        }
    }

    /// `Retry-After` as delta-seconds or an HTTP date; capped at an hour.
    static func parseRetryAfter(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(text), seconds >= 0 { return .seconds(min(seconds, 3600)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        let seconds = max(0, min(date.timeIntervalSince(now), 3600))
        return .milliseconds(Int64(seconds * 1000))
    }
}
