import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking TCP client for HTTP tests that need control over the bytes on the wire
/// (pipelining, stalls, oversized bodies). Every blocking call runs on its own thread, never on
/// Swift's cooperative pool, and reads give up after `readTimeout` so a broken server fails the
/// test instead of hanging it.
final class RawHTTPConnection: @unchecked Sendable {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let descriptor: Int32
    private var buffered: [UInt8] = []

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit { close(self.descriptor) }

    static func connect(port: Int, readTimeout: Int = 10) async throws -> RawHTTPConnection {
        try await onThread {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { throw Failure(description: "socket() failed") }
            var timeout = timeval(tv_sec: readTimeout, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard result == 0 else {
                close(descriptor)
                throw Failure(description: "connect() failed: errno \(errno)")
            }
            return RawHTTPConnection(descriptor: descriptor)
        }
    }

    func send(_ text: String) async throws {
        try await self.send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) async throws {
        try await Self.onThread {
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes {
                    Glibc.send(self.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                guard written > 0 else { throw Failure(description: "send() failed: errno \(errno)") }
                offset += written
            }
        }
    }

    /// Reads one response with a `Content-Length` body (or none).
    func readResponse() async throws -> Response {
        try await Self.onThread {
            let headerEnd = Array("\r\n\r\n".utf8)
            var found = self.buffered.firstRange(of: headerEnd)
            while found == nil {
                guard try self.fill() else { throw Failure(description: "connection closed before a response") }
                found = self.buffered.firstRange(of: headerEnd)
            }
            guard let range = found else { throw Failure(description: "unreachable") }
            let headText = String(decoding: self.buffered[..<range.lowerBound], as: UTF8.self)
            self.buffered.removeSubrange(..<range.upperBound)
            var lines = headText.components(separatedBy: "\r\n")
            let statusLine = lines.removeFirst().split(separator: " ")
            guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
                throw Failure(description: "bad status line in \(headText)")
            }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            while self.buffered.count < length {
                guard try self.fill() else { throw Failure(description: "connection closed inside a body") }
            }
            let body = String(decoding: self.buffered[..<length], as: UTF8.self)
            self.buffered.removeSubrange(..<length)
            return Response(status: status, headers: headers, body: body)
        }
    }

    /// True when the server closes the connection (EOF or reset) before `readTimeout` elapses
    /// and without sending more bytes than the ones already buffered.
    func waitForClose() async throws -> Bool {
        try await Self.onThread {
            while true {
                do {
                    guard try self.fill() else { return true }
                } catch let failure as Failure where failure.description.contains("reset") {
                    return true
                }
            }
        }
    }

    /// Reads more bytes; false at EOF. Throws on timeout.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(self.descriptor, &chunk, chunk.count, 0)
        if count > 0 {
            self.buffered.append(contentsOf: chunk[..<count])
            return true
        }
        if count == 0 { return false }
        if errno == ECONNRESET { throw Failure(description: "connection reset") }
        throw Failure(description: errno == EAGAIN ? "timed out waiting for the server" : "recv() failed: errno \(errno)")
    }

    private static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
