import IntakeSupport

/// Reads the R4 Backport's subscription status: a `Parameters` resource whose parameters are
/// named `subscription`, `topic`, `status`, `type`, `events-since-subscription-start`,
/// `notification-event` (parts `event-number`, `timestamp`, `focus`, `additional-context`) and
/// `error`. Values are read from whichever `value[x]` a server chose.
enum FHIRStatusParametersReader {
    static func read(_ parameters: JSONObject) throws(FHIRNotificationError) -> FHIRNotification {
        let path = "entry[0].resource"
        var subscription: String?
        var topic: String?
        var status: String?
        var typeText: String?
        var eventsSinceStart: Int64?
        var events: [FHIRNotification.Event] = []
        var errors: [String] = []

        for (index, parameter) in (parameters["parameter"]?.arrayValue ?? []).enumerated() {
            let parameterPath = "\(path).parameter[\(index)]"
            let value = Self.value(of: parameter)
            switch parameter["name"]?.stringValue {
            case "subscription": subscription = FHIRNotification.reference(value)
            case "topic": topic = FHIRNotification.reference(value)
            case "status": status = value?.stringValue
            case "type": typeText = value?.stringValue
            case "events-since-subscription-start":
                eventsSinceStart = try FHIRNotification.counter(value, path: "\(parameterPath) (events-since-subscription-start)")
            case "notification-event":
                events.append(try event(parameter, path: parameterPath))
            case "error":
                if let value { errors += FHIRNotification.codes(value) }
            default:
                continue
            }
        }

        guard let subscription else {
            throw FHIRNotificationError("\(path) has no 'subscription' parameter with a valueReference.reference")
        }
        guard typeText != nil else {
            throw FHIRNotificationError("\(path) has no 'type' parameter")
        }
        return FHIRNotification(
            form: .r4Backport, bundleID: nil, bundleTimestamp: nil, subscriptionReference: subscription, topic: topic,
            status: status, type: try FHIRNotification.notificationType(typeText, path: "\(path) 'type' parameter"),
            eventsSinceSubscriptionStart: eventsSinceStart, events: events, resources: [], subscriptionErrors: errors)
    }

    private static func event(_ parameter: JSONNode, path: String) throws(FHIRNotificationError) -> FHIRNotification.Event {
        var number: Int64?
        var event = FHIRNotification.Event(eventNumber: 0)
        for part in parameter["part"]?.arrayValue ?? [] {
            let value = Self.value(of: part)
            switch part["name"]?.stringValue {
            case "event-number": number = try FHIRNotification.counter(value, path: "\(path) (notification-event event-number)")
            case "timestamp": event.timestamp = value?.stringValue
            case "focus": event.focusReference = FHIRNotification.reference(value)
            case "additional-context":
                if let reference = FHIRNotification.reference(value) { event.additionalContext.append(reference) }
            default: continue
            }
        }
        guard let number else {
            throw FHIRNotificationError("\(path): a notification-event has no event-number part")
        }
        event.eventNumber = number
        return event
    }

    /// The parameter's `value[x]`, whichever type it was sent as.
    private static func value(of parameter: JSONNode) -> JSONNode? {
        parameter.objectValue?.members.first { $0.key.hasPrefix("value") }?.value
    }
}
