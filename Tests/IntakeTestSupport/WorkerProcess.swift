import Foundation

/// A built executable of this package run as a child process, as operators run it.
public final class WorkerProcess: @unchecked Sendable {
    public let process = Process()
    public let logURL: URL

    /// Starts `executable` (e.g. `intake-inbox-worker`) with `config` written to a temp file.
    public init(_ executable: String, config: String, arguments: [String] = [], environment: [String: String] = [:]) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configURL = directory.appendingPathComponent("intake.yaml")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        logURL = directory.appendingPathComponent("\(executable).log")
        // The shell redirects the child's output to its log: no file descriptor of ours is
        // handed over, so none can be closed twice when the child dies.
        let binary = TestDatabase.productsDirectory.appendingPathComponent(executable).path
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec \"$0\" \"$@\" >>\"$INTAKE_TEST_LOG\" 2>&1", binary, "--config", configURL.path] + arguments
        var env = ProcessInfo.processInfo.environment
        env["INTAKE_LOG_LEVEL"] = env["INTAKE_LOG_LEVEL"] ?? "info"
        for (key, value) in environment { env[key] = value }
        env["INTAKE_TEST_LOG"] = logURL.path
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for exit up to `timeout`; returns the exit status, or nil if still running.
    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    public var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

extension TestDatabase {
    /// A connection URL naming `database`, for configuration files of child processes.
    public static func url(database: String) -> String {
        guard let url else { return "" }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"), var components = URLComponents(string: url) {
            components.path = "/\(database)"
            return components.string ?? url
        }
        return "\(url) dbname=\(database)"
    }

    /// The `INTAKE_PGCTL` script from scripts/test: start|stop|restart the test server.
    public static let pgctl = ProcessInfo.processInfo.environment["INTAKE_PGCTL"]

    /// Tests that stop PostgreSQL run only when asked, alone (see scripts/test).
    public static let disruptiveEnabled =
        available && pgctl != nil && ProcessInfo.processInfo.environment["INTAKE_DISRUPTIVE_TESTS"] == "1"

    public static func controlServer(_ command: String) throws {
        guard let pgctl else { throw TestSkip("INTAKE_PGCTL is not set") }
        // posix_spawn + waitpid rather than Foundation.Process: its waitUntilExit can miss the
        // exit of a child whose own child (the postmaster) lives on. Output goes to /dev/null so
        // the server never holds the test runner's pipes open.
        let status = try spawnAndWait("/bin/sh", ["-c", "exec \"$0\" \"$1\" </dev/null >/dev/null 2>&1", pgctl, command])
        guard status == 0 else { throw TestSkip("pgctl \(command) exited \(status)") }
    }

    /// A worker configuration against `database`.
    public static func workerConfig(
        database: String, concurrency: Int = 4, batch: Int = 16, leaseSeconds: Int = 30, extra: String = ""
    ) -> String {
        """
        database:
          url: "\(url(database: database))"
        sources:
          smoke:
            verify: { type: bearer, token: "test-token-0123456789" }
            handler: builtin.sleep
          fast:
            verify: { type: bearer, token: "test-token-0123456789" }
            handler: builtin.noop
          events:
            verify: { type: bearer, token: "test-token-0123456789" }
            handler: webhook.generic
        retry:
          max_attempts: 5
          base_seconds: 0.05
          cap_seconds: 0.5
        workers:
          concurrency: \(concurrency)
          batch: \(batch)
          lease_seconds: \(leaseSeconds)
          poll_interval_ms: 50
          sweep_interval_seconds: 1
          shutdown_grace_seconds: 10
          metrics_listen: 127.0.0.1:0
        \(extra)
        """
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
public func freeLocalPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard bound else { throw TestSkip("no free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Runs a built executable of this package to the end; returns its exit status and its
/// output (stdout and stderr together).
public func runProduct(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    try runProgram(TestDatabase.productsDirectory.appendingPathComponent(executable), arguments)
}

/// Runs a program to its end; returns its exit status and its output and errors together.
public func runProgram(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Runs a program and waits for it on the calling thread.
public func spawnAndWait(_ path: String, _ arguments: [String]) throws -> Int32 {
    var pid: pid_t = 0
    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let result = posix_spawn(&pid, path, nil, nil, argv, environ)
    guard result == 0 else { throw TestSkip("cannot start \(path): \(result)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return (status >> 8) & 0xff
}

public struct TestSkip: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
