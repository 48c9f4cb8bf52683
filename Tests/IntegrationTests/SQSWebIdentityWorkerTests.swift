import Foundation
import IntakeAWS
import IntakeHandlers
import IntakeSchema
import IntakeTestSupport
import Testing

/// The IRSA path of infra/k8s as documented in docs/DEPLOYMENT.md: a pod with no static keys,
/// only the variables EKS injects for a service account's role.
@Suite(
    "SQS worker with web identity only", .serialized,
    .enabled(if: SQSTestEnvironment.available, SQSTestEnvironment.skipReason))
struct SQSWebIdentityWorkerTests {
    @Test func theWorkerDrainsAQueueWithOnlyTheWebIdentityVariables() async throws {
        let aws = try SQSTestEnvironment.clients()
        let scratch = try CredentialScratch()
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { database in
            let queue = try await SQSTestEnvironment.makeQueue(aws, visibilitySeconds: 30)
            let entries = (0..<6).map {
                SQSSendEntry(
                    id: "m\($0)", body: SQSTestEnvironment.nativeEvent(bucket: "b", key: "irsa/sleep-1/\($0).csv"))
            }
            #expect(try await aws.sqs.sendMessageBatch(queueURL: queue, entries: entries).successful.count == 6)
            // Empty counts as unset: the worker sees no static keys at all.
            var environment = try scratch.webIdentity(sessionName: "intake-sqs-worker")
            for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"] {
                environment[name] = ""
            }
            environment["HOME"] = scratch.directory.path
            environment["AWS_EC2_METADATA_DISABLED"] = "true"
            environment["INTAKE_LOG_LEVEL"] = "info"  // the chosen source is logged at info
            let worker = try WorkerProcess(
                "intake-sqs-worker",
                config: SQSWorkerProcessTests.config(database: database, queue: queue, visibility: 30, concurrency: 2),
                environment: environment)
            let drained = try await eventually(timeout: .seconds(30)) {
                try await SQSTestEnvironment.depth(aws, queue) == (0, 0) || !worker.isRunning
            }
            #expect(drained && worker.isRunning, "log: \(worker.log.suffix(2000))")
            #expect(try await SQSTestEnvironment.depth(aws, queue) == (0, 0))
            #expect(worker.log.contains("web-identity"), "log: \(worker.log.suffix(2000))")
            let db = try await TestDatabase.connect(database: database)
            #expect(try await SQSTestEnvironment.count(db, "SELECT count(*) FROM intake.dead_letters") == 0)
            #expect(try await SQSTestEnvironment.count(db, "SELECT count(*) FROM intake.sqs_failures") == 0)
            await db.close()
            worker.signal(SIGTERM)
            #expect(await worker.waitForExit(timeout: .seconds(15)) == 0)
        }
    }
}
