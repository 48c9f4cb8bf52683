import Foundation
import IntakeAWS
import IntakeCore
import IntakeHandlers
import IntakePostgres

// intake-sqs-worker: long-polls the queue of S3 event notifications and routes each created
// object to its handler (SPEC §4, "SQS").
let boot = ProcessBootstrap.start(.sqsWorker, knownHandlers: BuiltinHandlers.names)
await boot.requireSchema(IntakeMigrations.migrator())

let configuration = boot.configuration
guard let settings = SQSConsumerSettings(configuration: configuration) else {
    boot.logger.critical("the configuration has no sqs: section")
    exit(2)
}
let aws: AWSClients
do {
    aws = try AWSClients.shared(for: configuration.aws)
} catch {
    boot.logger.critical("cannot set up the AWS clients", metadata: ["error": "\(error)"])
    FileHandle.standardError.write(Data("intake-sqs-worker: \(error)\n".utf8))
    exit(2)
}

let pool = PostgresPool(
    configuration: boot.postgresConfiguration, size: settings.concurrency + 3, logger: boot.logger)
let metrics = SQSMetrics()
let consumer = SQSConsumer(
    settings: settings, sqs: aws.sqs, registry: BuiltinHandlers.registry(configuration: configuration),
    policies: boot.retryPolicies, routes: configuration.routes, pool: pool, workerID: boot.workerID,
    logger: boot.logger, metrics: metrics)
let health = HealthServer(listen: configuration.workers.metricsListen, logger: boot.logger) {
    await ReadinessReport.gather([
        ("database", { _ = try await pool.query("SELECT 1") }),
        ("sqs", { _ = try await aws.sqs.getQueueAttributes(queueURL: settings.queueURL, names: ["QueueArn"]) }),
    ])
}
boot.logger.info(
    "SQS worker starting",
    metadata: [
        "sqs.queue_url": "\(settings.queueURL)", "concurrency": "\(settings.concurrency)",
        "routes": "\(configuration.routes.count)", "metrics.listen": "\(configuration.workers.metricsListen)",
    ])
// The health server first: services stop in reverse order, so probes answer while the
// consumer drains.
await boot.run([health, consumer])
