namespace Sentinel.Lake;

/// <summary>One writer at a time: an exclusive lock file under the lake root.</summary>
public sealed class LakeLock : IDisposable
{
    private readonly FileStream _stream;

    private LakeLock(FileStream stream) => _stream = stream;

    /// <exception cref="LakeLockedException">Another sentinel run holds the lake.</exception>
    public static LakeLock Acquire(LakePaths paths)
    {
        Directory.CreateDirectory(paths.Root);
        try
        {
            // FileShare.None is an flock(LOCK_EX) on Unix: released by the kernel if the process dies.
            var stream = new FileStream(paths.LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            var line = System.Text.Encoding.UTF8.GetBytes($"pid {Environment.ProcessId}\n");
            stream.Write(line);
            stream.Flush(flushToDisk: true);
            return new LakeLock(stream);
        }
        catch (IOException)
        {
            throw new LakeLockedException(
                $"{paths.Root}: the lake is locked by another sentinel run; wait for it to finish and retry (this run changed nothing)");
        }
    }

    public void Dispose() => _stream.Dispose();
}

public sealed class LakeLockedException : Exception
{
    public LakeLockedException(string message) : base(message) { }
    public LakeLockedException() { }
    public LakeLockedException(string message, Exception inner) : base(message, inner) { }
}
