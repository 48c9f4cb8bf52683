import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where formatted log lines go. Each line is handed over whole, under a lock, so that lines
/// from concurrent tasks never interleave; for a file descriptor that is one `write(2)` per line.
public final class LogOutput: @unchecked Sendable {
    private enum Destination {
        case fileDescriptor(Int32)
        case capture(@Sendable ([UInt8]) -> Void)
    }

    private let destination: Destination
    private let lock = NSLock()

    /// The process's standard output, where every Intake process logs.
    public static let standardOutput = LogOutput(fileDescriptor: 1)

    public init(fileDescriptor: Int32) {
        self.destination = .fileDescriptor(fileDescriptor)
    }

    /// Hands every line (with its trailing newline) to `capture`; for tests and tools.
    public init(capture: @escaping @Sendable ([UInt8]) -> Void) {
        self.destination = .capture(capture)
    }

    func write(_ line: [UInt8]) {
        self.lock.lock()
        defer { self.lock.unlock() }
        switch self.destination {
        case .capture(let capture):
            capture(line)
        case .fileDescriptor(let descriptor):
            line.withUnsafeBytes { Self.writeAll(descriptor, $0) }
        }
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) {
        guard var pointer = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = systemWrite(descriptor, pointer, remaining)
            if written > 0 {
                pointer += written
                remaining -= written
            } else if written < 0 && errno == EINTR {
                continue
            } else if written < 0 && errno == EAGAIN {
                // A non-blocking stdout that is full: wait for room rather than drop the line.
                var descriptorPoll = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&descriptorPoll, 1, 1000)
            } else {
                return  // Nowhere left to report a failing log destination.
            }
        }
    }
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, buffer, count)
    #elseif canImport(Musl)
    Musl.write(descriptor, buffer, count)
    #else
    Darwin.write(descriptor, buffer, count)
    #endif
}
