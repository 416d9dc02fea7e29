import QuarryHTTP

extension LLMService {
    /// Runs one call on an HTTP driver thread (see `LLMServiceConfiguration.runsOnHTTPDriver`): the task
    /// moves there once, and its HTTP exchanges then complete without waking another thread.
    func onHTTPDriver<T>(_ body: () async throws -> T) async throws -> T {
        guard configuration.runsOnHTTPDriver else { return try await body() }
        let executors = http.taskExecutors
        let index = Int(nextDriver.wrappingAdd(1, ordering: .relaxed).oldValue % UInt(executors.count))
        return try await withTaskExecutorPreference(executors[index]) { try await body() }
    }
}
