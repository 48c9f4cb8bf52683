import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A tiny blocking HTTP/1.1 server on loopback for client tests: one thread, one connection
/// at a time, `Connection: close`, answers decided by a closure.
final class ScriptedServer: @unchecked Sendable {
    struct Reply: Sendable {
        var status: Int
        var headers: [(String, String)] = []
        var body: [UInt8] = []
        /// Never answer: hold the connection open (for cancellation tests).
        var hang = false
    }

    private let socketFD: Int32
    let port: Int
    private let lock = NSLock()
    private var requestHeads: [String] = []
    private let handler: @Sendable (Int, String) -> Reply

    var requests: [String] {
        lock.lock()
        defer { lock.unlock() }
        return requestHeads
    }

    init(handler: @escaping @Sendable (_ index: Int, _ head: String) -> Reply) throws {
        self.handler = handler
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.socketFD = socketFD
        var yes: Int32 = 1
        setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socketFD, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(socketFD, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    private func serve() {
        var index = 0
        while true {
            let connection = accept(socketFD, nil, nil)
            if connection < 0 { return }
            var received = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 65536)
            var headEnd: Int? = nil
            var contentLength = 0
            while true {
                let count = read(connection, &buffer, buffer.count)
                if count <= 0 { break }
                received += buffer[0..<count]
                if headEnd == nil, let range = findHeadEnd(received) {
                    headEnd = range
                    let head = String(decoding: received[0..<range], as: UTF8.self).lowercased()
                    if let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }) {
                        contentLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                }
                if let headEnd, received.count >= headEnd + 4 + contentLength { break }
            }
            let head = String(decoding: received.prefix(headEnd ?? received.count), as: UTF8.self)
            lock.lock()
            requestHeads.append(head)
            lock.unlock()
            let reply = handler(index, head)
            index += 1
            if reply.hang { continue }  // the descriptor stays open until the process ends
            var text = "HTTP/1.1 \(reply.status) X\r\nContent-Length: \(reply.body.count)\r\nConnection: close\r\n"
            for (name, value) in reply.headers { text += "\(name): \(value)\r\n" }
            text += "\r\n"
            let out = Array(text.utf8) + reply.body
            var sent = 0
            while sent < out.count {
                let written = out.withUnsafeBytes { write(connection, $0.baseAddress! + sent, $0.count - sent) }
                if written <= 0 { break }
                sent += written
            }
            close(connection)
        }
    }

    private func findHeadEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}
