import Foundation
import IntakeCore

/// Holds a message for `sleep_ms` milliseconds (from the JSON body), then succeeds: for
/// drills — kill a worker mid-message, watch its lease expire and another worker finish it.
public struct SleepHandler: Handler {
    public init() {}
    public var name: String { "builtin.sleep" }
    public var transactionMode: TransactionMode { .none }

    public func handle(_ message: Message, context: HandlerContext) async throws -> HandlerOutcome {
        let object = try message.jsonObject()
        let milliseconds = (object["sleep_ms"] as? Int) ?? 1000
        try await Task.sleep(for: .milliseconds(milliseconds))
        return .success
    }
}

/// The registry every worker starts from. Adding a strategy: one type, one line here.
public enum BuiltinHandlers {
    public static func all(configuration: IntakeConfiguration? = nil) -> [any Handler] {
        [
            NoopHandler(), SleepHandler(),
            configuration.map { WebhookGenericHandler.make(configuration: $0) } ?? WebhookGenericHandler(),
            DrupalModuleSyncHandler(),
            FHIRSubscriptionHandler(),
        ]
    }

    public static func registry(configuration: IntakeConfiguration? = nil) -> HandlerRegistry {
        HandlerRegistry(all(configuration: configuration))
    }

    public static var names: Set<String> { Set(all().map(\.name)) }
}
