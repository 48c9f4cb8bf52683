import Yams

/// Walks a composed YAML tree, collecting every problem with its key path instead of stopping
/// at the first, so an operator fixes a broken file in one round.
final class ConfigReader {
    private(set) var issues: [ConfigurationIssue] = []
    let environment: [String: String]

    init(environment: [String: String]) {
        self.environment = environment
    }

    func report(_ path: String, _ problem: String) {
        self.issues.append(ConfigurationIssue(path: path, problem: problem))
    }

    /// The mapping at `path`, or nil when it is absent or null. Keys outside `keys` are reported;
    /// pass nil for mappings whose keys are names (sources, retry handlers).
    func table(_ node: Node?, at path: String, keys: Set<String>?) -> ConfigTable? {
        guard let node, !Self.isNull(node) else { return nil }
        guard case .mapping(let mapping) = node else {
            self.report(path, "must be a mapping (key: value pairs), got \(Self.kind(of: node))")
            return nil
        }
        var pairs: [(key: String, value: Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                self.report(path, "keys must be plain names, got \(Self.kind(of: keyNode))")
                continue
            }
            if let keys, !keys.contains(key.string) {
                self.report(Self.join(path, key.string), Self.unknownKeyProblem(key.string, known: keys))
                continue
            }
            pairs.append((key.string, value))
        }
        return ConfigTable(reader: self, path: path, pairs: pairs)
    }

    /// The sequence at `path` as (element path, element) pairs, or nil when absent or null.
    func list(_ node: Node?, at path: String) -> [(path: String, node: Node)]? {
        guard let node, !Self.isNull(node) else { return nil }
        guard case .sequence(let sequence) = node else {
            self.report(path, "must be a list, got \(Self.kind(of: node))")
            return nil
        }
        return sequence.enumerated().map { ("\(path)[\($0.offset)]", $0.element) }
    }

    /// A scalar's text with `${…}` expanded; nil (after reporting) when it is not a scalar or
    /// names an unset variable. `secret` keeps the value out of every message.
    func text(_ node: Node, at path: String) -> String? {
        guard case .scalar(let scalar) = node else {
            self.report(path, "must be a single value, got \(Self.kind(of: node))")
            return nil
        }
        if Self.isNull(node) { return nil }
        switch EnvironmentSubstitution.expand(scalar.string, environment: self.environment) {
        case .success(let expanded):
            return expanded
        case .failure(.unsetVariable(let name)):
            self.report(
                path,
                "environment variable \(name) is not set (set it, or write ${\(name):-default} for a default)"
            )
            return nil
        case .failure(.malformed(let problem)):
            self.report(path, problem)
            return nil
        }
    }

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar = node else { return false }
        return node.null != nil
    }

    static func kind(of node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar: return "a single value"
        case .alias: return "an alias"
        }
    }

    static func join(_ path: String, _ key: String) -> String {
        let part = key.contains(".") || key.contains(" ") || key.isEmpty ? "[\"\(key)\"]" : key
        if path.isEmpty { return part }
        return part.hasPrefix("[") ? path + part : "\(path).\(part)"
    }

    static func unknownKeyProblem(_ key: String, known: Set<String>) -> String {
        let closest = known.min { editDistance(key, $0) < editDistance(key, $1) }
        if let closest, editDistance(key, closest) <= max(2, key.count / 4) {
            return "unknown key (did you mean \"\(closest)\"?)"
        }
        return "unknown key (expected one of \(known.sorted().joined(separator: ", ")))"
    }

    private static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// One mapping of the configuration, read key by key with typed accessors that report problems
/// under the key's full path and fall back to the default so that checking can carry on.
struct ConfigTable {
    let reader: ConfigReader
    let path: String
    let pairs: [(key: String, value: Node)]

    func path(_ key: String) -> String { ConfigReader.join(self.path, key) }

    /// The raw node for `key`, nil when absent or null.
    func node(_ key: String) -> Node? {
        guard let node = self.pairs.first(where: { $0.key == key })?.value, !ConfigReader.isNull(node) else {
            return nil
        }
        return node
    }

    func contains(_ key: String) -> Bool { self.node(key) != nil }

    func table(_ key: String, keys: Set<String>?) -> ConfigTable? {
        self.reader.table(self.node(key), at: self.path(key), keys: keys)
    }

    func list(_ key: String) -> [(path: String, node: Node)]? {
        self.reader.list(self.node(key), at: self.path(key))
    }

    /// The expanded text, nil when absent, null or broken. An empty expansion counts as a value.
    func string(_ key: String) -> String? {
        guard let node = self.node(key) else { return nil }
        return self.reader.text(node, at: self.path(key))
    }

    /// A required, non-empty string.
    func requiredString(_ key: String, what: String = "a value") -> String? {
        guard let node = self.node(key) else {
            self.reader.report(self.path(key), "is required (\(what))")
            return nil
        }
        guard let value = self.reader.text(node, at: self.path(key)) else { return nil }
        if value.isEmpty {
            self.reader.report(self.path(key), "must not be empty (\(what))")
            return nil
        }
        return value
    }

    /// A secret, refused when it is too weak to be one (``Secret/checkKeyMaterial(_:text:)``).
    /// `decodedLater`: the text is an encoding whose reader checks the decoded key instead.
    func secret(_ key: String, required: Bool, decodedLater: Bool = false) -> Secret? {
        guard let node = self.node(key) else {
            if required { self.reader.report(self.path(key), "is required") }
            return nil
        }
        guard let value = self.reader.text(node, at: self.path(key)) else { return nil }
        let secret = Secret(value)
        // Fail closed: an empty or trivial secret would make signatures "valid" for anyone.
        // Checked after `${VAR}` substitution; decoded forms are checked again by their reader.
        do {
            // Blank or padded text is named before decoding; the length counts once decoded.
            try Secret.checkKeyMaterial(secret.bytes, minimumBytes: decodedLater ? 1 : Secret.minimumKeyBytes)
        } catch {
            self.reader.report(self.path(key), error.problem)
            return nil
        }
        return secret
    }

    /// An integer in `range`; an absent key or an empty expansion gives `defaultValue`.
    func int(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) -> Int {
        guard let node = self.node(key), let text = self.reader.text(node, at: self.path(key)),
            !text.isEmpty
        else { return defaultValue }
        guard let value = Int(text.replacingUnderscores()) else {
            self.reader.report(self.path(key), "must be a whole number, got \"\(text)\"")
            return defaultValue
        }
        guard range.contains(value) else {
            self.reader.report(self.path(key), "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
            return defaultValue
        }
        return value
    }

    /// A number in `range` (seconds and the like); an absent key gives `defaultValue`.
    func double(_ key: String, default defaultValue: Double, in range: ClosedRange<Double>) -> Double {
        guard let node = self.node(key), let text = self.reader.text(node, at: self.path(key)),
            !text.isEmpty
        else { return defaultValue }
        guard let value = Double(text.replacingUnderscores()), value.isFinite else {
            self.reader.report(self.path(key), "must be a number, got \"\(text)\"")
            return defaultValue
        }
        guard range.contains(value) else {
            self.reader.report(
                self.path(key),
                "must be between \(range.lowerBound.compact) and \(range.upperBound.compact), got \(value.compact)"
            )
            return defaultValue
        }
        return value
    }

    func bool(_ key: String, default defaultValue: Bool) -> Bool {
        guard let node = self.node(key), let text = self.reader.text(node, at: self.path(key)),
            !text.isEmpty
        else { return defaultValue }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default:
            self.reader.report(self.path(key), "must be true or false, got \"\(text)\"")
            return defaultValue
        }
    }

    /// One of a fixed set of words (an enum's raw values).
    func choice<T: RawRepresentable & CaseIterable>(_ key: String, default defaultValue: T, what: String) -> T
    where T.RawValue == String {
        guard let node = self.node(key), let text = self.reader.text(node, at: self.path(key)),
            !text.isEmpty
        else { return defaultValue }
        guard let value = T(rawValue: text) else {
            let expected = T.allCases.map(\.rawValue).joined(separator: ", ")
            self.reader.report(self.path(key), "unknown \(what) \"\(text)\" (expected one of \(expected))")
            return defaultValue
        }
        return value
    }

    func listen(_ key: String, default defaultValue: ListenAddress) -> ListenAddress {
        guard let text = self.string(key), !text.isEmpty else { return defaultValue }
        guard let address = ListenAddress(parsing: text) else {
            self.reader.report(self.path(key), "must be host:port such as 0.0.0.0:8080 or [::]:8080, got \"\(text)\"")
            return defaultValue
        }
        return address
    }

    /// A list of non-empty strings (a single value is accepted as a list of one).
    func strings(_ key: String) -> [String]? {
        guard let node = self.node(key) else { return nil }
        if case .scalar = node {
            return self.reader.text(node, at: self.path(key)).map { [$0] }
        }
        guard let items = self.reader.list(node, at: self.path(key)) else { return nil }
        return items.compactMap { self.reader.text($0.node, at: $0.path) }
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        self.contains("_") ? self.filter { $0 != "_" } : self
    }
}

extension Double {
    /// `1` rather than `1.0` in messages.
    var compact: String {
        self == self.rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self)
    }
}
