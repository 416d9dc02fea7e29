import Foundation

/// CPU time (user + system, in seconds) of processes on this machine, for the benchmarks' per-task CPU
/// figures: a live process's from /proc/PID/stat, this process's reaped children's from getrusage, and a
/// PostgreSQL cluster's as its postmaster's plus every live child's (the postmaster's own cutime/cstime
/// already holds the backends that have exited).
enum ProcessCPU {
    /// One /proc/PID/stat line's fields after the command name: [0] is the state (field 3 in proc(5)).
    private static func statFields(_ pid: pid_t) -> [Substring]? {
        let descriptor = open("/proc/\(pid)/stat", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(descriptor, &buffer, buffer.count)
        guard count > 0 else { return nil }
        let line = String(decoding: buffer[0..<count], as: UTF8.self)
        // The command name may hold spaces and parentheses; it ends at the last ')'.
        guard let close = line.lastIndex(of: ")") else { return nil }
        let fields = line[line.index(after: close)...].split(separator: " ")
        return fields.count > 14 ? fields : nil
    }

    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// utime + stime of a live process (and, with `reapedChildren`, of its children it has waited for).
    static func seconds(of pid: pid_t, reapedChildren: Bool = false) -> Double? {
        guard let fields = statFields(pid) else { return nil }
        let indices = reapedChildren ? [11, 12, 13, 14] : [11, 12]
        let ticks = indices.compactMap { Double(fields[$0]) }.reduce(0, +)
        return ticks / ticksPerSecond
    }

    /// stime alone of a live process: the part of its CPU spent in the kernel (system calls, the network).
    static func systemSeconds(of pid: pid_t) -> Double? {
        guard let fields = statFields(pid), let ticks = Double(fields[12]) else { return nil }
        return ticks / ticksPerSecond
    }

    /// User + system CPU of this process's children that have been waited for (getrusage RUSAGE_CHILDREN).
    static func reapedChildrenSeconds() -> Double {
        let (user, system) = reapedChildrenTimes()
        return user + system
    }

    /// The system part alone of `reapedChildrenSeconds()`.
    static func reapedChildrenSystemSeconds() -> Double { reapedChildrenTimes().system }

    private static func reapedChildrenTimes() -> (user: Double, system: Double) {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return (seconds(usage.ru_utime), seconds(usage.ru_stime))
    }

    private static func command(of pid: pid_t) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) else { return nil }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The postmaster of a backend whose pid the server reported (`pg_backend_pid()`), when that backend
    /// runs on this machine; nil for a remote server.
    static func postmaster(ofBackend backend: pid_t) -> pid_t? {
        guard let fields = statFields(backend), let parent = pid_t(fields[1]),
            command(of: backend)?.hasPrefix("postgres") == true, command(of: parent)?.hasPrefix("postgres") == true
        else { return nil }
        return parent
    }

    /// The whole cluster's CPU so far: the postmaster with its reaped children, plus its live children.
    static func clusterSeconds(postmaster: pid_t) -> Double? {
        guard var total = seconds(of: postmaster, reapedChildren: true),
            let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc")
        else { return nil }
        for entry in entries {
            guard let pid = pid_t(entry), let fields = statFields(pid), pid_t(fields[1]) == postmaster else { continue }
            total += seconds(of: pid, reapedChildren: true) ?? 0
        }
        return total
    }
}
