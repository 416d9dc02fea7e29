/// The payload of a seed task: one input record (as the recipe's fields map it) in one variant.
public struct Seed<Record: Codable & Sendable>: Codable, Sendable {
    public var record: Record
    /// The line the record starts on.
    public var line: Int
    /// The record's position in the input, from 1: what identifies it.
    public var position: Int
    /// The variant (arm, version, generator…) this seed is for; "" when the recipe has one.
    public var variant: String
}
