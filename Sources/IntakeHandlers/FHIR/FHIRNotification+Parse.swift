import IntakeSupport

extension FHIRNotification {
    /// Parses a notification bundle in any of the three forms, told apart by the first entry's
    /// `resourceType`: `SubscriptionStatus` (R5 when `Bundle.type` is `subscription-notification`,
    /// the R4B Backport when it is `history`) or `Parameters` (the R4 Backport).
    public static func parse(_ bytes: some Collection<UInt8>) throws(FHIRNotificationError) -> FHIRNotification {
        let document: JSONNode
        do {
            document = try JSONNode.parse(bytes)
        } catch {
            throw FHIRNotificationError("body is not JSON: \(error.description)")
        }
        return try parse(document: document)
    }

    package static func parse(document: JSONNode) throws(FHIRNotificationError) -> FHIRNotification {
        guard let bundle = document.objectValue else {
            throw FHIRNotificationError("expected a Bundle object, found \(document.kindDescription)")
        }
        guard bundle["resourceType"]?.stringValue == "Bundle" else {
            let found = bundle["resourceType"]?.stringValue.map { "'\($0)'" } ?? "none"
            throw FHIRNotificationError("expected resourceType 'Bundle', found \(found)")
        }
        guard let bundleType = bundle["type"]?.stringValue,
            bundleType == "subscription-notification" || bundleType == "history"
        else {
            let found = bundle["type"]?.stringValue.map { "'\($0)'" } ?? "none"
            throw FHIRNotificationError(
                "Bundle.type must be 'subscription-notification' (R5) or 'history' (Backport), found \(found)")
        }
        guard let entries = bundle["entry"]?.arrayValue, !entries.isEmpty else {
            throw FHIRNotificationError("the Bundle has no entries; a notification starts with its subscription status")
        }
        guard let statusResource = entries[0]["resource"]?.objectValue else {
            throw FHIRNotificationError("entry[0] has no resource; a notification starts with its subscription status")
        }

        var notification: FHIRNotification
        switch statusResource["resourceType"]?.stringValue {
        case "SubscriptionStatus":
            notification = try FHIRSubscriptionStatusReader.read(
                statusResource, form: bundleType == "subscription-notification" ? .r5 : .r4bBackport)
        case "Parameters":
            notification = try FHIRStatusParametersReader.read(statusResource)
        case let other:
            throw FHIRNotificationError(
                "entry[0].resource \(other.map { "has resourceType '\($0)'" } ?? "has no resourceType"); a notification starts with a SubscriptionStatus (R5, R4B) or a Parameters (R4)"
            )
        }
        notification.bundleID = bundle["id"]?.stringValue
        notification.bundleTimestamp = bundle["timestamp"]?.stringValue
        notification.resources = try readResources(entries.dropFirst())
        return notification
    }

    private static func readResources(_ entries: ArraySlice<JSONNode>) throws(FHIRNotificationError) -> [FHIRResource] {
        var resources: [FHIRResource] = []
        for (index, entry) in zip(entries.indices, entries) {
            guard let entryObject = entry.objectValue else {
                throw FHIRNotificationError("entry[\(index)] must be an object, found \(entry.kindDescription)")
            }
            // id-only payloads list the focus as an entry with a fullUrl and no resource.
            guard let resourceNode = entryObject["resource"], !resourceNode.isNull else { continue }
            guard let resource = resourceNode.objectValue else {
                throw FHIRNotificationError("entry[\(index)].resource must be an object, found \(resourceNode.kindDescription)")
            }
            guard let resourceType = resource["resourceType"]?.stringValue, !resourceType.isEmpty else {
                throw FHIRNotificationError("entry[\(index)].resource has no resourceType")
            }
            let fullURL = entryObject["fullUrl"]?.stringValue
            resources.append(
                FHIRResource(
                    resourceType: resourceType,
                    id: resource["id"]?.stringValue ?? fullURL.flatMap { idFromFullURL($0, resourceType: resourceType) },
                    fullURL: fullURL,
                    requestMethod: entryObject["request"]?["method"]?.stringValue,
                    json: resourceNode))
        }
        return resources
    }

    /// `https://example.org/fhir/Patient/123` → `123`; also `Patient/123/_history/2` → `123`.
    static func idFromFullURL(_ fullURL: String, resourceType: String) -> String? {
        var parts = fullURL.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count >= 4, parts[parts.count - 2] == "_history" { parts.removeLast(2) }
        guard parts.count >= 2, parts[parts.count - 2] == resourceType, !parts[parts.count - 1].isEmpty else {
            return nil
        }
        return String(parts[parts.count - 1])
    }

    /// Reads an event counter sent as a JSON string (`"2"`, as FHIR `integer64` and the R4
    /// `valueString` are) or a number (`2`).
    static func counter(_ node: JSONNode?, path: String) throws(FHIRNotificationError) -> Int64? {
        switch node {
        case nil, .null?:
            return nil
        case .string(let text)?:
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int64(text) else {
                throw FHIRNotificationError("\(path): \(JSONNode.string(text).serialized()) is not a non-negative integer")
            }
            return value
        case .number(let text)?:
            guard let value = Int64(text), value >= 0 else {
                throw FHIRNotificationError("\(path): \(text) is not a non-negative integer")
            }
            return value
        case let other?:
            throw FHIRNotificationError("\(path): must be an integer (string or number), found \(other.kindDescription)")
        }
    }

    static func notificationType(_ text: String?, path: String) throws(FHIRNotificationError) -> NotificationType {
        guard let text else { throw FHIRNotificationError("\(path) is missing") }
        guard let type = NotificationType(rawValue: text) else {
            throw FHIRNotificationError(
                "\(path): '\(text)' is not one of handshake, heartbeat, event-notification, query-status, query-event")
        }
        return type
    }

    /// A `Reference`'s `reference`, or a bare string where a server sent one.
    static func reference(_ node: JSONNode?) -> String? {
        if let text = node?.stringValue { return text }
        return node?["reference"]?.stringValue
    }

    /// `system|code` (or `code`) of each coding of a CodeableConcept, else its text.
    static func codes(_ concept: JSONNode) -> [String] {
        let codings = concept["coding"]?.arrayValue ?? []
        let codes = codings.compactMap { coding -> String? in
            guard let code = coding["code"]?.stringValue else { return nil }
            return coding["system"]?.stringValue.map { "\($0)|\(code)" } ?? code
        }
        if codes.isEmpty, let text = concept["text"]?.stringValue { return [text] }
        return codes
    }
}

/// Reads a `SubscriptionStatus` resource (R5 and the R4B Backport).
enum FHIRSubscriptionStatusReader {
    static func read(_ status: JSONObject, form: FHIRNotification.Form) throws(FHIRNotificationError) -> FHIRNotification {
        let path = "entry[0].resource"
        guard let subscription = FHIRNotification.reference(status["subscription"]) else {
            throw FHIRNotificationError("\(path).subscription.reference is missing")
        }
        let type = try FHIRNotification.notificationType(status["type"]?.stringValue, path: "\(path).type")
        var events: [FHIRNotification.Event] = []
        for (index, event) in (status["notificationEvent"]?.arrayValue ?? []).enumerated() {
            let eventPath = "\(path).notificationEvent[\(index)]"
            guard let number = try FHIRNotification.counter(event["eventNumber"], path: "\(eventPath).eventNumber") else {
                throw FHIRNotificationError("\(eventPath).eventNumber is missing")
            }
            events.append(
                FHIRNotification.Event(
                    eventNumber: number, focusReference: FHIRNotification.reference(event["focus"]),
                    timestamp: event["timestamp"]?.stringValue,
                    additionalContext: (event["additionalContext"]?.arrayValue ?? []).compactMap {
                        FHIRNotification.reference($0)
                    }))
        }
        return FHIRNotification(
            form: form, bundleID: nil, bundleTimestamp: nil, subscriptionReference: subscription,
            topic: FHIRNotification.reference(status["topic"]), status: status["status"]?.stringValue, type: type,
            eventsSinceSubscriptionStart: try FHIRNotification.counter(
                status["eventsSinceSubscriptionStart"], path: "\(path).eventsSinceSubscriptionStart"),
            events: events, resources: [],
            subscriptionErrors: (status["error"]?.arrayValue ?? []).flatMap { FHIRNotification.codes($0) })
    }
}
