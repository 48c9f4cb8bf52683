import Foundation
import IntakeCore
import IntakePostgres
import IntakeSupport

/// `webhook.generic` (SPEC §5): stores a verified JSON event in `ingest.webhook_events` with its
/// event type. Idempotent: one event per delivery, however often the delivery is handled.
///
/// The event type comes from the source's `event_type` setting (`{ header: … }` or
/// `{ json_field: … }`, a dotted path for nested fields); without one, from the usual event
/// headers (`X-GitHub-Event`, `X-Gitlab-Event`, `webhook-type`, CloudEvents' `ce-type`, …), else
/// the body's `type` or `event` field. None found is not an error: the event is stored with a
/// NULL type.
public struct WebhookGenericHandler: Handler {
    public static let handlerName = "webhook.generic"

    /// Headers tried, in order, when the source names no location.
    public static let defaultHeaders = [
        "x-github-event", "x-gitlab-event", "x-gitea-event", "x-event-key", "x-shopify-topic", "webhook-type",
        "x-webhook-event", "x-event-type", "ce-type",
    ]
    /// Top-level JSON fields tried, in order, after the headers.
    public static let defaultFields = ["type", "event", "event_type", "eventType"]

    static let insertSQL = """
        INSERT INTO ingest.webhook_events (delivery_id, source, event_type, payload, received_at)
        SELECT $1, $2, $3, $4::jsonb, coalesce((SELECT received_at FROM intake.deliveries WHERE id = $1), now())
        ON CONFLICT (delivery_id) DO NOTHING
        RETURNING id
        """

    /// Where each source's event type is, by source name.
    public let eventTypes: [String: EventTypeLocation]

    public init(eventTypes: [String: EventTypeLocation] = [:]) {
        self.eventTypes = eventTypes
    }

    /// Reads every source's `event_type` setting.
    public static func make(configuration: IntakeConfiguration) -> WebhookGenericHandler {
        WebhookGenericHandler(eventTypes: configuration.sources.compactMapValues(\.eventType))
    }

    public var name: String { Self.handlerName }
    public var transactionMode: TransactionMode { .shared }

    public func handle(_ message: Message, context: HandlerContext) async throws -> HandlerOutcome {
        guard let deliveryID = Int64(message.id) else {
            return .permanentFailure(reason: "webhook.generic handles inbox deliveries; \(message.id) is not a delivery id")
        }
        // JSONNode, not JSONSerialization: a number such as 1e400 is valid JSON that jsonb stores
        // exactly, but it has no Double, and Foundation refuses the whole document for it.
        let object: JSONNode
        do {
            object = try JSONNode.parse(message.body)
        } catch {
            return .permanentFailure(reason: "webhook.generic needs a JSON body: \(error)")
        }
        let eventType = Self.eventType(
            of: object, headers: message.attributes, location: eventTypes[message.topic])
        let connection = try context.requireTransaction()
        let rows = try await connection.query(
            Self.insertSQL, [deliveryID, message.topic, eventType, PostgresJSON(text: message.bodyText)])
        var result: [String: Any] = ["event_type": eventType ?? NSNull()]
        if let row = rows.first {
            result["event_id"] = try row.decode(Int64.self, at: 0)
        } else {
            result["duplicate"] = true
        }
        return .success(result: try PostgresJSON(object: result))
    }

    /// The event type per `location`, else the defaults; nil when nothing names one.
    package static func eventType(of object: JSONNode, headers: [String: String], location: EventTypeLocation?)
        -> String?
    {
        switch location {
        case .header(let name):
            return header(name, in: headers)
        case .jsonField(let path):
            return field(path, in: object)
        case nil:
            for name in defaultHeaders {
                if let value = header(name, in: headers) { return value }
            }
            for name in defaultFields {
                if let value = field(name, in: object) { return value }
            }
            return nil
        }
    }

    /// Stored headers have lowercase names; older or hand-made rows may not.
    static func header(_ name: String, in headers: [String: String]) -> String? {
        let lowered = name.lowercased()
        let value = headers[lowered] ?? headers.first { $0.key.lowercased() == lowered }?.value
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    /// A string or number (as written) at a dotted path of nested objects.
    static func field(_ path: String, in object: JSONNode) -> String? {
        var current: JSONNode? = object
        for component in path.split(separator: ".") {
            current = current?[String(component)]
        }
        switch current {
        case .string(let text): return text.isEmpty ? nil : text
        case .number(let text): return text
        default: return nil
        }
    }
}
