// intake-receiver: verifies webhooks, records them durably, answers 202 (SPEC §6).
//
//   intake-receiver [--config PATH]     (else INTAKE_CONFIG, else ./intake.yaml)

import Foundation
import IntakeCore
import IntakeReceiver
import IntakeSchema

if CommandLine.arguments.contains("--help") || CommandLine.arguments.contains("-h") {
    print("usage: intake-receiver [--config PATH]   (else INTAKE_CONFIG, else ./intake.yaml)\n       intake-receiver --version")
    exit(0)
}

let boot = ProcessBootstrap.start(.receiver, knownHandlers: BuiltinHandlerNames.all)
await boot.requireSchema(IntakeMigrations.migrator())

let receiver: Receiver
do {
    receiver = try Receiver(configuration: boot.configuration, database: boot.postgresConfiguration, logger: boot.logger)
} catch {
    FileHandle.standardError.write(Data("intake-receiver: invalid configuration: \(error)\n".utf8))
    exit(2)
}
boot.logger.info(
    "intake-receiver starting",
    metadata: [
        "listen": "\(boot.configuration.receiver.listen)",
        "sources": "\(boot.configuration.sources.keys.sorted().joined(separator: ","))",
    ])
await boot.run([receiver])
