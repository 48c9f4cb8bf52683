import Foundation
import IntakeHTTP
import Testing

/// Timing-sensitive: on a machine busy with hundreds of parallel tests a client can stall past
/// any small idle timeout. scripts/test runs these alone, after the rest.
@Suite(
    "Disruptive: HTTP timing", .timeLimit(.minutes(1)),
    .enabled(
        if: ProcessInfo.processInfo.environment["INTAKE_DISRUPTIVE_TESTS"] == "1",
        "runs alone after the other tests (scripts/test sets INTAKE_DISRUPTIVE_TESTS=1)"))
struct DisruptiveHTTPTimingTests {
    func withServer(
        _ configuration: HTTPServer.Configuration, handler: @escaping HTTPServer.Handler,
        _ body: (HTTPServer, Int) async throws -> Void
    ) async throws {
        try await HTTPServerTests().withServer(configuration, handler: handler, body)
    }

    @Test("a slow handler is not cut off by the idle timeout")
    func slowHandlerSurvivesIdleTimeout() async throws {
        let configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, idleTimeout: .milliseconds(300))
        try await withServer(configuration, handler: { _ in
            try? await Task.sleep(for: .milliseconds(1000))
            return .text(.ok, "late")
        }) { _, port in
            let connection = try await RawHTTPConnection.connect(port: port)
            try await connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await connection.readResponse().body == "late")
        }
    }

}
