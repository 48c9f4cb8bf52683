/// Media types a JSON source accepts: `application/json` and any structured `+json` type
/// (`application/fhir+json`, `application/cloudevents+json`), parameters ignored.
enum ContentType {
    static func isJSON(_ value: String?) -> Bool {
        guard let value else { return false }
        let mediaType = value.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: " ").lowercased()
        } ?? ""
        let parts = mediaType.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, !parts[0].isEmpty else { return false }
        return mediaType == "application/json" || (parts[1].hasSuffix("+json") && parts[1].count > 5)
    }
}
