import Foundation
import IntakeHTTP
import Logging
import NIOCore
import NIOHTTP1
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Lets a test hold a handler inside its work until the test says go.
private final class Gate: @unchecked Sendable {
    private let lock = NSLock()
    private var entered: [CheckedContinuation<Void, Never>] = []
    private var hasEntered = false
    private var released: [CheckedContinuation<Void, Never>] = []
    private var isOpen = false

    func enterAndWait() async {
        await withCheckedContinuation { continuation in
            self.lock.lock()
            self.hasEntered = true
            let waiters = self.entered
            self.entered = []
            if self.isOpen {
                self.lock.unlock()
                continuation.resume()
            } else {
                self.released.append(continuation)
                self.lock.unlock()
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    func waitUntilEntered() async {
        await withCheckedContinuation { continuation in
            self.lock.lock()
            if self.hasEntered {
                self.lock.unlock()
                continuation.resume()
            } else {
                self.entered.append(continuation)
                self.lock.unlock()
            }
        }
    }

    func open() {
        self.lock.lock()
        self.isOpen = true
        let waiters = self.released
        self.released = []
        self.lock.unlock()
        for waiter in waiters { waiter.resume() }
    }
}

/// Counts handler calls so tests can tell a rejected body never reached the handler.
private final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { self.lock.lock(); self.count += 1; self.lock.unlock() }
    var value: Int { self.lock.lock(); defer { self.lock.unlock() }; return self.count }
}

@Suite("HTTP server", .timeLimit(.minutes(1)))
struct HTTPServerTests {
    static let logger = Logger(label: "test.http")

    /// Runs a server on a free port for the duration of `body`, then shuts it down.
    func withServer(
        _ configuration: HTTPServer.Configuration = .init(host: "127.0.0.1", port: 0),
        headInspector: HTTPServer.HeadInspector? = nil,
        handler: @escaping HTTPServer.Handler,
        _ body: (HTTPServer, Int) async throws -> Void
    ) async throws {
        let server = HTTPServer(configuration: configuration, logger: Self.logger, headInspector: headInspector, handler: handler)
        let running = Task { try await server.run() }
        let port = try await server.localPort()
        do {
            try await body(server, port)
        } catch {
            server.shutdown()
            running.cancel()
            _ = await running.result
            throw error
        }
        server.shutdown()
        running.cancel()
        try await running.value
    }

    static let echo: HTTPServer.Handler = { request in
        let text = [
            request.method.rawValue, String(request.path), request.queryParameter("q") ?? "-",
            request.header("X-Custom") ?? "-", String(decoding: request.bodyBytes, as: UTF8.self),
        ].joined(separator: "|")
        return .text(.ok, text)
    }

    @Test("routes method, path, query, headers (any case) and body to the handler")
    func routing() async throws {
        try await withServer(handler: Self.echo) { _, port in
            var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)/webhooks/github?q=a%20b&x=1")))
            request.httpMethod = "POST"
            request.setValue("yes", forHTTPHeaderField: "x-cUSTOM")
            request.httpBody = Data("{\"id\":1}".utf8)
            let (data, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(String(decoding: data, as: UTF8.self) == "POST|/webhooks/github|a b|yes|{\"id\":1}")
            #expect((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type") == "text/plain; charset=utf-8")
        }
    }

    @Test("keep-alive: sequential and pipelined requests share one connection, answered in order")
    func keepAlive() async throws {
        try await withServer(handler: Self.echo) { server, port in
            let connection = try await RawHTTPConnection.connect(port: port)
            try await connection.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n")
            let first = try await connection.readResponse()
            #expect(first.body == "GET|/one|-|-|")
            #expect(first.headers["connection"] == nil)
            try await connection.send(
                "POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /three?q=z HTTP/1.1\r\nHost: x\r\n\r\n"
            )
            let second = try await connection.readResponse()
            let third = try await connection.readResponse()
            #expect(second.body == "POST|/two|-|-|abc")
            #expect(third.body == "GET|/three|z|-|")
            #expect(server.connectionCount == 1)
        }
    }

    @Test("a Content-Length over the limit gets 413 at once, the handler never runs, the connection closes")
    func contentLengthTooLarge() async throws {
        let calls = CallCounter()
        let configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, maxBodyBytes: 1000, lingerAfterEarlyResponse: .milliseconds(200))
        try await withServer(configuration, handler: { _ in calls.increment(); return .status(.accepted) }) { _, port in
            let connection = try await RawHTTPConnection.connect(port: port)
            // Only the head is sent: the answer must not wait for the 10 MB body.
            try await connection.send("POST /webhooks/x HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n")
            let response = try await connection.readResponse()
            #expect(response.status == 413)
            #expect(response.headers["connection"] == "close")
            #expect(try await connection.waitForClose())
            #expect(calls.value == 0)
        }
    }

    @Test("a chunked body that grows past the limit gets 413 and the connection closes")
    func chunkedTooLarge() async throws {
        let calls = CallCounter()
        let inspector: HTTPServer.HeadInspector = { head in
            .accept(maxBodyBytes: head.path == "/small" ? 10 : 1000)
        }
        let configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, lingerAfterEarlyResponse: .milliseconds(200))
        try await withServer(configuration, headInspector: inspector, handler: { request in
            calls.increment()
            return .text(.ok, "\(request.body.readableBytes)")
        }) { _, port in
            let fine = try await RawHTTPConnection.connect(port: port)
            try await fine.send("POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n01234567\r\n8\r\n89abcdef\r\n0\r\n\r\n")
            #expect(try await fine.readResponse().body == "16")

            let connection = try await RawHTTPConnection.connect(port: port)
            try await connection.send("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n01234567\r\n")
            try await connection.send("8\r\n89abcdef\r\n")
            let response = try await connection.readResponse()
            #expect(response.status == 413)
            #expect(try await connection.waitForClose())
            #expect(calls.value == 1)
        }
    }

    @Test("a head inspector can answer before the body; without a body the connection stays open")
    func earlyAnswer() async throws {
        let inspector: HTTPServer.HeadInspector = { head in
            head.path.hasPrefix("/webhooks/") ? .accept(maxBodyBytes: 100) : .respond(.text(.notFound, "no such source"))
        }
        try await withServer(headInspector: inspector, handler: Self.echo) { _, port in
            let connection = try await RawHTTPConnection.connect(port: port)
            try await connection.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
            let missing = try await connection.readResponse()
            #expect(missing.status == 404)
            #expect(missing.body == "no such source")
            try await connection.send("GET /webhooks/a HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await connection.readResponse().status == 200)

            try await connection.send("POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n")
            let withBody = try await connection.readResponse()
            #expect(withBody.status == 404)
            #expect(withBody.headers["connection"] == "close")
        }
    }

    @Test("Expect: 100-continue gets an interim 100 before the body is sent")
    func expectContinue() async throws {
        try await withServer(handler: Self.echo) { _, port in
            let connection = try await RawHTTPConnection.connect(port: port)
            try await connection.send("POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
            #expect(try await connection.readResponse().status == 100)
            try await connection.send("hi")
            #expect(try await connection.readResponse().body == "POST|/c|-|-|hi")
        }
    }

    @Test("idle and stalled connections are closed after the idle timeout")
    func idleTimeout() async throws {
        // 1.5 s, not less: on a busy machine the test's own send after connect can come later
        // than a short idle timeout, which then (rightly) closes an idle connection instead.
        let configuration = HTTPServer.Configuration(
            host: "127.0.0.1", port: 0, idleTimeout: .milliseconds(1500), lingerAfterEarlyResponse: .seconds(1)
        )
        try await withServer(configuration, handler: Self.echo) { _, port in
            let silent = try await RawHTTPConnection.connect(port: port)
            #expect(try await silent.waitForClose())

            let stalledHead = try await RawHTTPConnection.connect(port: port)
            try await stalledHead.send("GET /slow HTTP/1.1\r\nHost: x\r\n")
            #expect(try await stalledHead.waitForClose())

            let stalledBody = try await RawHTTPConnection.connect(port: port)
            try await stalledBody.send("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
            let response = try await stalledBody.readResponse()
            #expect(response.status == 408)
            #expect(try await stalledBody.waitForClose())
        }
    }

    @Test("graceful shutdown answers the in-flight request, then run() returns and nothing new is accepted")
    func gracefulShutdown() async throws {
        let gate = Gate()
        let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), logger: Self.logger) { request in
            if request.path == "/slow" { await gate.enterAndWait() }
            return .text(.ok, "done \(request.path)")
        }
        let running = Task { try await server.run() }
        let port = try await server.localPort()
        let idle = try await RawHTTPConnection.connect(port: port)
        try await idle.send("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await idle.readResponse().status == 200)

        let busy = try await RawHTTPConnection.connect(port: port)
        try await busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        await gate.waitUntilEntered()
        server.shutdown()
        #expect(try await idle.waitForClose(), "an idle keep-alive connection closes at once")
        gate.open()
        let response = try await busy.readResponse()
        #expect(response.status == 200)
        #expect(response.body == "done /slow")
        #expect(response.headers["connection"] == "close")
        #expect(try await busy.waitForClose())
        try await running.value
        await #expect(throws: (any Error).self) { _ = try await RawHTTPConnection.connect(port: port) }
    }

    @Test("connections over the limit are refused")
    func connectionLimit() async throws {
        let configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, maxConnections: 1)
        try await withServer(configuration, handler: Self.echo) { server, port in
            let first = try await RawHTTPConnection.connect(port: port)
            try await first.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await first.readResponse().status == 200)
            let second = try await RawHTTPConnection.connect(port: port)
            #expect(try await second.waitForClose())
            #expect(server.connectionCount == 1)
        }
    }

    @Test("binding a port in use fails with a message naming it")
    func bindFailure() async throws {
        try await withServer(handler: Self.echo) { _, port in
            let second = HTTPServer(configuration: .init(host: "127.0.0.1", port: port), logger: Self.logger, handler: Self.echo)
            await #expect(throws: HTTPServerError.self) { try await second.run() }
            await #expect(throws: (any Error).self) { _ = try await second.localPort() }
        }
    }
}
