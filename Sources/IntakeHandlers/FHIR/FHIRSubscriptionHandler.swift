import Foundation
import IntakeCore
import IntakePostgres

/// `fhir.subscription` (SPEC §5): topic-based subscription notifications in the R5, R4B-Backport
/// and R4-Backport forms.
///
/// Everything that can be refused is refused before the first write — the bundle is parsed and
/// every resource mapped up front — so a malformed notification is a permanent failure that
/// leaves nothing behind. Then, with the subscription's row locked (two notifications of one
/// subscription count one after the other):
/// - `handshake` restarts the count (open gaps are closed as `reset`: those events will never come);
/// - `heartbeat` / `query-status` compare the server's `eventsSinceSubscriptionStart` with the last
///   event seen: events beyond it were lost, and are recorded as a gap;
/// - `event-notification` / `query-event` run the event numbers through `FHIREventSequence`:
///   new events are recorded in `ingest.fhir_events` (id-only payloads carry nothing more) and
///   their resources written through the mapper registry; repeated events are ignored, resources
///   included; a number past the next one expected opens a gap; a late event closes its part of one.
public struct FHIRSubscriptionHandler: Handler {
    public static let handlerName = "fhir.subscription"

    let registry: FHIRMapperRegistry

    public init(registry: FHIRMapperRegistry = .standard) {
        self.registry = registry
    }

    public var name: String { Self.handlerName }
    public var transactionMode: TransactionMode { .shared }

    public func handle(_ message: Message, context: HandlerContext) async throws -> HandlerOutcome {
        let notification: FHIRNotification
        do {
            notification = try FHIRNotification.parse(message.body)
        } catch {
            return .permanentFailure(
                reason: error.description, result: try FHIRNotificationReport.rejected(error.description).json())
        }
        var mapped: [(resource: FHIRResource, row: any FHIRRow)] = []
        for resource in notification.resources {
            do {
                mapped.append((resource, try registry.map(resource)))
            } catch {
                let reason = "FHIR notification rejected: cannot map \(error)"
                return .permanentFailure(reason: reason, result: try FHIRNotificationReport.rejected(reason).json())
            }
        }

        let deliveryID = Int64(message.id)
        let store = FHIRSubscriptionStore(connection: try context.requireTransaction())
        let subscription = notification.subscriptionReference
        let locked = try await store.lock(subscription)
        var report = FHIRNotificationReport(notification)
        var state = locked.state
        var epoch = locked.epoch

        switch notification.type {
        case .handshake:
            if !state.openGaps.isEmpty {
                report.warnings.append(
                    "handshake restarted the event count; \(state.openGaps.count) open gap(s) closed as reset")
            }
            try await store.resolveGaps(nil, subscription: subscription, resolution: "reset")
            state = FHIREventSequence.handshake(eventsSinceSubscriptionStart: notification.eventsSinceSubscriptionStart)
            epoch += 1

        case .heartbeat, .queryStatus:
            if let counter = notification.eventsSinceSubscriptionStart {
                let outcome = FHIREventSequence.observeStatus(eventsSinceSubscriptionStart: counter, state: state)
                try await apply(outcome, to: &report, store: store, subscription: subscription)
                state = outcome.state
            }

        case .eventNotification, .queryEvent:
            let numbers = notification.trackedEventNumbers
            var toWrite = mapped
            if numbers.isEmpty {
                report.warnings.append("the notification numbers no events; its resources were stored without a check for repeats")
            } else {
                let outcome = FHIREventSequence.observeEvents(numbers, state: state)
                try await apply(outcome, to: &report, store: store, subscription: subscription)
                state = outcome.state
                let accepted = Set(outcome.accepted)
                let events = Self.events(of: notification)
                let acceptedEvents = events.filter { accepted.contains($0.eventNumber) }
                let repeatedEvents = events.filter { !accepted.contains($0.eventNumber) }
                toWrite = mapped.filter { item in
                    Self.belongs(item.resource, toAnyOf: acceptedEvents, whenNotIn: repeatedEvents)
                }
                report.resourcesIgnored = mapped.count - toWrite.count
                try await store.recordEvents(
                    acceptedEvents.map { event in
                        .init(event: event, hasResource: mapped.contains { Self.refers(event.focusReference, to: $0.resource) })
                    }, notification: notification, epoch: epoch, deliveryID: deliveryID)
            }
            for item in toWrite {
                try await store.upsert(item.row)
                report.resourcesStored[item.resource.resourceType, default: 0] += 1
            }
        }

        try await store.updateSubscription(notification, state: state, epoch: epoch, deliveryID: deliveryID)
        report.lastEventNumber = state.lastEventNumber
        if !report.eventsRepeated.isEmpty || !report.gapsOpened.isEmpty || !report.warnings.isEmpty {
            context.logger.info(
                "fhir notification handled with findings",
                metadata: [
                    "fhir.subscription": "\(subscription)", "events.repeated": "\(report.eventsRepeated)",
                    "gaps.opened": "\(report.gapsOpened.map(\.description))",
                ])
        }
        return .success(result: try report.json())
    }

    private func apply(
        _ outcome: FHIREventSequence.Outcome, to report: inout FHIRNotificationReport, store: FHIRSubscriptionStore,
        subscription: String
    ) async throws {
        try await store.resolveGaps(outcome.resolvedGaps, subscription: subscription, resolution: "filled")
        try await store.openGaps(outcome.openedGaps, subscription: subscription)
        report.eventsAccepted = outcome.accepted
        report.eventsRepeated = outcome.duplicates
        report.gapsOpened = outcome.openedGaps.map(FHIRNotificationReport.GapLine.init)
        report.gapsFilled = outcome.resolvedGaps.count
        if outcome.counterRegressed {
            report.warnings.append(
                "eventsSinceSubscriptionStart went back below the last event seen: the server may have restarted the subscription without a handshake"
            )
        }
    }

    /// The notification's events; a server that numbers none but counts (older Backport servers)
    /// gets its single event numbered by the counter, as `trackedEventNumbers` does.
    static func events(of notification: FHIRNotification) -> [FHIRNotification.Event] {
        if !notification.events.isEmpty { return notification.events }
        return notification.trackedEventNumbers.map { FHIRNotification.Event(eventNumber: $0) }
    }

    /// Whether to write a resource: not when it is only the focus (or context) of repeated
    /// events — a retried notification must not overwrite newer data with what it carried then.
    static func belongs(
        _ resource: FHIRResource, toAnyOf accepted: [FHIRNotification.Event], whenNotIn repeated: [FHIRNotification.Event]
    ) -> Bool {
        if accepted.isEmpty { return false }
        func mentions(_ event: FHIRNotification.Event) -> Bool {
            refers(event.focusReference, to: resource) || event.additionalContext.contains { refers($0, to: resource) }
        }
        if accepted.contains(where: mentions) { return true }
        return !repeated.contains(where: mentions)
    }

    /// `https://x/fhir/Patient/1`, `Patient/1` and `Patient/1/_history/2` all refer to Patient 1.
    static func refers(_ reference: String?, to resource: FHIRResource) -> Bool {
        guard let reference else { return false }
        if let fullURL = resource.fullURL, reference == fullURL { return true }
        guard let id = resource.id else { return false }
        var trimmed = Substring(reference)
        if let history = trimmed.range(of: "/_history/") { trimmed = trimmed[..<history.lowerBound] }
        let local = "\(resource.resourceType)/\(id)"
        return trimmed == local || trimmed.hasSuffix("/" + local)
    }
}
