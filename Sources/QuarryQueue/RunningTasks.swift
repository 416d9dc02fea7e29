/// The tasks whose handlers a worker is running, each in a slot numbered below the worker's concurrency.
///
/// A handler's task knows its slot, so finishing is an index, not a lookup: a dictionary keyed by task id
/// cost a hash of the id on every insert, removal and update, three or four per task, where the table
/// is touched only under the worker's lock and the id is needed only by the heartbeat, once per interval.
struct RunningTasks: Sendable {
    /// What the worker keeps about a task whose handler runs: the lease to renew, and how to stop it.
    struct Entry: Sendable {
        var taskID: Int
        var leaseToken: Int
        var handle: Task<Void, Never>?
        var lost = false
    }

    private var entries: [Entry?] = []
    private var freeSlots: [Int] = []
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Takes a free slot for a task about to start.
    mutating func insert(taskID: Int, leaseToken: Int) -> Int {
        let entry = Entry(taskID: taskID, leaseToken: leaseToken)
        count += 1
        if let slot = freeSlots.popLast() {
            entries[slot] = entry
            return slot
        }
        entries.append(entry)
        return entries.count - 1
    }

    /// Frees `slot`; returns whether its task had been lost (nil when the slot was already free). Only the
    /// flag is returned: returning the entry was a retain and a release of its handle per task.
    mutating func remove(slot: Int) -> Bool? {
        guard entries.indices.contains(slot), let lost = entries[slot]?.lost else { return nil }
        entries[slot] = nil
        freeSlots.append(slot)
        count -= 1
        return lost
    }

    /// The entry in `slot` when it still holds `taskID` (the handler has not finished).
    subscript(slot slot: Int, taskID taskID: Int) -> Entry? {
        get {
            guard entries.indices.contains(slot), let entry = entries[slot], entry.taskID == taskID else { return nil }
            return entry
        }
        set {
            guard entries.indices.contains(slot), entries[slot]?.taskID == taskID, let newValue else { return }
            entries[slot] = newValue
        }
    }

    /// Every running task's id, lease token and slot.
    var leases: [(id: Int, leaseToken: Int, slot: Int)] {
        entries.indices.compactMap { slot in entries[slot].map { ($0.taskID, $0.leaseToken, slot) } }
    }

    /// Every running handler that has been started.
    var handles: [Task<Void, Never>] { entries.compactMap { $0?.handle } }
}
