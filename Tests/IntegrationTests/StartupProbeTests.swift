import Foundation
import IntakeTestSupport
import Testing

/// A process waiting for PostgreSQL at start-up is alive but not ready: a rollout during a
/// database outage leaves pods unready instead of restarted by their liveness probe.
@Suite("Probes while waiting for PostgreSQL at start-up", .enabled(if: TestDatabase.available, TestDatabase.skipReason))
struct StartupProbeTests {
    @Test(arguments: ["intake-notify-worker", "intake-receiver"])
    func healthzAnswersWhileTheDatabaseIsDown(executable: String) async throws {
        // Nothing listens on `down`: connections are refused, which start-up waits out.
        let down = try freeLocalPort()
        let admin = try freeLocalPort()
        let config = """
            database: { url: "postgresql://postgres@127.0.0.1:\(down)/postgres" }
            receiver: { listen: "127.0.0.1:0", admin_listen: "127.0.0.1:\(admin)" }
            sources:
              hooks:
                verify: { type: bearer, token: "test-token-0123456789" }
                handler: webhook.generic
            workers: { metrics_listen: "127.0.0.1:\(admin)" }
            """
        let process = try WorkerProcess(executable, config: config)
        defer { process.signal(SIGKILL) }
        let client = TestClient(concurrency: 2)
        let alive = try await eventually(timeout: .seconds(20), every: .milliseconds(100)) {
            (try? await client.send("GET", "http://127.0.0.1:\(admin)/healthz").status) == 200
        }
        #expect(alive, "no /healthz while waiting: \(process.log.suffix(1500))")
        let ready = try await client.send("GET", "http://127.0.0.1:\(admin)/readyz")
        #expect(ready.status == 503)
        #expect(ready.text.contains("waiting for PostgreSQL"), "\(ready.text)")
        #expect(process.isRunning, "gave up instead of waiting: \(process.log.suffix(1500))")
    }
}
