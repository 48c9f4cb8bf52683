import Foundation
import IntakePostgres

/// Where a message came from; also the `origin` of its dead letter.
public enum Origin: String, Sendable, CaseIterable {
    case sqs
    case inbox
    case notify
}

/// One unit of work handed to a handler, whatever its source.
public struct Message: Sendable {
    public var origin: Origin
    /// The SQS message id, delivery id or job id: `origin_ref` of a dead letter.
    public var id: String
    /// The handler's registry name.
    public var handler: String
    /// 1-based; a reclaimed row whose lease expired counts as a new attempt.
    public var attempt: Int
    /// The delivery's raw body, the job's payload as JSON text, or the SQS body.
    public var body: [UInt8]
    /// Delivery headers (secrets already removed), SQS attributes, or empty.
    public var attributes: [String: String]
    /// The webhook source (inbox), the job kind (notify) or the queue URL (sqs).
    public var topic: String

    public init(
        origin: Origin, id: String, handler: String, attempt: Int, body: [UInt8],
        attributes: [String: String] = [:], topic: String
    ) {
        self.origin = origin
        self.id = id
        self.handler = handler
        self.attempt = attempt
        self.body = body
        self.attributes = attributes
        self.topic = topic
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as a JSON object; a permanent failure when it is not one.
    public func jsonObject() throws -> [String: Any] {
        do {
            if let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
                return object
            }
        } catch {
            throw PermanentError("body is not valid JSON: \(error.localizedDescription)")
        }
        throw PermanentError("body is JSON but not an object")
    }
}
