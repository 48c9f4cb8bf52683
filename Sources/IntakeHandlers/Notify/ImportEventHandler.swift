import Foundation
import IntakeCore
import IntakePostgres
import IntakeRuntime

/// `import.completed` and `import.failed` (SPEC §5): in the job's own transaction, promotes
/// waiting commerce rows, runs the data-quality checks, and enqueues one `subscriber.notify`
/// job per subscriber that wants the event — separate jobs, so a subscriber that is down
/// retries alone.
public struct ImportEventHandler: Handler {
    public let name: String
    let subscribers: [SubscriberSettings]
    let staleAfterSeconds: Int

    public init(kind: String, subscribers: [SubscriberSettings], staleAfterSeconds: Int = 86_400) {
        name = kind
        self.subscribers = subscribers
        self.staleAfterSeconds = staleAfterSeconds
    }

    public static func completed(services: HandlerServices?) -> ImportEventHandler {
        ImportEventHandler(kind: ImportEvent.completedKind, subscribers: services?.configuration.subscribers ?? [])
    }

    public static func failed(services: HandlerServices?) -> ImportEventHandler {
        ImportEventHandler(kind: ImportEvent.failedKind, subscribers: services?.configuration.subscribers ?? [])
    }

    public var transactionMode: TransactionMode { .shared }

    public func handle(_ message: Message, context: HandlerContext) async throws -> HandlerOutcome {
        let event: ImportEvent
        do {
            event = try ImportEvent.decode(message.body)
        } catch {
            return .permanentFailure(reason: "\(name) payload is not an import event: \(error)")
        }
        guard let jobID = event.jobID else {
            return .permanentFailure(reason: "\(name) payload has no valid import_job_id")
        }
        let deliveries = try subscribers.filter { $0.wants(name) }.map { subscriber in
            try SubscriberNotification(url: subscriber.url, event: name, webhookID: "msg_" + UUID().uuidString.lowercased(),
                                       data: event).payload()
        }
        let staleAfter = staleAfterSeconds
        let transaction = try context.requireTransaction()
        let summary = try await transaction.perform { connection -> PostgresJSON in
            var summary: [String: Any] = ["import_job_id": event.importJobID]
            if event.handler == CommerceImportHandler.handlerName && event.status != .failed {
                let promotion = try CommercePromotion.run(on: connection)
                summary["promotion"] = [
                    "orders": promotion.orders, "order_items": promotion.orderItems, "rounds": promotion.rounds,
                    "still_waiting": promotion.stillWaiting,
                ]
            }
            if let report = try DataQualityCheck.run(event, jobID: jobID, staleAfterSeconds: staleAfter, on: connection) {
                summary["data_quality_passed"] = report.passed
                summary["data_quality_warnings"] = report.warnings
            }
            for payload in deliveries {
                try ImportJobStore.enqueue(SubscriberNotifyHandler.kind, payload, on: connection)
            }
            summary["notifications"] = deliveries.count
            return try PostgresJSON(object: summary)
        }
        if let object = try? summary.object() as? [String: Any], let warnings = object["data_quality_warnings"] as? [String],
            !warnings.isEmpty
        {
            context.logger.warning(
                "post-import data-quality warnings", metadata: ["import.job": "\(event.importJobID)", "warnings": "\(warnings)"])
        }
        return .success(result: summary)
    }
}
