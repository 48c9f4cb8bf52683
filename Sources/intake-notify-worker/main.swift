import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeRuntime
import IntakeSchema

// intake-notify-worker: LISTEN intake_jobs, claim due jobs on every notification, sweep for the rest.
let boot = ProcessBootstrap.start(.notifyWorker, knownHandlers: BuiltinHandlers.names)
ImportSettings.requireValidEnvironment(program: "intake-notify-worker", logger: boot.logger)
await boot.requireSchema(IntakeMigrations.migrator())

let workers = boot.configuration.workers
let doorbell = Doorbell()
let pool = PostgresPool(configuration: boot.postgresConfiguration, size: workers.concurrency + 3, logger: boot.logger)
let registry = BuiltinHandlers.registry(services: .forWorker(configuration: boot.configuration, logger: boot.logger))
// A job's kind names its handler. Idle lanes sleep until a notification or the sweep interval:
// the sweep finds jobs whose notification was missed and retries that have come due.
let consumer = TableConsumer(
    table: .jobs, settings: boot.consumerSettings(idleWait: workers.sweepInterval), registry: registry,
    policies: boot.retryPolicies, pool: pool, workerID: boot.workerID, doorbell: doorbell, logger: boot.logger,
    observer: MetricsObserver(), route: { kind in registry.handler(named: kind) == nil ? nil : kind })
let listener = NotifyListener(
    configuration: boot.postgresConfiguration, channel: "intake_jobs", doorbell: doorbell, logger: boot.logger)
boot.logger.info("notify worker starting", metadata: ["concurrency": "\(workers.concurrency)", "batch": "\(workers.batch)"])
// Health first: services stop in reverse order, so probes answer while the consumer drains.
await boot.run([boot.healthServer(pool: pool), consumer, listener])
