import Foundation
import IntakePostgres
import IntakeSupport
import Logging

/// Start-up shared by every long-running process: logging, configuration, identity, schema.
public struct ProcessBootstrap: Sendable {
    public let process: IntakeProcess
    public let configuration: IntakeConfiguration
    public let logger: Logger
    /// `host:pid:random`, stored in `locked_by` and in error histories.
    public let workerID: String

    /// Loads and validates the configuration for `process`. A bad configuration prints every
    /// problem with its key and exits with status 2: a pod in CrashLoopBackOff with a clear
    /// message beats one that runs misconfigured.
    public static func start(_ process: IntakeProcess, knownHandlers: Set<String>? = nil) -> ProcessBootstrap {
        IntakeBuild.answerVersionFlag(program: process.rawValue)
        IntakeLogging.bootstrap()
        var logger = Logger(label: process.rawValue)
        let path = IntakeConfiguration.path()
        let configuration: IntakeConfiguration
        do {
            configuration = try IntakeConfiguration.load(path: path, for: process, knownHandlers: knownHandlers)
        } catch {
            FileHandle.standardError.write(Data("\(process.rawValue): \(error)\n".utf8))
            exit(2)
        }
        let host = ProcessInfo.processInfo.hostName
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let workerID = "\(host):\(getpid()):\(suffix)"
        logger[metadataKey: "worker"] = "\(workerID)"
        return ProcessBootstrap(process: process, configuration: configuration, logger: logger, workerID: workerID)
    }

    public var postgresConfiguration: PostgresConfiguration {
        var settings = PostgresConfiguration.fromEnvironment(applicationName: process.rawValue)
        let url = configuration.database.url.value
        if !url.isEmpty { settings.conninfo = url }
        settings.queryTimeout = .seconds(configuration.database.statementTimeoutSeconds)
        return settings
    }

    /// Where this process serves `/healthz`, `/readyz` and `/metrics`.
    public var adminListen: ListenAddress {
        process == .receiver ? configuration.receiver.adminListen : configuration.workers.metricsListen
    }

    /// Waits until PostgreSQL answers (retrying with backoff: pods may start before the
    /// database), then exits with status 1 if the schema is older than this build needs.
    /// Connection settings that can never work (malformed URL, wrong password, unknown role or
    /// database) exit with status 2 at once, like any other configuration mistake.
    ///
    /// While it waits, the admin address already answers: `/healthz` 200 (alive) and `/readyz`
    /// 503 naming what it waits for, so that a database outage during a rollout leaves pods
    /// unready instead of restarted by their liveness probe. That listener closes before this
    /// returns; the process's own health server takes the address over.
    public func requireSchema(_ migrator: Migrator) async {
        // Quiet: "HTTP server listening" is what operators and tests read as "started".
        var quiet = logger
        quiet.logLevel = .warning
        let waiting = HealthServer(listen: adminListen, logger: quiet) {
            ReadinessReport(checks: [
                ReadinessReport.Check(name: "database", ok: false, detail: "waiting for PostgreSQL and the schema at start-up")
            ])
        }
        let probes = Task { try await waiting.run() }
        // Returns only once the schema is current; every other way out ends the process.
        await waitForSchema(migrator)
        waiting.shutdown()
        // The address must be free again before the real health server binds it.
        _ = try? await probes.value
    }

    private func waitForSchema(_ migrator: Migrator) async {
        var failures = 0
        while true {
            do {
                let connection = try await PostgresConnection.connect(configuration: postgresConfiguration, logger: logger)
                defer { Task { await connection.close() } }
                try await migrator.requireCurrent(on: connection)
                return
            } catch let error as SchemaTooOld {
                logger.critical("\(error.description)")
                FileHandle.standardError.write(Data("\(process.rawValue): \(error.description)\n".utf8))
                exit(1)
            } catch let error as PostgresError where error.isConfigurationError {
                let message = "cannot use database.url (\(configuration.database.redactedURL)): \(error.description)"
                logger.critical("\(message)")
                FileHandle.standardError.write(Data("\(process.rawValue): \(message)\n".utf8))
                exit(2)
            } catch {
                failures += 1
                let wait = RetryPolicy.backoff(base: .milliseconds(500), cap: .seconds(10)).delay(afterAttempt: failures)
                logger.warning(
                    "database not reachable at start-up; retrying",
                    metadata: ["error": "\(error)", "backoff_ms": "\(wait.milliseconds)"])
                try? await Task.sleep(for: wait)
            }
        }
    }

    public var retryPolicies: RetryPolicies { configuration.retry }

    /// Consumer pacing from `workers`; `idleWait` differs by source (poll interval or sweep).
    public func consumerSettings(idleWait: Duration) -> ConsumerSettings {
        let workers = configuration.workers
        return ConsumerSettings(
            concurrency: workers.concurrency, batch: workers.batch, leaseSeconds: Double(workers.leaseSeconds),
            idleWait: idleWait, sweepInterval: workers.sweepInterval)
    }
}
