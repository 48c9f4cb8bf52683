import Foundation
import IntakeSupport
import Yams

/// Everything in `intake.yaml` (SPEC §2), parsed, defaulted and checked.
///
/// Loading checks what every process needs; each process then calls its `validateFor…()` to
/// check the sections it uses (a notify worker needs no `sqs:`).
public struct IntakeConfiguration: Sendable {
    public var database: DatabaseSettings
    public var aws: AWSSettings
    public var receiver: ReceiverSettings
    /// Webhook sources by name (the `{source}` of `POST /webhooks/{source}`).
    public var sources: [String: SourceSettings]
    /// nil when the file has no `sqs:` section.
    public var sqs: SQSSettings?
    /// In file order; the first match wins.
    public var routes: [RouteSettings]
    public var retry: RetryPolicies
    public var workers: WorkerSettings
    public var subscribers: [SubscriberSettings]

    public init(
        database: DatabaseSettings = DatabaseSettings(),
        aws: AWSSettings = AWSSettings(),
        receiver: ReceiverSettings = ReceiverSettings(),
        sources: [String: SourceSettings] = [:],
        sqs: SQSSettings? = nil,
        routes: [RouteSettings] = [],
        retry: RetryPolicies = RetryPolicies(),
        workers: WorkerSettings = WorkerSettings(),
        subscribers: [SubscriberSettings] = []
    ) {
        self.database = database
        self.aws = aws
        self.receiver = receiver
        self.sources = sources
        self.sqs = sqs
        self.routes = routes
        self.retry = retry
        self.workers = workers
        self.subscribers = subscribers
    }

    /// The first route matching an S3 object, nil when none does.
    public func route(bucket: String, key: String) -> RouteSettings? {
        self.routes.firstMatch(bucket: bucket, key: key)
    }

    /// Subscribers that want `event`, in file order.
    public func subscribers(for event: String) -> [SubscriberSettings] {
        self.subscribers.filter { $0.wants(event) }
    }
}

extension IntakeConfiguration {
    /// The default file name, relative to the working directory.
    public static let defaultPath = "intake.yaml"

    /// Where the configuration lives: `--config PATH` (or `--config=PATH`) in `arguments`, else
    /// `INTAKE_CONFIG`, else `./intake.yaml`.
    public static func path(
        arguments: [String] = CommandLine.arguments,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            if argument == "--config", let value = iterator.next() { return value }
            if argument.hasPrefix("--config=") { return String(argument.dropFirst("--config=".count)) }
        }
        if let fromEnvironment = environment["INTAKE_CONFIG"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return Self.defaultPath
    }

    /// Reads and checks the whole file (every section, whatever the process).
    public static func load(
        path: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> IntakeConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Self.unreadable(path: path, error: error)
        }
        return try Self.parse(yaml: text, environment: environment, file: path)
    }

    /// Parses configuration text, checking every section; `file` only labels error messages.
    public static func parse(
        yaml: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        file: String? = nil
    ) throws(ConfigurationError) -> IntakeConfiguration {
        let reader = ConfigReader(environment: environment)
        let configuration = Self.decode(root: try Self.compose(yaml: yaml, file: file), reader: reader)
        guard reader.issues.isEmpty else {
            throw ConfigurationError(file: file, issues: reader.issues)
        }
        return configuration
    }

    static func compose(yaml: String, file: String?) throws(ConfigurationError) -> Node? {
        do {
            return try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigurationError(file: file, path: "", problem: Self.describeYAMLError(error))
        }
    }

    /// Yams' own descriptions quote the offending line, which could hold a secret: keep only
    /// the position and the parser's problem.
    private static func describeYAMLError(_ error: any Error) -> String {
        guard let yamlError = error as? YamlError else { return "not valid YAML" }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            return "not valid YAML: line \(mark.line), column \(mark.column): \(problem)\(during)"
        case .reader(let problem, let offset, _, _):
            return "not valid YAML: \(problem)" + (offset.map { " at byte \($0)" } ?? "")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return "not valid YAML: duplicate key \(duplicates.sorted().joined(separator: ", ")) "
                + "in the mapping at line \(context.mark.line)"
        default:
            return "not valid YAML"
        }
    }
}
