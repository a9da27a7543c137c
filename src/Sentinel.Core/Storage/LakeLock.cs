namespace Sentinel.Storage;

/// <summary>One writer at a time: an exclusive lock file under the lake root.</summary>
public sealed class LakeLock : IDisposable
{
    private readonly FileStream _stream;

    private LakeLock(FileStream stream) => _stream = stream;

    /// <exception cref="LakeLockedException">Another sentinel run holds the lake.</exception>
    /// <exception cref="IOException">The lock file cannot be created or written (disk full, permissions, a folder in
    /// its place): a failure of the lake itself, not "locked" (exit 3, not 4).</exception>
    internal static LakeLock Acquire(LakePaths paths)
    {
        FileStream? stream = null;
        try
        {
            Directory.CreateDirectory(paths.Root);

            // FileShare.None is an flock(LOCK_EX) on Unix: released by the kernel if the process dies.
            stream = new FileStream(paths.LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            var line = System.Text.Encoding.UTF8.GetBytes($"pid {Environment.ProcessId}\n");
            stream.Write(line);
            stream.Flush(flushToDisk: true);
            var taken = new LakeLock(stream);
            stream = null;
            return taken;
        }
        catch (IOException e) when (stream is null && IsHeldByAnother(e))
        {
            throw new LakeLockedException(
                $"{paths.Root}: the lake is locked by another sentinel run; wait for it to finish and retry (this run changed nothing)", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{paths.Root}: cannot take the lake lock {paths.LockFile}: {e.Message} (this run changed nothing)", e);
        }
        finally
        {
            stream?.Dispose();
        }
    }

    /// <summary>
    /// Whether opening the lock file failed because another process holds it: on Unix .NET reports the flock's
    /// EWOULDBLOCK as the IOException's HResult (11 on Linux, 35 on macOS/BSD); on Windows it is a sharing or lock
    /// violation (HRESULT 0x80070020/0x80070021). Every other I/O error is the lake's own failure.
    /// </summary>
    private static bool IsHeldByAnother(IOException e)
    {
        if (OperatingSystem.IsWindows())
        {
            return (e.HResult & 0xFFFF) is 32 or 33;
        }

        return e.HResult == (OperatingSystem.IsLinux() ? 11 : 35);
    }

    public void Dispose() => _stream.Dispose();
}

public sealed class LakeLockedException : Exception
{
    public LakeLockedException(string message) : base(message) { }
    public LakeLockedException() { }
    public LakeLockedException(string message, Exception inner) : base(message, inner) { }
}
