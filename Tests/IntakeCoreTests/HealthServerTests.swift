import Foundation
import IntakeCore
import Logging
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A flag the readiness probe reads, flipped by the test.
final class ReadyFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var ready = true
    var value: Bool {
        get { self.lock.lock(); defer { self.lock.unlock() }; return self.ready }
        set { self.lock.lock(); self.ready = newValue; self.lock.unlock() }
    }
}

@Suite("Health server", .timeLimit(.minutes(1)))
struct HealthServerTests {
    private func get(_ port: Int, _ path: String, method: String = "GET") async throws -> (Int, String, HTTPURLResponse?) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, String(decoding: data, as: UTF8.self), http)
    }

    @Test("serves /healthz, /readyz (200 or 503 with the checks) and /metrics")
    func endpoints() async throws {
        let registry = MetricsRegistry()
        registry.counter("intake_messages_total", help: "Messages handled.", labels: ["outcome": "ok"]).increment(by: 3)
        let flag = ReadyFlag()
        let server = HealthServer(
            listen: ListenAddress(host: "127.0.0.1", port: 0), registry: registry, logger: Logger(label: "test.health")
        ) {
            let ready = flag.value
            return ReadinessReport(checks: [
                .init(name: "database", ok: true),
                .init(name: "sqs", ok: ready, detail: ready ? nil : "connection refused"),
            ])
        }
        let running = Task { try await server.run() }
        defer { server.shutdown() }
        let port = try await server.localPort()

        let (healthStatus, healthBody, _) = try await get(port, "/healthz")
        #expect(healthStatus == 200 && healthBody == "ok")

        let (readyStatus, readyBody, _) = try await get(port, "/readyz")
        #expect(readyStatus == 200)
        #expect(readyBody == #"{"status":"ready","checks":{"database":{"ok":true},"sqs":{"ok":true}}}"#)

        flag.value = false
        let (notReadyStatus, notReadyBody, _) = try await get(port, "/readyz")
        #expect(notReadyStatus == 503)
        let object = try JSONSerialization.jsonObject(with: Data(notReadyBody.utf8)) as? [String: Any]
        let checks = object?["checks"] as? [String: [String: Any]]
        #expect(object?["status"] as? String == "not ready")
        #expect(checks?["sqs"]?["ok"] as? Bool == false)
        #expect(checks?["sqs"]?["detail"] as? String == "connection refused")
        #expect(checks?["database"]?["ok"] as? Bool == true)

        let (metricsStatus, metricsBody, metricsResponse) = try await get(port, "/metrics")
        #expect(metricsStatus == 200)
        #expect(metricsBody.contains("# TYPE intake_messages_total counter\nintake_messages_total{outcome=\"ok\"} 3\n"))
        #expect(metricsResponse?.value(forHTTPHeaderField: "Content-Type") == "text/plain; version=0.0.4; charset=utf-8")

        #expect(try await get(port, "/other").0 == 404)
        #expect(try await get(port, "/healthz", method: "POST").0 == 405)

        server.shutdown()
        try await running.value
    }

    @Test("gather runs checks, turning errors and timeouts into failed checks")
    func gather() async {
        struct Down: Error, CustomStringConvertible { var description: String { "database is down" } }
        let report = await ReadinessReport.gather(timeout: .milliseconds(200), [
            ("fine", {}),
            ("broken", { throw Down() }),
            ("stuck", { try await Task.sleep(for: .seconds(30)) }),
        ])
        #expect(report.checks.map(\.name) == ["fine", "broken", "stuck"])
        #expect(report.checks.map(\.ok) == [true, false, false])
        #expect(report.checks[1].detail == "database is down")
        #expect(report.checks[2].detail?.hasPrefix("no answer within") == true)
        #expect(!report.isReady)
        #expect(ReadinessReport(checks: []).isReady)
    }

    @Test("readiness JSON escapes details")
    func jsonEscaping() throws {
        let report = ReadinessReport(checks: [.init(name: "db", ok: false, detail: "bad \"quote\"\n\u{1}")])
        let object = try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any]
        let checks = object?["checks"] as? [String: [String: Any]]
        #expect(checks?["db"]?["detail"] as? String == "bad \"quote\"\n\u{1}")
    }
}
