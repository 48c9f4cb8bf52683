import Foundation

/// Reads the error an AWS service put in a response: JSON protocol (`__type`, `message`) or
/// REST-XML (`<Code>`, `<Message>`).
enum AWSErrorParser {
    static func error(from response: HTTPResponse, operation: String) -> AWSError {
        var code: String? = nil
        var message = ""
        let body = response.body
        let firstByte = body.first { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        if firstByte == UInt8(ascii: "{"),
            let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        {
            if let type = (object["__type"] as? String) ?? (object["code"] as? String) {
                // "com.amazonaws.sqs#QueueDoesNotExist" -> "QueueDoesNotExist"
                code = type.split(separator: "#").last.map(String.init) ?? type
            }
            message = (object["message"] as? String) ?? (object["Message"] as? String) ?? ""
        } else if firstByte == UInt8(ascii: "<") {
            let text = String(decoding: body, as: UTF8.self)
            code = XMLText.firstElement("Code", in: text)
            message = XMLText.firstElement("Message", in: text) ?? ""
        }
        // SQS's JSON protocol also names the legacy query error code in a header, which is the
        // one older tooling and the docs use (e.g. AWS.SimpleQueueService.NonExistentQueue).
        if code == nil, let queryError = response.headers["x-amzn-query-error"] {
            code = queryError.split(separator: ";").first.map(String.init)
        }
        if code == nil, response.status == 404 { code = "NotFound" }
        if message.isEmpty, response.body.count > 0, code == nil {
            message = String(decoding: response.body.prefix(300), as: UTF8.self)
        }
        let requestID = response.headers["x-amzn-RequestId"] ?? response.headers["x-amz-request-id"]
        let kind: AWSError.Kind = response.status == 404 || Self.notFoundCodes.contains(code ?? "") ? .notFound : .service
        return AWSError(
            kind: kind, status: response.status, code: code, message: message,
            retryAfter: retryAfter(response.headers["Retry-After"]), requestID: requestID, operation: operation)
    }

    static let notFoundCodes: Set<String> = [
        "NoSuchKey", "NoSuchBucket", "NotFound", "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
        "NoSuchVersion",
    ]

    /// `Retry-After` as delay-seconds or an HTTP date.
    static func retryAfter(_ value: String?) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        let delay = max(0, date.timeIntervalSinceNow)
        return .milliseconds(Int64(delay * 1000))
    }
}
