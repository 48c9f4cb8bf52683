/// A Drupal project version in either of drupal.org's numbering schemes:
///
/// - legacy, with a core prefix: `8.x-1.0`, `8.x-1.0-beta2`, `7.x-3.x-dev`, `8.x-dev`;
/// - semantic: `1.0.0`, `2.0.0-rc1`, `10.1.5`, `7.98` (Drupal 7 core), `3.x-dev`, `2.0.x-dev`.
///
/// A pre-release is `-alpha`, `-beta`, `-rc` or `-unstable` followed by its number (`-beta2`,
/// never a bare `-beta`). A git-derived build such as `8.x-1.2+3-dev` (three commits after
/// 1.2) is accepted and counts as a development version. Anything else is not a version.
public struct DrupalVersion: Sendable, Hashable, CustomStringConvertible {
    public enum Stage: Int, Sendable, Comparable, CaseIterable {
        case unstable, alpha, beta, rc, release

        public static func < (lhs: Stage, rhs: Stage) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The version exactly as written.
    public let text: String
    /// The Drupal core generation of a legacy version (`8` in `8.x-1.0`).
    public let coreCompatibility: Int?
    public let major: Int
    /// Nil only for a branch such as `3.x-dev` or `8.x-dev`.
    public let minor: Int?
    public let patch: Int?
    public let stage: Stage
    public let stageNumber: Int
    /// A development branch (`3.x-dev`) or a git-derived build (`8.x-1.2+3-dev`): its code is
    /// not a release, so it cannot be placed in order against one.
    public let isDevelopment: Bool

    public var description: String { text }

    /// drupal.org publishes `8.x-1.5` as `1.5.0` for Composer; comparisons use that form.
    /// Nil for development versions.
    public var orderingKey: [Int]? {
        guard !isDevelopment, let minor else { return nil }
        return [major, minor, patch ?? 0, stage.rawValue, stageNumber]
    }

    public init?(_ text: String) {
        var parser = Parser(text)
        guard let parsed = parser.parse() else { return nil }
        self = parsed
    }

    fileprivate init(
        text: String, core: Int?, major: Int, minor: Int?, patch: Int?, stage: Stage, stageNumber: Int,
        isDevelopment: Bool
    ) {
        self.text = text
        self.coreCompatibility = core
        self.major = major
        self.minor = minor
        self.patch = patch
        self.stage = stage
        self.stageNumber = stageNumber
        self.isDevelopment = isDevelopment
    }
}

private struct Parser {
    let text: String
    let bytes: [UInt8]
    var index = 0

    init(_ text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
    }

    mutating func parse() -> DrupalVersion? {
        guard bytes.count <= 50, let first = number() else { return nil }
        var core: Int?
        var major = first
        if consume(".x-") {
            // Legacy: `8.x-…`; the core-only development branch is `8.x-dev`.
            if consume("dev") {
                return atEnd ? version(core: nil, major: first, minor: nil, patch: nil, dev: true) : nil
            }
            core = first
            guard let legacyMajor = number() else { return nil }
            major = legacyMajor
        }
        if consume(".x-dev") {
            return atEnd ? version(core: core, major: major, minor: nil, patch: nil, dev: true) : nil
        }
        guard consume("."), let minor = number() else { return nil }
        var patch: Int?
        if core == nil {
            if consume(".x-dev") {
                return atEnd ? version(core: nil, major: major, minor: minor, patch: nil, dev: true) : nil
            }
            if consume(".") {
                guard let value = number() else { return nil }
                patch = value
            }
        }
        var stage = DrupalVersion.Stage.release
        var stageNumber = 0
        if consume("-") {
            guard let parsedStage = stageName(), let value = number() else { return nil }
            stage = parsedStage
            stageNumber = value
        }
        var dev = false
        if consume("+") {
            guard number() != nil, consume("-dev") else { return nil }
            dev = true
        }
        guard atEnd else { return nil }
        return DrupalVersion(
            text: text, core: core, major: major, minor: minor, patch: patch, stage: stage,
            stageNumber: stageNumber, isDevelopment: dev)
    }

    private func version(core: Int?, major: Int, minor: Int?, patch: Int?, dev: Bool) -> DrupalVersion {
        DrupalVersion(
            text: text, core: core, major: major, minor: minor, patch: patch, stage: .release,
            stageNumber: 0, isDevelopment: dev)
    }

    private var atEnd: Bool { index == bytes.count }

    private mutating func number() -> Int? {
        var value = 0
        let start = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            guard index - start < 9 else { return nil }
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        return index > start ? value : nil
    }

    private mutating func consume(_ literal: String) -> Bool {
        let literalBytes = Array(literal.utf8)
        guard index + literalBytes.count <= bytes.count,
            bytes[index..<(index + literalBytes.count)].elementsEqual(literalBytes)
        else { return false }
        index += literalBytes.count
        return true
    }

    private mutating func stageName() -> DrupalVersion.Stage? {
        if consume("alpha") { return .alpha }
        if consume("beta") { return .beta }
        if consume("rc") { return .rc }
        if consume("unstable") { return .unstable }
        return nil
    }
}

extension DrupalVersion {
    /// How two versions relate, or nil when they cannot be ordered (either is a development
    /// version, or they belong to different core generations, e.g. `7.x-1.3` and `8.x-1.5`).
    public func compare(to other: DrupalVersion) -> ComparisonResult? {
        if let core = coreCompatibility, let otherCore = other.coreCompatibility, core != otherCore {
            return nil
        }
        guard let key = orderingKey, let otherKey = other.orderingKey else { return nil }
        if key == otherKey { return .same }
        return key.lexicographicallyPrecedes(otherKey) ? .older : .newer
    }

    public enum ComparisonResult: Sendable, Equatable {
        case older, same, newer
    }
}
