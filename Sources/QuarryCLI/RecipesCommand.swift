import ArgumentParser
import QuarryJSON
import QuarryRecipes

/// `quarry recipes`: what each recipe Quarry knows reads, can be tuned with and calls, as a spec needs it.
struct RecipesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recipes",
        abstract: "List the recipes, with their parameters, endpoint roles and input fields.",
        discussion: """
            A build spec names one recipe (`recipe: NAME`), maps every role to an endpoint (`endpoints:`), maps \
            the input fields to the record's fields (`input.fields:`) and may set parameters (`parameters:`). \
            `quarry demo --recipe NAME` runs a recipe's bundled example.
            """)

    @Argument(help: "Show only this recipe.")
    var name: String?

    func run() throws {
        let catalog = RecipeCatalog.standard
        let recipes = try name.map { [try catalog.recipe(named: $0)] } ?? catalog.recipes.sorted { $0.name < $1.name }
        print(recipes.map(Self.describe).joined(separator: "\n"))
    }

    static func describe(_ recipe: any Recipe) -> String {
        var lines = ["\(recipe.name): \(recipe.summary)", "  roles:"]
        for role in recipe.roles { lines.append("    \(role.name) — \(role.help)") }
        lines.append("  input fields:")
        for field in recipe.inputFields {
            let notes = [field.required ? "required" : "optional", field.retrievable ? "retrievable" : nil].compactMap { $0 }.joined(separator: ", ")
            lines.append("    \(field.name) (\(notes)) — \(field.help)")
        }
        lines.append("  parameters:")
        for parameter in recipe.parameters {
            lines.append("    \(parameter.name) = \(parameter.defaultValue.canonicalString) (\(describe(parameter.kind))) — \(parameter.help)")
        }
        lines.append("  example: quarry demo --recipe \(recipe.name)")
        return lines.joined(separator: "\n") + "\n"
    }

    static func describe(_ kind: RecipeParameter.Kind) -> String {
        switch kind {
        case .integer(let range): "integer \(range.lowerBound)…\(range.upperBound)"
        case .number(let range): "number \(range.lowerBound)…\(range.upperBound)"
        case .boolean: "boolean"
        case .choice(let options): "one of \(options.joined(separator: ", "))"
        case .text: "text"
        }
    }
}
