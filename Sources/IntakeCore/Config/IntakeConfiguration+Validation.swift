import Foundation

/// The long-running processes and the tool, each of which uses only some sections of the file.
public enum IntakeProcess: String, Sendable, CaseIterable {
    case receiver = "intake-receiver"
    case sqsWorker = "intake-sqs-worker"
    case notifyWorker = "intake-notify-worker"
    case inboxWorker = "intake-inbox-worker"
    case control = "intakectl"

    /// Top-level sections this process reads. Problems elsewhere in the file are left to the
    /// process that reads them, so that (say) the receiver's pod need not carry the SQS queue's
    /// environment variables.
    public var sections: Set<String> {
        switch self {
        case .receiver: ["database", "receiver", "sources", "workers"]
        case .sqsWorker: ["database", "aws", "sqs", "routes", "retry", "workers", "subscribers"]
        case .notifyWorker: ["database", "aws", "retry", "workers", "subscribers"]
        case .inboxWorker: ["database", "aws", "sources", "retry", "workers", "subscribers"]
        case .control: ["database", "aws", "sqs", "routes", "retry", "workers"]
        }
    }
}

extension IntakeConfiguration {
    /// Loads the file and checks what `process` needs: the usual entry point of a `main`.
    ///
    /// `knownHandlers`, when given, are the registered handler names; a route, source or retry
    /// override naming another handler is then an error.
    public static func load(
        path: String,
        for process: IntakeProcess,
        knownHandlers: Set<String>? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> IntakeConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Self.unreadable(path: path, error: error)
        }
        return try Self.parse(
            yaml: text, for: process, knownHandlers: knownHandlers, environment: environment, file: path
        )
    }

    /// Parses text for `process`: problems in sections the process does not read are ignored,
    /// then ``validate(for:knownHandlers:)`` runs.
    public static func parse(
        yaml: String,
        for process: IntakeProcess,
        knownHandlers: Set<String>? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        file: String? = nil
    ) throws(ConfigurationError) -> IntakeConfiguration {
        let reader = ConfigReader(environment: environment)
        let root = try Self.compose(yaml: yaml, file: file)
        let configuration = Self.decode(root: root, reader: reader)
        var issues = reader.issues.filter { issue in
            let section = Self.section(of: issue.path)
            return !Self.topLevelKeys.contains(section) || process.sections.contains(section)
        }
        issues += configuration.issues(for: process, knownHandlers: knownHandlers)
        guard issues.isEmpty else { throw ConfigurationError(file: file, issues: issues) }
        return configuration
    }

    public func validateForReceiver(knownHandlers: Set<String>? = nil) throws(ConfigurationError) {
        try self.validate(for: .receiver, knownHandlers: knownHandlers)
    }

    public func validateForSQSWorker(knownHandlers: Set<String>? = nil) throws(ConfigurationError) {
        try self.validate(for: .sqsWorker, knownHandlers: knownHandlers)
    }

    public func validateForNotifyWorker(knownHandlers: Set<String>? = nil) throws(ConfigurationError) {
        try self.validate(for: .notifyWorker, knownHandlers: knownHandlers)
    }

    public func validateForInboxWorker(knownHandlers: Set<String>? = nil) throws(ConfigurationError) {
        try self.validate(for: .inboxWorker, knownHandlers: knownHandlers)
    }

    /// Checks that the sections `process` needs are there and name handlers that exist.
    public func validate(for process: IntakeProcess, knownHandlers: Set<String>? = nil) throws(ConfigurationError) {
        let issues = self.issues(for: process, knownHandlers: knownHandlers)
        guard issues.isEmpty else { throw ConfigurationError(issues: issues) }
    }

    func issues(for process: IntakeProcess, knownHandlers: Set<String>?) -> [ConfigurationIssue] {
        var issues: [ConfigurationIssue] = []
        func require(_ condition: Bool, _ path: String, _ problem: String) {
            if !condition { issues.append(ConfigurationIssue(path: path, problem: problem)) }
        }
        func checkHandler(_ name: String, at path: String) {
            guard let knownHandlers, !knownHandlers.contains(name) else { return }
            issues.append(
                ConfigurationIssue(
                    path: path,
                    problem: "unknown handler \"\(name)\" (known: \(knownHandlers.sorted().joined(separator: ", ")))"
                )
            )
        }
        let name = process.rawValue
        switch process {
        case .receiver, .inboxWorker:
            require(!self.sources.isEmpty, "sources", "\(name) needs at least one webhook source")
            for source in self.sources.values.sorted(by: { $0.name < $1.name }) {
                checkHandler(source.handler, at: ConfigReader.join(ConfigReader.join("sources", source.name), "handler"))
            }
        case .sqsWorker:
            require(self.sqs != nil, "sqs", "\(name) needs this section, with at least queue_url")
            require(!self.routes.isEmpty, "routes", "\(name) needs at least one route (bucket, key, handler)")
            for (index, route) in self.routes.enumerated() {
                checkHandler(route.handler, at: "routes[\(index)].handler")
            }
        case .notifyWorker, .control:
            break
        }
        if process != .receiver {
            for handler in self.retry.handlers.keys.sorted() {
                checkHandler(handler, at: ConfigReader.join("retry.handlers", handler))
            }
        }
        return issues
    }

    /// The top-level key an issue path starts with (`sources` for `sources.github.verify`).
    static func section(of path: String) -> String {
        String(path.prefix { $0 != "." && $0 != "[" })
    }

    static func unreadable(path: String, error: any Error) -> ConfigurationError {
        let reason =
            FileManager.default.fileExists(atPath: path)
            ? "cannot be read as UTF-8 text (\(error.localizedDescription))"
            : "does not exist (pass --config PATH or set INTAKE_CONFIG)"
        return ConfigurationError(file: path, path: "", problem: "configuration file \(reason)")
    }
}
