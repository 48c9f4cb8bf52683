/// What a module sync did — stored as the delivery's `result` and returned by
/// `GET /deliveries/{id}`. Encodes with the snake_case keys of SPEC §5.
public struct DrupalSyncResult: Sendable, Equatable, Codable {
    public var processedCount: Int
    public var newModules: Int
    public var updatedModules: Int
    public var removedModules: Int
    public var securityUpdatesFound: Int
    public var warnings: [String]
    /// Validation problems as `path: message`; empty when the sync was applied.
    public var errors: [String]
    public var processingTimeMS: Int

    public init(
        processedCount: Int = 0, newModules: Int = 0, updatedModules: Int = 0, removedModules: Int = 0,
        securityUpdatesFound: Int = 0, warnings: [String] = [], errors: [String] = [],
        processingTimeMS: Int = 0
    ) {
        self.processedCount = processedCount
        self.newModules = newModules
        self.updatedModules = updatedModules
        self.removedModules = removedModules
        self.securityUpdatesFound = securityUpdatesFound
        self.warnings = warnings
        self.errors = errors
        self.processingTimeMS = processingTimeMS
    }

    /// The result of a request that failed validation: nothing processed, every problem listed.
    public static func rejected(_ problems: [ValidationProblem], processingTimeMS: Int) -> DrupalSyncResult {
        DrupalSyncResult(errors: problems.map(\.description), processingTimeMS: processingTimeMS)
    }

    enum CodingKeys: String, CodingKey {
        case processedCount = "processed_count"
        case newModules = "new_modules"
        case updatedModules = "updated_modules"
        case removedModules = "removed_modules"
        case securityUpdatesFound = "security_updates_found"
        case warnings
        case errors
        case processingTimeMS = "processing_time_ms"
    }
}
