import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeRuntime
import IntakeSchema

// intake-inbox-worker: works the webhook inbox (intake.deliveries) through each source's handler.
let boot = ProcessBootstrap.start(.inboxWorker, knownHandlers: BuiltinHandlers.names)
await boot.requireSchema(IntakeMigrations.migrator())

let workers = boot.configuration.workers
let sources = boot.configuration.sources
let doorbell = Doorbell()
let pool = PostgresPool(configuration: boot.postgresConfiguration, size: workers.concurrency + 3, logger: boot.logger)
let consumer = TableConsumer(
    table: .deliveries, settings: boot.consumerSettings(idleWait: workers.pollInterval),
    registry: BuiltinHandlers.registry(services: .forWorker(configuration: boot.configuration, logger: boot.logger)),
    policies: boot.retryPolicies, pool: pool, workerID: boot.workerID,
    doorbell: doorbell, logger: boot.logger, observer: MetricsObserver(), route: { sources[$0]?.handler })
// The receiver's inserts notify `intake_deliveries`: an idle worker need not wait out its poll.
let listener = NotifyListener(
    configuration: boot.postgresConfiguration, channel: "intake_deliveries", doorbell: doorbell, logger: boot.logger)
boot.logger.info("inbox worker starting", metadata: ["concurrency": "\(workers.concurrency)", "batch": "\(workers.batch)"])
// Health first: services stop in reverse order, so probes answer while the consumer drains.
await boot.run([boot.healthServer(pool: pool), consumer, listener])
