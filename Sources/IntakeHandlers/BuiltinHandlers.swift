import Foundation
import IntakeCore
import IntakeDrupal
import IntakeRuntime

/// Holds a message for `sleep_ms` milliseconds (from the JSON body), then succeeds: for
/// drills — kill a worker mid-message, watch its lease expire and another worker finish it.
/// From S3 (the body is an ``S3ObjectTask``) the time comes from a key segment `sleep-N`,
/// e.g. `drills/sleep-3000/a.csv`.
public struct SleepHandler: Handler {
    public init() {}
    public var name: String { "builtin.sleep" }
    public var transactionMode: TransactionMode { .none }

    public func handle(_ message: Message, context: HandlerContext) async throws -> HandlerOutcome {
        let object = try message.jsonObject()
        let fromKey = (object["key"] as? String).flatMap(Self.milliseconds(inKey:))
        let milliseconds = (object["sleep_ms"] as? Int) ?? fromKey ?? 1000
        try await Task.sleep(for: .milliseconds(milliseconds))
        return .success
    }

    static func milliseconds(inKey key: String) -> Int? {
        key.split(separator: "/").lazy.compactMap { segment in
            segment.hasPrefix("sleep-") ? Int(segment.dropFirst("sleep-".count)) : nil
        }.first
    }
}

/// The registry every worker starts from. Adding a strategy: one type, one line here.
public enum BuiltinHandlers {
    /// `services` carries the configuration and the clients; nil builds every handler without
    /// them (for listing names; handlers that need a client then fail permanently).
    public static func all(services: HandlerServices? = nil) -> [any Handler] {
        [
            NoopHandler(), SleepHandler(),
            services.map { WebhookGenericHandler.make(configuration: $0.configuration) } ?? WebhookGenericHandler(),
            DrupalModuleSyncHandler(),
            FHIRSubscriptionHandler(),
            ImportEventHandler.completed(services: services),
            ImportEventHandler.failed(services: services),
            SubscriberNotifyHandler(services: services),
            S3ReprocessHandler(services: services),
            S3FetchHandler(services: services),
        ] + imports(services: services)
    }

    /// The S3 import strategies (SQS routes and `s3.reprocess` run these).
    public static func imports(services: HandlerServices?) -> [any S3ImportHandler] {
        [
            CSVImportHandler.pharmacyClaims(services: services),
            CSVImportHandler.auditRecords(services: services),
            CommerceImportHandler(services: services),
        ]
    }

    public static func registry(services: HandlerServices? = nil) -> HandlerRegistry {
        HandlerRegistry(all(services: services))
    }

    public static var names: Set<String> { Set(all().map(\.name)) }
}
