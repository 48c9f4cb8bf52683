/// Which versions of a module a security advisory affects — the `affected_versions` column of
/// `ingest.drupal_advisories`. A small subset of Composer's syntax, which is how drupal.org
/// publishes advisories:
///
/// - `8.x-1.4` or `= 1.4.0` — exactly that version;
/// - `< 1.5.0`, `<= 8.x-1.4`, `> 2.0.0`, `>= 2.0.0` — compared in release order;
/// - several comparators separated by spaces (or a comma) must all hold: `>= 2.0.0 < 2.0.3`;
/// - alternatives are separated by `||`: `< 8.x-1.5 || >= 2.0.0 < 2.0.3`;
/// - `*` — every version.
///
/// Legacy and semantic forms compare as drupal.org maps them (`8.x-1.5` is `1.5.0`); a legacy
/// bound only applies to versions of its own core generation. A development version
/// (`8.x-1.x-dev`) only matches an exact constraint naming it; against a range it cannot be
/// placed, and `matches` answers nil so the caller can warn.
public struct DrupalVersionConstraint: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, Hashable {
        case equal = "=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    }

    public struct Comparator: Sendable, Hashable {
        public var op: Operator
        public var version: DrupalVersion
    }

    /// Any alternative whose comparators all hold makes a version affected. An alternative with no
    /// comparators is `*`.
    public let alternatives: [[Comparator]]
    public let text: String

    public var description: String { text }

    /// Nil when the text is not a constraint in the grammar above.
    public init?(_ text: String) {
        var alternatives: [[Comparator]] = []
        for alternativeText in text.split(separator: "||", omittingEmptySubsequences: false) {
            let tokens = Self.tokens(alternativeText)
            if tokens == ["*"] {
                alternatives.append([])
                continue
            }
            guard !tokens.isEmpty else { return nil }
            var comparators: [Comparator] = []
            for token in tokens {
                guard let comparator = Self.comparator(token) else { return nil }
                comparators.append(comparator)
            }
            alternatives.append(comparators)
        }
        self.alternatives = alternatives
        self.text = text
    }

    /// True when the version is affected, false when it is not, nil when it cannot be told
    /// (a development version against a range, or a bound from another core generation only).
    public func matches(_ version: DrupalVersion) -> Bool? {
        var undecided = false
        for alternative in alternatives {
            var allHold = true
            var alternativeUndecided = false
            for comparator in alternative {
                switch Self.holds(comparator, for: version) {
                case true?: continue
                case false?: allHold = false
                case nil: alternativeUndecided = true
                }
                if !allHold { break }
            }
            if allHold && !alternativeUndecided { return true }
            if allHold && alternativeUndecided { undecided = true }
        }
        return undecided ? nil : false
    }

    private static func holds(_ comparator: Comparator, for version: DrupalVersion) -> Bool? {
        if comparator.op == .equal, comparator.version.text == version.text { return true }
        // A legacy bound names one core generation; other generations are simply not affected.
        if let core = comparator.version.coreCompatibility, let versionCore = version.coreCompatibility,
            core != versionCore
        {
            return false
        }
        guard let order = version.compare(to: comparator.version) else {
            return comparator.op == .equal ? false : nil
        }
        switch comparator.op {
        case .equal: return order == .same
        case .less: return order == .older
        case .lessOrEqual: return order != .newer
        case .greater: return order == .newer
        case .greaterOrEqual: return order != .older
        }
    }

    /// Splits `>= 2.0.0 <2.0.3` into `[">=2.0.0", "<2.0.3"]`, joining an operator written apart
    /// from its version.
    private static func tokens(_ text: Substring) -> [String] {
        let raw = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
        var tokens: [String] = []
        var pendingOperator: String?
        for piece in raw {
            if ["<", "<=", ">", ">=", "="].contains(piece) {
                if let pendingOperator { tokens.append(pendingOperator) }
                pendingOperator = piece
            } else {
                tokens.append((pendingOperator ?? "") + piece)
                pendingOperator = nil
            }
        }
        if let pendingOperator { tokens.append(pendingOperator) }
        return tokens
    }

    private static func comparator(_ token: String) -> Comparator? {
        for op in [Operator.lessOrEqual, .greaterOrEqual, .less, .greater, .equal]
        where token.hasPrefix(op.rawValue) {
            guard let version = DrupalVersion(String(token.dropFirst(op.rawValue.count))) else { return nil }
            return Comparator(op: op, version: version)
        }
        guard let version = DrupalVersion(token) else { return nil }
        return Comparator(op: .equal, version: version)
    }
}
