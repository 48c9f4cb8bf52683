/// Maps one resource type to its row. Adding a type is one conforming type (and its table in
/// `FHIRSchema`) plus one line in `FHIRMapperRegistry.standard`.
public protocol FHIRResourceMapper: Sendable {
    associatedtype Row: FHIRRow
    /// The `resourceType` this mapper handles, e.g. `Patient`.
    var resourceType: String { get }
    /// Throws `FHIRMappingError` when the resource lacks what the row needs.
    func map(_ resource: FHIRResource) throws -> Row
}

/// Resource type → mapper; a type with no mapper is kept raw in `ingest.fhir_resources`.
public struct FHIRMapperRegistry: Sendable {
    public static let standard = FHIRMapperRegistry(mappers: [
        PatientMapper(),
        ObservationMapper(),
    ])

    private let mappers: [String: any FHIRResourceMapper]

    public init(mappers: [any FHIRResourceMapper]) {
        var byType: [String: any FHIRResourceMapper] = [:]
        for mapper in mappers { byType[mapper.resourceType] = mapper }
        self.mappers = byType
    }

    public var mappedResourceTypes: [String] { mappers.keys.sorted() }

    /// The row for a resource: its type's mapper, or the raw fallback. A resource without an id
    /// cannot be stored under a key, so that throws too.
    public func map(_ resource: FHIRResource) throws -> any FHIRRow {
        if let mapper = mappers[resource.resourceType] {
            return try mapper.map(resource)
        }
        guard let id = resource.id, !id.isEmpty else {
            throw FHIRMappingError(resourceType: resource.resourceType, id: nil, message: "resource has no id")
        }
        return FHIRRawResourceRow(resourceType: resource.resourceType, id: id, raw: resource.json.serialized())
    }
}
