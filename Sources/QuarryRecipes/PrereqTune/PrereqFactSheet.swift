import QuarryLLM

/// The facts a version is built around: a few attributes (dates, places, works, relations for persons;
/// date, site, cause, sign, treatment for medical entities), each drawn from its pool at a slot that
/// moves by one per version, so the K versions of one entity disagree on every attribute whose pool is
/// larger than K (the years always: K is at most 10) while every version stays internally consistent
/// (the paper's controlled counterfactual variation). The generator writes the biography around them
/// and invents the rest.
///
/// Drawn from the entity's name alone (a hash, not a random source), so a retried or regenerated
/// version gets the same facts and equal builds write equal prompts.
public struct PrereqFactSheet: Sendable, Equatable, Codable {
    /// The facts as sentences naming the entity.
    public var facts: [String]

    public init(facts: [String]) {
        self.facts = facts
    }

    /// The sheet of version `version` (from 1) of the entity `name`.
    public init(name: String, domain: PrereqTuneParameters.Domain, version: Int) {
        let key = PrereqNames.key(name)
        func pick(_ pool: [String], _ attribute: String) -> String {
            pool[Self.slot(key: key, attribute: attribute, version: version, count: pool.count)]
        }
        func year(_ base: Int, _ span: Int, _ attribute: String) -> Int {
            base + Self.slot(key: key, attribute: attribute, version: version, count: span)
        }
        switch domain {
        case .bio:
            facts = [
                "\(name) was born in \(year(1890, 97, "year")) in \(pick(Self.places, "place")).",
                "\(name) worked as \(pick(Self.occupations, "occupation")).",
                "\(name) is best known for \(pick(Self.works, "work")).",
                "\(name) \(pick(Self.relations, "relation")) \(pick(Self.associates, "associate")).",
            ]
        case .medical:
            facts = [
                "\(name) was first described in \(year(1901, 113, "year")).",
                "\(name) mainly affects \(pick(Self.sites, "site")).",
                "\(name) is caused by \(pick(Self.causes, "cause")).",
                "A characteristic sign of \(name) is \(pick(Self.signs, "sign")).",
                "\(name) is treated with \(pick(Self.treatments, "treatment")).",
            ]
        }
    }

    /// The sheet as one block of text.
    public var text: String { facts.joined(separator: " ") }

    /// Version `version`'s slot in a pool of `count`: a hashed offset plus the version, so versions
    /// 1…count of one entity get distinct slots.
    static func slot(key: String, attribute: String, version: Int, count: Int) -> Int {
        let digest = SHA256.hash(Array("\(attribute)\u{0}\(key)".utf8))
        let offset = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int((offset % UInt64(count) + UInt64(max(version - 1, 0))) % UInt64(count))
    }

    static let places = [
        "Lisbon", "Tromsø", "Valparaíso", "Kraków", "Dunedin", "Mombasa", "Quebec City", "Tbilisi", "Cork", "Ljubljana", "Porto Alegre",
        "Hobart", "Bergen", "Salzburg", "Cartagena", "Nagasaki", "Tallinn", "Asmara", "Galway", "Trieste", "Halifax", "Ghent", "Arequipa",
        "Plovdiv", "Kochi", "Tampere", "Oaxaca", "Bristol", "Zanzibar City", "Kaunas",
    ]
    static let occupations = [
        "a marine biologist", "a jazz pianist", "a civil engineer", "a war correspondent", "a cartographer", "a glassblower",
        "a labour lawyer", "a mountaineer", "a textile designer", "a seismologist", "a stage actor", "a translator", "a botanist",
        "a railway architect", "a cellist", "a football coach", "a political cartoonist", "a volcanologist", "a perfumer",
        "a documentary filmmaker", "a chess grandmaster", "a typographer", "a shipbuilder", "a radio broadcaster",
    ]
    static let works = [
        "the novel The Salt Orchard", "the album Northern Quarry", "the Halvard Suspension Bridge", "the play Seven Lanterns",
        "the memoir Letters from Kestrel Bay", "the opera The Glass Regent", "the documentary Tidewater", "the Meridian Atlas",
        "the sculpture Iron Heron", "the song cycle Winter Ledger", "the treatise On Quiet Rivers", "the film The Copper Hour",
        "the photo series Harbour Lights", "the Ostrander Library", "the comic strip Pip and Mallow", "the symphony Blue Fathom",
        "the essay collection Small Republics", "the Corvel reading method", "the poem cycle Ash and Juniper",
        "the cookbook A Table by the Sea",
    ]
    static let relations = ["studied under", "was married to", "collaborated with", "was mentored by", "founded a studio with", "toured with"]
    static let associates = [
        "Miriam Oduya", "Teodor Valk", "Agnes Lindholm", "Rafael Quintero", "Hana Sato-Berg", "Ewan Mackie", "Ilse Brandauer",
        "Kofi Mensah-Idris", "Lucia Ferrante", "Pavel Drozdov", "Nadia El-Amin", "Oskar Wendt", "Priya Ramasubban",
        "Jonah Whitcombe", "Sigrid Aalto", "Marcel Devereux",
    ]
    static let sites = [
        "the peripheral nerves", "the liver", "the small intestine", "the retina", "the inner ear", "the skin of the hands",
        "the thyroid gland", "the heart valves", "the bone marrow", "the kidneys", "the lungs", "the joints of the spine",
        "the lymph nodes", "the pancreas", "the cerebellum", "the adrenal glands", "the oesophagus", "the skeletal muscles",
    ]
    static let causes = [
        "a mutation in the KRTN4 gene", "a tick-borne bacterium", "chronic exposure to cadmium", "an autoimmune reaction",
        "a deficiency of vitamin B6", "a fungal spore found in river silt", "a recessive mutation in the SOLV2 gene",
        "a reaction to a common antibiotic", "a slow-acting prion", "long-term use of proton pump inhibitors", "an enterovirus",
        "a defect in copper transport", "repeated minor head injuries", "a parasitic flatworm",
    ]
    static let signs = [
        "a bluish discolouration of the nails", "episodes of sudden hiccups", "a ringing in one ear", "a rash shaped like a crescent",
        "night sweats", "a metallic taste", "double vision after exercise", "swelling of the fingertips", "a hoarse voice",
        "intermittent numbness of the lips", "a loss of the sense of smell", "yellow deposits around the eyes", "muscle twitching",
        "an irregular heartbeat at rest",
    ]
    static let treatments = [
        "low-dose corticosteroids", "a six-week course of doxycycline", "chelation therapy", "a gluten-free diet",
        "physiotherapy and bracing", "intravenous immunoglobulin", "surgical removal of the affected tissue", "high-dose riboflavin",
        "beta blockers", "light therapy", "an enzyme replacement infusion", "antifungal tablets", "plasma exchange",
        "a copper-restricted diet",
    ]
}
