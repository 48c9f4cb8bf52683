/// One thing wrong with a request, named by its JSON path (`modules[3].version`, `sync_type`;
/// `$` is the document itself) so the sender can find and fix it.
public struct ValidationProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `modules[3].version: "8.x-1.x-foo" is not a Drupal version …` — the form stored in a
    /// sync result's `errors`.
    public var description: String { "\(path): \(message)" }
}
