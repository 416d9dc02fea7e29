import Foundation

/// glibc malloc settings for a long-running worker, applied when `quarry` starts (every subcommand).
///
/// By default glibc hands freed memory at the top of a heap back to the kernel as soon as more than 128 KB is
/// free, and takes it back (page faults, zeroed pages) on the next batch. A worker's memory rises and falls
/// with every claimed batch, so that churn ran on every batch: profiling a no-op task showed a third of the
/// worker's CPU under `sysmalloc`, page faults and `madvise`, and these two settings cut the worker's CPU per
/// task by about a third in `quarry bench queue` (README, Benchmarks). Freed memory up to the trim threshold
/// stays with the process for reuse; allocations above the mmap threshold still get their own mapping.
public enum MemoryTuning {
    static let trimThreshold: Int32 = 64 << 20
    static let mmapThreshold: Int32 = 4 << 20

    /// Applies the settings unless the operator chose glibc tunables (`GLIBC_TUNABLES`) themselves.
    public static func apply(environment: [String: String] = ProcessInfo.processInfo.environment) {
        #if os(Linux)
        guard environment["GLIBC_TUNABLES"] == nil else { return }
        _ = glibcMallopt(-1, trimThreshold)  // M_TRIM_THRESHOLD in <malloc.h>
        _ = glibcMallopt(-3, mmapThreshold)  // M_MMAP_THRESHOLD
        #endif
    }
}

#if os(Linux)
/// glibc's `int mallopt(int param, int value)`, which Swift's Glibc module does not export (<malloc.h> is not
/// in its module map).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
