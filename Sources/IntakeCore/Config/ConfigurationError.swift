/// One thing wrong with the configuration, located by its full key path.
public struct ConfigurationIssue: Sendable, Equatable, CustomStringConvertible {
    /// Dotted key path such as `sources.github.verify.type`, or `routes[2].key`; empty for the file as a whole.
    public var path: String
    /// What is wrong, phrased for the operator. Never contains a secret value.
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String {
        self.path.isEmpty ? self.problem : "\(self.path): \(self.problem)"
    }
}

/// The configuration could not be used. Lists every problem found, not just the first.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The file the configuration came from, when it came from a file.
    public var file: String?
    public var issues: [ConfigurationIssue]

    public init(file: String? = nil, issues: [ConfigurationIssue]) {
        self.file = file
        self.issues = issues
    }

    public init(file: String? = nil, path: String, problem: String) {
        self.init(file: file, issues: [ConfigurationIssue(path: path, problem: problem)])
    }

    public var description: String {
        let prefix = self.file.map { "\($0): " } ?? ""
        if self.issues.count == 1 {
            return "invalid configuration: \(prefix)\(self.issues[0])"
        }
        let lines = self.issues.map { "  \(prefix)\($0)" }.joined(separator: "\n")
        return "invalid configuration (\(self.issues.count) problems):\n\(lines)"
    }

    /// Whether some issue is about `path` (exactly) — convenient in tests and tooling.
    public func contains(path: String) -> Bool {
        self.issues.contains { $0.path == path }
    }
}
