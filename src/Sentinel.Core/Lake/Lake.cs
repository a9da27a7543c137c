namespace Sentinel.Lake;

/// <summary>
/// A lake, opened once: where everything lives (<see cref="Paths"/>), the clock its timestamps and retention use,
/// its one-writer lock and its key (DuckDB is set up by <see cref="DuckDb.Open"/>). Every stage starts from
/// <see cref="Open"/> (a lake that must exist) or <see cref="OpenOrCreate"/> (ingest), instead of re-deriving
/// these from a path string.
/// </summary>
internal sealed class Lake
{
    private Lake(LakePaths paths, TimeProvider clock)
    {
        Paths = paths;
        Clock = clock;
    }

    public LakePaths Paths { get; }

    public TimeProvider Clock { get; }

    /// <summary>An existing lake. <paramref name="next"/> says what to do when there is none (e.g. "run `sentinel ingest` first").</summary>
    /// <exception cref="LakeMissingException">No lake at <paramref name="root"/>.</exception>
    public static Lake Open(string root, string next = "run `sentinel ingest` first", TimeProvider? clock = null)
    {
        var paths = new LakePaths(Path.GetFullPath(root));
        return Directory.Exists(paths.Root)
            ? new Lake(paths, clock ?? TimeProvider.System)
            : throw new LakeMissingException($"{paths.Root}: no lake here; {next} (or pass --lake DIR)");
    }

    /// <summary>A lake that is created on first write (ingest).</summary>
    public static Lake OpenOrCreate(string root, TimeProvider? clock = null) =>
        new(new LakePaths(Path.GetFullPath(root)), clock ?? TimeProvider.System);

    /// <summary>The one-writer lock (<see cref="LakeLock.Acquire"/>): held until disposed.</summary>
    public LakeLock Lock() => LakeLock.Acquire(Paths);

    /// <summary>The key of the keyed hashes (<see cref="LakeSecret"/>); <paramref name="create"/> writes one on first use.</summary>
    public byte[] Secret(bool create) => LakeSecret.Load(Paths, create);
}

/// <summary>A command that needs a lake found none at the given path (exit 1).</summary>
public sealed class LakeMissingException : Exception
{
    public LakeMissingException(string message) : base(message) { }
    public LakeMissingException() { }
    public LakeMissingException(string message, Exception inner) : base(message, inner) { }
}
