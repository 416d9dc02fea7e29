/// One seed entity of a prereq_tune build: a real person or medical entity the fictitious one is
/// modelled on. Specs map `name` to the input's field (`name: s_wiki_title` for Wikipedia-title inputs).
public struct PrereqTuneRecord: Sendable, Equatable, Codable {
    /// The seed entity's name ("Quincy Jones", "Kabuki syndrome").
    public var name: String

    public init(name: String) {
        self.name = name
    }
}
