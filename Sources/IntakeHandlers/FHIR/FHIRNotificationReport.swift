import Foundation
import IntakePostgres

/// The delivery's `result` for a FHIR notification: what was counted, ignored and stored.
struct FHIRNotificationReport: Encodable {
    struct GapLine: Encodable, CustomStringConvertible {
        /// The first missing event number and the last one.
        var firstMissing: Int64
        var lastMissing: Int64

        init(_ gap: FHIREventSequence.Gap) {
            firstMissing = gap.expected
            lastMissing = gap.received - 1
        }

        var description: String { firstMissing == lastMissing ? "\(firstMissing)" : "\(firstMissing)-\(lastMissing)" }

        enum CodingKeys: String, CodingKey {
            case firstMissing = "first_missing"
            case lastMissing = "last_missing"
        }
    }

    var subscription: String?
    var form: String?
    var type: String?
    var eventsSinceSubscriptionStart: Int64?
    var eventsAccepted: [Int64] = []
    var eventsRepeated: [Int64] = []
    var gapsOpened: [GapLine] = []
    var gapsFilled = 0
    var lastEventNumber: Int64?
    /// Rows written, by resource type.
    var resourcesStored: [String: Int] = [:]
    /// Resources of repeated events, not written again.
    var resourcesIgnored = 0
    var warnings: [String] = []
    var error: String?

    init(_ notification: FHIRNotification) {
        subscription = notification.subscriptionReference
        form = notification.form.rawValue
        type = notification.type.rawValue
        eventsSinceSubscriptionStart = notification.eventsSinceSubscriptionStart
    }

    private init(error: String) {
        self.error = error
    }

    static func rejected(_ reason: String) -> FHIRNotificationReport {
        FHIRNotificationReport(error: reason)
    }

    enum CodingKeys: String, CodingKey {
        case subscription, form, type, warnings, error
        case eventsSinceSubscriptionStart = "events_since_subscription_start"
        case eventsAccepted = "events_accepted"
        case eventsRepeated = "events_repeated"
        case gapsOpened = "gaps_opened"
        case gapsFilled = "gaps_filled"
        case lastEventNumber = "last_event_number"
        case resourcesStored = "resources_stored"
        case resourcesIgnored = "resources_ignored"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if let error {
            try container.encode(error, forKey: .error)
            return
        }
        try container.encodeIfPresent(subscription, forKey: .subscription)
        try container.encodeIfPresent(form, forKey: .form)
        try container.encodeIfPresent(type, forKey: .type)
        try container.encodeIfPresent(eventsSinceSubscriptionStart, forKey: .eventsSinceSubscriptionStart)
        try container.encode(eventsAccepted, forKey: .eventsAccepted)
        try container.encode(eventsRepeated, forKey: .eventsRepeated)
        try container.encode(gapsOpened, forKey: .gapsOpened)
        try container.encode(gapsFilled, forKey: .gapsFilled)
        try container.encodeIfPresent(lastEventNumber, forKey: .lastEventNumber)
        try container.encode(resourcesStored, forKey: .resourcesStored)
        try container.encode(resourcesIgnored, forKey: .resourcesIgnored)
        try container.encode(warnings, forKey: .warnings)
    }

    func json() throws -> PostgresJSON {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return PostgresJSON(text: String(decoding: try encoder.encode(self), as: UTF8.self))
    }
}
