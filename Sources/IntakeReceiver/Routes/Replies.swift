import IntakeHTTP
import IntakeSupport
import NIOHTTP1

/// The receiver's answers. Errors are `{"error": "..."}`: what is wrong, never a secret or
/// which part of a signature failed.
enum Reply {
    static func error(_ status: HTTPResponseStatus, _ message: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        .json(status, "{\"error\":\(JSONString.quoted(message))}", headers: headers)
    }

    static let unauthorized = error(.unauthorized, "unauthorized: the request could not be verified")

    static func unavailable(_ message: String, retryAfter: Int) -> HTTPResponse {
        error(.serviceUnavailable, message, headers: ["retry-after": String(retryAfter)])
    }

    static func accepted(_ id: Int64) -> HTTPResponse {
        .json(.accepted, "{\"status\":\"accepted\",\"delivery_id\":\(id)}", headers: ["location": "/deliveries/\(id)"])
    }

    static func duplicate(_ id: Int64) -> HTTPResponse {
        .json(.ok, "{\"status\":\"duplicate\",\"delivery_id\":\(id)}", headers: ["location": "/deliveries/\(id)"])
    }
}
