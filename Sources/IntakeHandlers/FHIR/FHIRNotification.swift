import IntakeSupport

/// A topic-based subscription notification, normalised from whichever of the three wire forms
/// the server sent (SPEC §5 `fhir.subscription`). Made by `FHIRNotification.parse(_:)`.
public struct FHIRNotification: Sendable, Equatable {
    public enum Form: String, Sendable, Codable {
        /// FHIR R5: `Bundle.type = subscription-notification`, first entry a `SubscriptionStatus`.
        case r5
        /// Subscriptions Backport IG on R4B: `history` Bundle, first entry a `SubscriptionStatus`.
        case r4bBackport = "r4b-backport"
        /// Subscriptions Backport IG on R4: `history` Bundle, first entry a `Parameters`.
        case r4Backport = "r4-backport"
    }

    public enum NotificationType: String, Sendable, Codable, CaseIterable {
        case handshake
        case heartbeat
        case eventNotification = "event-notification"
        case queryStatus = "query-status"
        case queryEvent = "query-event"
    }

    public struct Event: Sendable, Equatable {
        public var eventNumber: Int64
        /// `focus.reference` — the only thing an `id-only` payload carries about the resource.
        public var focusReference: String?
        /// The event's instant as sent (FHIR `instant`).
        public var timestamp: String?
        public var additionalContext: [String]

        public init(eventNumber: Int64, focusReference: String? = nil, timestamp: String? = nil, additionalContext: [String] = []) {
            self.eventNumber = eventNumber
            self.focusReference = focusReference
            self.timestamp = timestamp
            self.additionalContext = additionalContext
        }
    }

    public var form: Form
    /// `Bundle.id`, when present.
    public var bundleID: String?
    /// `Bundle.timestamp`, as sent.
    public var bundleTimestamp: String?
    /// The Subscription this notification is for (`subscription.reference`); the key of
    /// `ingest.fhir_subscriptions`.
    public var subscriptionReference: String
    public var topic: String?
    /// The subscription's status: `requested`, `active`, `error`, `off` or `entered-in-error`.
    public var status: String?
    public var type: NotificationType
    /// Counters arrive as JSON strings (`"2"`) or numbers (`2`); both are read.
    public var eventsSinceSubscriptionStart: Int64?
    public var events: [Event]
    /// Full resources carried by later entries, in bundle order (none for `id-only` payloads).
    public var resources: [FHIRResource]
    /// `error` codes the server reports on the subscription (`code`, or `system|code`).
    public var subscriptionErrors: [String]

    /// The event numbers to run through `FHIREventSequence`: the events' own, or — for an
    /// `event-notification` from a server that sends none (older Backport servers) — the
    /// `eventsSinceSubscriptionStart` counter, which then numbers the single event.
    public var trackedEventNumbers: [Int64] {
        if !events.isEmpty { return events.map(\.eventNumber) }
        if type == .eventNotification, let eventsSinceSubscriptionStart { return [eventsSinceSubscriptionStart] }
        return []
    }
}

/// A resource carried in a notification bundle.
public struct FHIRResource: Sendable, Equatable {
    public var resourceType: String
    /// `resource.id`, or the id at the end of the entry's `fullUrl` (`…/Patient/123`,
    /// `…/Patient/123/_history/2`) when the resource has none.
    public var id: String?
    public var fullURL: String?
    /// `entry.request.method` (`POST`, `PUT`, `DELETE`…), when present.
    public var requestMethod: String?
    package var json: JSONNode

    package init(resourceType: String, id: String?, fullURL: String? = nil, requestMethod: String? = nil, json: JSONNode) {
        self.resourceType = resourceType
        self.id = id
        self.fullURL = fullURL
        self.requestMethod = requestMethod
        self.json = json
    }

    /// The resource as compact JSON bytes, numbers exactly as sent — what a `raw jsonb` column stores.
    public var rawJSON: [UInt8] { json.serializedBytes() }
}

/// A notification that cannot be understood. Always permanent: the same bytes will fail the same
/// way, so the delivery goes straight to the dead-letter table with this message.
public struct FHIRNotificationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public let isPermanent = true

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "FHIR notification rejected: \(message)" }
}
