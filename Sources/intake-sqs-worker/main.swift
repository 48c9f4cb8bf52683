import Foundation
import IntakeAWS
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeRuntime
import IntakeSchema

// intake-sqs-worker: long-polls the queue of S3 event notifications and routes each created
// object to its handler (SPEC §4, "SQS").
let boot = ProcessBootstrap.start(.sqsWorker, knownHandlers: BuiltinHandlers.names)
ImportSettings.requireValidEnvironment(program: "intake-sqs-worker", logger: boot.logger)
await boot.requireSchema(IntakeMigrations.migrator())

let configuration = boot.configuration
guard let settings = SQSConsumerSettings(configuration: configuration) else {
    boot.logger.critical("the configuration has no sqs: section")
    exit(2)
}
// The consumer and the handlers share one set of clients (one HTTP client, its threads and
// connections).
let services = HandlerServices.forWorker(configuration: configuration, logger: boot.logger)
guard let sqs = services.sqs else {
    // Built again only to say why: choosing a credential source reads configuration, no network.
    var reason = "unknown"
    do { _ = try AWSConfiguration(settings: configuration.aws) } catch { reason = "\(error)" }
    let problem =
        "no SQS client: \(reason) (credential sources and their order: docs/DEPLOYMENT.md, \"AWS credentials\"; check with intakectl aws whoami)"
    boot.logger.critical("\(problem)")
    FileHandle.standardError.write(Data("intake-sqs-worker: \(problem)\n".utf8))
    exit(2)
}

let pool = PostgresPool(configuration: boot.postgresConfiguration, size: settings.concurrency + 3, logger: boot.logger)
let consumer = SQSConsumer(
    settings: settings, sqs: sqs, registry: BuiltinHandlers.registry(services: services), policies: boot.retryPolicies,
    routes: configuration.routes, pool: pool, workerID: boot.workerID, logger: boot.logger, metrics: SQSMetrics())
let queueCheck: @Sendable () async throws -> Void = {
    _ = try await sqs.getQueueAttributes(queueURL: settings.queueURL, names: ["QueueArn"])
}
boot.logger.info(
    "SQS worker starting",
    metadata: [
        "sqs.queue_url": "\(settings.queueURL)", "concurrency": "\(settings.concurrency)",
        "routes": "\(configuration.routes.count)",
    ])
// Health first: services stop in reverse order, so probes answer while the consumer drains.
await boot.run([boot.healthServer(pool: pool, extraChecks: [(name: "sqs", check: queueCheck)]), consumer])
