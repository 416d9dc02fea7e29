import QuarryPostgres

/// A build's tasks with their results, in numeric key order (`r2` before `r10`), as exporters and barriers
/// read them (`TaskQueue.tasks(buildID:kinds:pageSize:)`).
///
/// The first `next()` reads the ids of the build's tasks in that order, in one query: the build is sorted
/// once, and the iteration holds 8 bytes per task. Rows are then read a page at a time, when the consumer
/// asks for them. Paging by key instead sorted all of the build's tasks for every page (the numeric
/// collation has no index): 430 ms a page and over a minute for a build of 400,000 tasks, growing with the
/// square of its size.
public struct BuildTaskRows: AsyncSequence, Sendable {
    public typealias Element = TaskResultRow

    let queue: TaskQueue
    let buildID: Int
    let kinds: [String]?
    let pageSize: Int

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(rows: self)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let rows: BuildTaskRows
        /// The build's task ids in key order, read on the first call.
        var order: [Int]?
        var nextInOrder = 0
        var page: [TaskResultRow] = []
        var nextInPage = 0

        public mutating func next() async throws -> TaskResultRow? {
            while nextInPage == page.count {
                let order = try await loadedOrder()
                guard nextInOrder < order.count else { return nil }
                let ids = Array(order[nextInOrder..<Swift.min(nextInOrder + Swift.max(rows.pageSize, 1), order.count)])
                nextInOrder += ids.count
                // A task deleted since the order was read (its build pruned) is skipped.
                page = try await rows.queue.taskRows(ids: ids)
                nextInPage = 0
            }
            defer { nextInPage += 1 }
            return page[nextInPage]
        }

        private mutating func loadedOrder() async throws -> [Int] {
            if let order { return order }
            let loaded = try await rows.queue.taskOrder(buildID: rows.buildID, kinds: rows.kinds)
            order = loaded
            return loaded
        }
    }
}
