// intake-receiver: verifies webhooks, records them durably, answers 202 (SPEC §6).
//
//   intake-receiver [--config PATH]     (else INTAKE_CONFIG, else ./intake.yaml)

import Foundation
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeReceiver
import Logging
import ServiceLifecycle

IntakeLogging.bootstrap()
let logger = Logger(label: "intake.receiver")

func fail(_ message: String, code: Int32 = 1) -> Never {
    logger.critical("\(message)")
    FileHandle.standardError.write(Data("intake-receiver: \(message)\n".utf8))
    exit(code)
}

if CommandLine.arguments.contains("--help") || CommandLine.arguments.contains("-h") {
    print("usage: intake-receiver [--config PATH]   (else INTAKE_CONFIG, else ./intake.yaml)")
    exit(0)
}

let path = IntakeConfiguration.path()
let configuration: IntakeConfiguration
do {
    configuration = try IntakeConfiguration.load(path: path, for: .receiver)
} catch {
    fail("invalid configuration: \(error)", code: 2)
}

let database = PostgresConfiguration(
    conninfo: configuration.database.url.value, applicationName: "intake-receiver", connectTimeoutSeconds: 5)

/// Waits for PostgreSQL (a pod may start before its database), then refuses an old schema.
func checkSchema() async {
    var attempt = 0
    while true {
        do {
            let connection = try await PostgresConnection.connect(configuration: database, logger: logger)
            do {
                try await IntakeMigrations.migrator().requireCurrent(on: connection)
                await connection.close()
                return
            } catch {
                await connection.close()
                throw error
            }
        } catch let tooOld as SchemaTooOld {
            fail("\(tooOld)", code: 3)
        } catch let error as PostgresError where error.isRetryable && attempt < 30 {
            attempt += 1
            logger.warning(
                "cannot reach PostgreSQL yet; retrying",
                metadata: ["database": "\(configuration.database.redactedURL)", "error": "\(error)", "attempt": "\(attempt)"])
            try? await Task.sleep(for: .seconds(min(attempt, 5)))
        } catch {
            fail("cannot check the database schema at \(configuration.database.redactedURL): \(error)")
        }
    }
}

await checkSchema()

let receiver: Receiver
do {
    receiver = try Receiver(configuration: configuration, database: database, logger: logger)
} catch {
    fail("invalid configuration: \(error)", code: 2)
}

let group = ServiceGroup(
    configuration: ServiceGroupConfiguration(
        services: [.init(service: receiver)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
do {
    logger.info(
        "intake-receiver starting",
        metadata: [
            "config": "\(path)", "listen": "\(configuration.receiver.listen)",
            "sources": "\(configuration.sources.keys.sorted().joined(separator: ","))",
        ])
    try await group.run()
    exit(0)
} catch {
    fail("stopped: \(error)")
}
