/// Names the simulator makes up when a prompt asks it to invent something (a fictitious person or
/// disease), as a real model does instead of copying the prompt's words.
///
/// The pools are small on purpose: models asked for "a new, non-existent name" converge on a few
/// favourites, so different requests do sometimes answer the same name, and a caller that needs
/// unique names must check for collisions: two requests answer the same person with probability
/// 1/1,024 and the same medical entity with probability 1/200.
enum InventedName {
    /// Prompt words (normalised keys) that mark a request for an invented entity.
    static let markers: Set<String> = ["fictitious", "invent", "invented", "non-existent", "nonexistent", "made-up"]
    /// Prompt words that make the invented entity medical rather than a person (unless the prompt asks
    /// for a person, whose examples may well mention a disorder).
    static let medicalMarkers: Set<String> = ["medical", "disease", "syndrome", "disorder", "drug"]

    static let givenNames = [
        "Aldric", "Brisa", "Caedmon", "Delphine", "Eamon", "Fenna", "Galen", "Hesper", "Ilario", "Jorun", "Kasimir", "Liora",
        "Mattias", "Nerys", "Orrin", "Perpetua", "Quentin", "Rosalind", "Severin", "Tamsin", "Ulric", "Vesna", "Wendel", "Xanthe",
        "Yorick", "Zelie", "Anselm", "Brunhild", "Cosimo", "Dagny", "Emrys", "Fiora",
    ]
    static let familyNames = [
        "Ashgrove", "Belcourt", "Corrigall", "Dunmarrow", "Eskeland", "Falkenrath", "Greywell", "Halloran", "Ingleby",
        "Jessamy", "Kettleburn", "Lindqvist", "Marchetti", "Nethercott", "Oyelaran", "Pendragast", "Quarrington", "Rathbone",
        "Sorvino", "Thistlewood", "Underhay", "Varga-Lind", "Whitlock", "Yarborough", "Zelenko", "Abernathy", "Brightwater",
        "Castellane", "Drummond", "Everleigh", "Fairbairn", "Gorsuch",
    ]
    static let medicalStems = [
        "Velmoric", "Standish", "Orland", "Kessler-Vane", "Pratchley", "Dumonde", "Halvorsen", "Tiberian", "Marrow-Finch",
        "Esterly", "Crowhurst", "Lindane", "Auberon", "Greaves", "Noctilune", "Pellham", "Sarrow", "Quennell", "Ravensdale",
        "Brackwell",
    ]
    static let medicalKinds = [
        "syndrome", "disease", "fever", "dystrophy", "myopathy", "anaemia", "neuropathy", "dermatosis", "encephalopathy", "carditis",
    ]

    /// Whether `promptKeys` ask for something invented.
    static func isRequested(promptKeys: Set<String>) -> Bool {
        !markers.isDisjoint(with: promptKeys)
    }

    /// A person's name, or a medical entity's when the prompt is about medicine.
    static func make(promptKeys: Set<String>, rng: inout SplitMix64) -> String {
        if !medicalMarkers.isDisjoint(with: promptKeys) && !promptKeys.contains("person") {
            return "\(medicalStems[rng.nextIndex(medicalStems.count)]) \(medicalKinds[rng.nextIndex(medicalKinds.count)])"
        }
        return "\(givenNames[rng.nextIndex(givenNames.count)]) \(familyNames[rng.nextIndex(familyNames.count)])"
    }
}
