import Foundation
import IntakeCore
import IntakeRuntime

/// An S3 import strategy: a handler for messages carrying an `S3ObjectTask`, which the
/// `s3.reprocess` job can also run directly with a reprocess tag of its own.
public protocol S3ImportHandler: Handler {
    /// Imports `task`; `reprocessTag` (the reprocess job's id) gives the import its own job
    /// row, so a completed object is imported afresh.
    func runImport(_ task: S3ObjectTask, reprocessTag: String?, context: HandlerContext) async throws -> HandlerOutcome
}

extension S3ImportHandler {
    public var transactionMode: TransactionMode { .own }

    public func handle(_ message: Message, context: HandlerContext) async throws -> HandlerOutcome {
        try await runImport(try S3ObjectTask(message: message), reprocessTag: nil, context: context)
    }
}

/// `csv.pharmacy_claims` and `csv.audit_records` (SPEC §5).
public struct CSVImportHandler: S3ImportHandler {
    public let format: CSVImportFormat
    let runner: S3ImportRunner

    public init(format: CSVImportFormat, services: HandlerServices?, settings: ImportSettings = .fromEnvironment()) {
        self.format = format
        runner = S3ImportRunner(plan: .csv(format), services: services, settings: settings)
    }

    public static func pharmacyClaims(services: HandlerServices?, settings: ImportSettings = .fromEnvironment()) -> Self {
        CSVImportHandler(format: .pharmacyClaims, services: services, settings: settings)
    }

    public static func auditRecords(services: HandlerServices?, settings: ImportSettings = .fromEnvironment()) -> Self {
        CSVImportHandler(format: .auditRecords, services: services, settings: settings)
    }

    public var name: String { format.handlerName }

    public func runImport(_ task: S3ObjectTask, reprocessTag: String?, context: HandlerContext) async throws -> HandlerOutcome {
        try await runner.run(task, reprocessTag: reprocessTag, context: context)
    }
}

/// `ndjson.commerce` (SPEC §5): the entity comes from the file name.
public struct CommerceImportHandler: S3ImportHandler {
    public static let handlerName = "ndjson.commerce"
    let services: HandlerServices?
    let settings: ImportSettings

    public init(services: HandlerServices?, settings: ImportSettings = .fromEnvironment()) {
        self.services = services
        self.settings = settings
    }

    public var name: String { Self.handlerName }

    public func runImport(_ task: S3ObjectTask, reprocessTag: String?, context: HandlerContext) async throws -> HandlerOutcome {
        guard let entity = CommerceEntity(objectKey: task.key) else {
            return .permanentFailure(
                reason: "\(task.key) is not a commerce file: expected customers_*.ndjson, products_*.ndjson, "
                    + "orders_*.ndjson or order_items_*.ndjson")
        }
        let runner = S3ImportRunner(plan: .commerce(entity), services: services, settings: settings)
        return try await runner.run(task, reprocessTag: reprocessTag, context: context)
    }
}
