import CCurl
import CCurlShim
import Foundation
import IntakeSupport

enum CurlGlobal {
    /// curl_global_init is not thread-safe and must run once before any handle exists; a
    /// static let is initialised exactly once, under a lock, on first use.
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
}

/// One request's state, shared between the awaiting task and the curl thread that runs it.
final class CurlTransfer: @unchecked Sendable {
    enum Completion {
        case buffered(CheckedContinuation<HTTPResponse, any Error>)
        case streaming(CheckedContinuation<HTTPResponseHead, any Error>, BodyChannel)
    }

    let request: HTTPRequest
    let connectTimeout: Duration
    let totalTimeout: Duration?
    let userAgent: String

    private let lock = NSLock()
    private var cancelled = false
    private var completion: Completion?

    // Touched only by the curl thread while the transfer runs.
    private var status = 0
    private var headers: [(name: String, value: String)] = []
    private var buffer: [UInt8] = []
    private var headDelivered = false

    init(request: HTTPRequest, connectTimeout: Duration, totalTimeout: Duration?, userAgent: String) {
        self.request = request
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.userAgent = userAgent
    }

    func attach(_ completion: Completion) {
        lock.lock()
        self.completion = completion
        if case .streaming(_, let channel) = completion { self.channel = channel }
        lock.unlock()
    }

    func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    /// Kept apart from `completion`, which is consumed once the head has been delivered.
    private var channel: BodyChannel?

    /// Runs on a curl worker thread; blocks for the whole transfer.
    func run(on handle: UnsafeMutableRawPointer, errorBuffer: UnsafeMutablePointer<CChar>) {
        if isCancelled {
            fail(CancellationError())
            return
        }
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }
        let context = Unmanaged.passUnretained(self).toOpaque()

        intake_curl_setopt_string(handle, CURLOPT_URL, request.url)
        // The path goes out exactly as the signer saw it: by default curl removes `.` and `..`
        // segments, which turns the legal S3 key `x/../y.csv` into `y.csv` (another object, and
        // a signature that no longer matches).
        intake_curl_setopt_long(handle, CURLOPT_PATH_AS_IS, 1)
        intake_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        intake_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        intake_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeout.milliseconds))
        if let totalTimeout { intake_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(totalTimeout.milliseconds)) }
        intake_curl_setopt_string(handle, CURLOPT_USERAGENT, userAgent)
        intake_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        intake_curl_setopt_write_function(handle, curlWrite)
        intake_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        intake_curl_setopt_header_function(handle, curlHeader)
        intake_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        intake_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        intake_curl_setopt_xferinfo_function(handle, curlProgress)
        intake_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context)
        if channel != nil { intake_curl_setopt_long(handle, CURLOPT_BUFFERSIZE, 128 * 1024) }

        var hasContentType = false
        for (name, value) in request.headers {
            if name.lowercased() == "content-type" { hasContentType = true }
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // No 100-continue round trip, and no form content type invented by curl for bodies.
        headerList = curl_slist_append(headerList, "Expect:")
        if !hasContentType { headerList = curl_slist_append(headerList, "Content-Type:") }
        intake_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)

        let method = request.method.uppercased()
        let body = request.body ?? []
        let code: CURLcode = body.withUnsafeBytes { bytes in
            switch method {
            case "GET" where request.body == nil:
                intake_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
            case "HEAD":
                intake_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
            case "DELETE" where request.body == nil:
                intake_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
            default:
                // POSTFIELDS is not copied: `bytes` stays pinned until perform returns.
                if method != "POST" { intake_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method) }
                intake_curl_setopt_long(handle, CURLOPT_POST, 1)
                intake_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
                let empty = UnsafeMutableRawPointer(mutating: ("" as StaticString).utf8Start)
                intake_curl_setopt_pointer(
                    handle, CURLOPT_POSTFIELDS, bytes.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) } ?? empty)
            }
            return curl_easy_perform(handle)
        }

        if code == CURLE_OK {
            succeed(handle)
            return
        }
        if isCancelled || channel?.isCancelled == true {
            fail(CancellationError())
            return
        }
        let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        let kind: AWSError.Kind = code == CURLE_OPERATION_TIMEDOUT ? .timeout : .network
        fail(AWSError(kind: kind, message: "\(method) \(Self.redacted(request.url)): \(detail) (curl code \(code.rawValue))"))
    }

    /// Query strings can carry signatures or tokens; logs get the path only.
    static func redacted(_ url: String) -> String {
        guard let question = url.firstIndex(of: "?") else { return url }
        return String(url[..<question]) + "?…"
    }

    private func takeCompletion() -> Completion? {
        lock.lock()
        defer { lock.unlock() }
        let taken = completion
        completion = nil
        return taken
    }

    private func succeed(_ handle: UnsafeMutableRawPointer) {
        var code = 0
        intake_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        if code != 0 { status = code }
        let head = HTTPResponseHead(status: status, headers: HTTPHeaders(headers))
        switch takeCompletion() {
        case .buffered(let continuation):
            continuation.resume(returning: HTTPResponse(status: status, headers: head.headers, body: buffer))
        case .streaming(let continuation, let channel):
            continuation.resume(returning: head)
            channel.finish(nil)
        case nil:
            if let channel { channel.finish(nil) }
        }
    }

    private func fail(_ error: any Error) {
        switch takeCompletion() {
        case .buffered(let continuation):
            continuation.resume(throwing: error)
        case .streaming(let continuation, let channel):
            continuation.resume(throwing: error)
            channel.finish(error)
        case nil:
            // The head went out already; the body reader sees the failure.
            channel?.finish(error)
        }
    }

    fileprivate func receiveHeader(_ line: UnsafeBufferPointer<UInt8>) {
        var end = line.count
        while end > 0, line[end - 1] == UInt8(ascii: "\n") || line[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        guard end > 0 else { return }
        let text = String(decoding: UnsafeBufferPointer(rebasing: line[0..<end]), as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            // A new response (after 100 Continue or a retry inside curl): start over.
            headers.removeAll()
            let parts = text.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            return
        }
        guard let colon = text.firstIndex(of: ":") else { return }
        let name = String(text[..<colon])
        let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        headers.append((name, value))
    }

    fileprivate func receiveBody(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let channel else {
            buffer.append(contentsOf: bytes)
            return true
        }
        if !headDelivered {
            headDelivered = true
            if case .streaming(let continuation, _) = takeCompletion() {
                continuation.resume(returning: HTTPResponseHead(status: status, headers: HTTPHeaders(headers)))
            }
        }
        return channel.push(Array(bytes))
    }
}

private func curlWrite(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let context, let data else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length)
    return transfer.receiveBody(bytes) ? length : 0
}

private func curlHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let context, let data else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    transfer.receiveHeader(UnsafeBufferPointer(start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length))
    return length
}

private func curlProgress(
    _ context: UnsafeMutableRawPointer?, _ downloadTotal: curl_off_t, _ downloaded: curl_off_t, _ uploadTotal: curl_off_t,
    _ uploaded: curl_off_t
) -> Int32 {
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    // Non-zero aborts the transfer: how a cancelled task stops a long poll or a download.
    return transfer.isCancelled ? 1 : 0
}
