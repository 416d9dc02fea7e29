import QuarryPostgres

/// A command that cannot do what it was asked, with a message saying what to do. Exits non-zero.
struct CommandError: Error, CustomStringConvertible {
    enum Code: String {
        /// The id given names nothing.
        case notFound = "not_found"
        /// The schema lacks Quarry's objects (or this version's).
        case notMigrated = "not_migrated"
    }

    var code: Code
    var message: String

    var description: String { message }

    static func noBuild(_ id: Int) -> CommandError {
        CommandError(code: .notFound, message: "there is no build \(id) (see `quarry builds`)")
    }

    /// A database error that means "Quarry's schema is missing or older than this quarry", in words
    /// that say what to run; nil for any other error. Quarry's own SQL names only its own objects, so an
    /// undefined schema, table or function means an unmigrated schema.
    static func notMigrated(_ error: any Error, schema: String) -> CommandError? {
        guard let error = error as? PostgresError, let state = error.sqlState, ["3F000", "42P01", "42883"].contains(state) else { return nil }
        return CommandError(
            code: .notMigrated,
            message: "schema '\(schema)' is not migrated for this version of Quarry (\(error.message)): run `quarry migrate` "
                + "with the same --database-url and --schema, as a member of quarry_owner")
    }
}
