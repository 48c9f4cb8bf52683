import Foundation
import IntakeCore
import IntakeRuntime

/// `s3.reprocess` (`{bucket, key}`): runs an S3 import without SQS, through the handler the
/// first matching route names — what `intakectl reprocess s3://bucket/key` enqueues.
///
/// A reprocess always imports afresh: its job row is `s3://bucket/key#version@reprocess:JOB`
/// (JOB being this notify job's id), apart from the row of the original import. A retry of the
/// same reprocess job (the worker died, the lease expired) finds that row and resumes it.
public struct S3ReprocessHandler: Handler {
    public static let kind = "s3.reprocess"

    struct Payload: Decodable {
        var bucket: String
        var key: String
    }

    let routes: [RouteSettings]
    let imports: [String: any S3ImportHandler]

    public init(routes: [RouteSettings], imports: [any S3ImportHandler]) {
        self.routes = routes
        self.imports = Dictionary(imports.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public init(services: HandlerServices?) {
        self.init(routes: services?.configuration.routes ?? [], imports: BuiltinHandlers.imports(services: services))
    }

    public var name: String { Self.kind }
    public var transactionMode: TransactionMode { .own }

    public func handle(_ message: Message, context: HandlerContext) async throws -> HandlerOutcome {
        let payload: Payload
        do {
            payload = try JSONDecoder().decode(Payload.self, from: Data(message.body))
        } catch {
            return .permanentFailure(reason: "s3.reprocess needs {\"bucket\": …, \"key\": …}: \(error)")
        }
        guard let route = routes.firstMatch(bucket: payload.bucket, key: payload.key) else {
            return .permanentFailure(reason: "no route matches s3://\(payload.bucket)/\(payload.key) (check routes:)")
        }
        guard let handler = imports[route.handler] else {
            return .permanentFailure(reason: "route handler \(route.handler) is not an S3 import strategy")
        }
        var logger = context.logger
        logger[metadataKey: "reprocess.handler"] = "\(route.handler)"
        logger.info("reprocessing s3://\(payload.bucket)/\(payload.key)")
        var handlerContext = context
        handlerContext.logger = logger
        let task = S3ObjectTask(bucket: payload.bucket, key: payload.key, archivePrefix: route.archivePrefix)
        return try await handler.runImport(task, reprocessTag: message.id, context: handlerContext)
    }
}
