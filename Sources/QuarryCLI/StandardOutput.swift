#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Standard output as the commands use it: progress lines (`[demo] …`, a build's counts and rate) and reports.
public enum StandardOutput {
    /// Writes each line as it is printed. The C library buffers standard output in 4 KB blocks when it is a pipe
    /// or a file rather than a terminal, so under `| tee`, a process manager or `docker logs` the progress of a
    /// build arrived in bursts, minutes late, and the last lines of a killed process never arrived.
    public static func flushEachLine() {
        // Called once, from `main`, before any other thread exists or anything is printed.
        setvbuf(stdout, nil, _IOLBF, 0)
    }
}
