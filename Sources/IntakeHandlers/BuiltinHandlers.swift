import Foundation
import IntakeCore

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
    public static func all(configuration: IntakeConfiguration? = nil) -> [any Handler] {
        [
            NoopHandler(), SleepHandler(),
            configuration.map { WebhookGenericHandler.make(configuration: $0) } ?? WebhookGenericHandler(),
            S3FetchHandler(settings: configuration?.aws ?? AWSSettings()),
        ]
    }

    public static func registry(configuration: IntakeConfiguration? = nil) -> HandlerRegistry {
        HandlerRegistry(all(configuration: configuration))
    }

    public static var names: Set<String> { Set(all().map(\.name)) }
}
