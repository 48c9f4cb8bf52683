/// A shell-like pattern for S3 bucket names and object keys.
///
/// `*` matches any run of characters, `/` included (so `claims/*.csv` matches
/// `claims/2024/01/a.csv`), `?` matches exactly one character and `\` makes the next character
/// literal. Everything else matches itself, case-sensitively.
public struct GlobPattern: Sendable, Hashable, CustomStringConvertible {
    private enum Token: Hashable {
        case literal(Unicode.Scalar)
        case anyOne
        case anyRun
    }

    public let pattern: String
    private let tokens: [Token]

    public init(_ pattern: String) {
        self.pattern = pattern
        var tokens: [Token] = []
        var escaped = false
        for scalar in pattern.unicodeScalars {
            if escaped {
                tokens.append(.literal(scalar))
                escaped = false
                continue
            }
            switch scalar {
            case "\\": escaped = true
            case "*": if tokens.last != .anyRun { tokens.append(.anyRun) }
            case "?": tokens.append(.anyOne)
            default: tokens.append(.literal(scalar))
            }
        }
        if escaped { tokens.append(.literal("\\")) }
        self.tokens = tokens
    }

    public var description: String { self.pattern }

    /// Whether the whole of `text` matches (not a substring of it).
    public func matches(_ text: String) -> Bool {
        let input = Array(text.unicodeScalars)
        // Greedy with a single backtrack point: linear for patterns with one `*`, and never
        // exponential, since a later `*` makes earlier choices irrelevant.
        var inputIndex = 0
        var tokenIndex = 0
        var starToken: Int? = nil
        var starInput = 0
        while inputIndex < input.count {
            if tokenIndex < self.tokens.count {
                switch self.tokens[tokenIndex] {
                case .anyRun:
                    starToken = tokenIndex
                    starInput = inputIndex
                    tokenIndex += 1
                    continue
                case .anyOne:
                    inputIndex += 1
                    tokenIndex += 1
                    continue
                case .literal(let scalar) where scalar == input[inputIndex]:
                    inputIndex += 1
                    tokenIndex += 1
                    continue
                case .literal:
                    break
                }
            }
            guard let star = starToken else { return false }
            starInput += 1
            inputIndex = starInput
            tokenIndex = star + 1
        }
        while tokenIndex < self.tokens.count, self.tokens[tokenIndex] == .anyRun {
            tokenIndex += 1
        }
        return tokenIndex == self.tokens.count
    }
}
