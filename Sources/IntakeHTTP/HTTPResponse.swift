import NIOCore
import NIOHTTP1

/// What a handler answers. The server adds `Content-Length`, and `Connection: close` when the
/// connection is going away; a handler may set `Connection: close` itself to end it.
public struct HTTPResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: ByteBuffer

    public init(status: HTTPResponseStatus, headers: HTTPHeaders = HTTPHeaders(), body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A text response, `text/plain` unless `contentType` says otherwise.
    public static func text(
        _ status: HTTPResponseStatus,
        _ text: String,
        contentType: String = "text/plain; charset=utf-8",
        headers: HTTPHeaders = HTTPHeaders()
    ) -> HTTPResponse {
        var headers = headers
        headers.replaceOrAdd(name: "content-type", value: contentType)
        return HTTPResponse(status: status, headers: headers, body: ByteBuffer(string: text))
    }

    /// An `application/json` response from already-encoded JSON text.
    public static func json(_ status: HTTPResponseStatus, _ json: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers.replaceOrAdd(name: "content-type", value: "application/json")
        return HTTPResponse(status: status, headers: headers, body: ByteBuffer(string: json))
    }

    /// An `application/json` response from already-encoded JSON bytes.
    public static func json(_ status: HTTPResponseStatus, bytes: [UInt8], headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers.replaceOrAdd(name: "content-type", value: "application/json")
        return HTTPResponse(status: status, headers: headers, body: ByteBuffer(bytes: bytes))
    }

    /// A bodiless response with just a status.
    public static func status(_ status: HTTPResponseStatus) -> HTTPResponse {
        HTTPResponse(status: status)
    }
}

/// Decided from the request head alone, before any of the body is read.
public enum HTTPHeadDecision: Sendable {
    /// Read the body, up to this many bytes; beyond it the server answers 413 and closes.
    case accept(maxBodyBytes: Int)
    /// Answer now without reading the body (404 for an unknown path, 415 for a wrong content
    /// type). If a body was announced, the connection is closed after the answer.
    case respond(HTTPResponse)
}
