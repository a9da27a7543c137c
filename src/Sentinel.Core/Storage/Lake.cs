namespace Sentinel.Storage;

/// <summary>
/// A lake, opened once by the caller (the CLI, the daily job, a test) and handed to every stage: where everything
/// lives (<see cref="Paths"/>), the clock its timestamps and retention use, its one-writer lock and its key (DuckDB
/// is set up by <see cref="DuckDb.Open"/>). <see cref="Open"/> is a lake that must exist, <see cref="OpenOrCreate"/>
/// one that ingest creates on first write; a stage that reads calls <see cref="Require"/>, the one existence check.
/// </summary>
public sealed class Lake
{
    private Lake(LakePaths paths, TimeProvider clock)
    {
        Paths = paths;
        Clock = clock;
    }

    /// <summary>The lake's folder (absolute).</summary>
    public string Root => Paths.Root;

    /// <summary>The clock of received_at, retention windows and decisions (tests pass a fixed one).</summary>
    public TimeProvider Clock { get; }

    internal LakePaths Paths { get; }

    /// <summary>An existing lake. <paramref name="next"/> says what to do when there is none (e.g. "run `sentinel ingest` first").</summary>
    /// <exception cref="LakeMissingException">No lake at <paramref name="root"/>.</exception>
    public static Lake Open(string root, string next = "run `sentinel ingest` first", TimeProvider? clock = null) =>
        OpenOrCreate(root, clock).Require(next);

    /// <summary>A lake that is created on first write (ingest, the daily job).</summary>
    public static Lake OpenOrCreate(string root, TimeProvider? clock = null) =>
        new(new LakePaths(Path.GetFullPath(root)), clock ?? TimeProvider.System);

    /// <summary>This lake, when it exists.</summary>
    /// <exception cref="LakeMissingException">It does not; <paramref name="next"/> says what to do.</exception>
    public Lake Require(string next = "run `sentinel ingest` first") =>
        Directory.Exists(Paths.Root) ? this : throw new LakeMissingException($"{Paths.Root}: no lake here; {next} (or pass --lake DIR)");

    /// <summary>The one-writer lock (<see cref="LakeLock.Acquire"/>): held until disposed.</summary>
    internal LakeLock Lock() => LakeLock.Acquire(Paths);

    /// <summary>The key of the keyed hashes (<see cref="LakeSecret"/>); <paramref name="create"/> writes one on first use.</summary>
    internal byte[] Secret(bool create) => LakeSecret.Load(Paths, create);

    public override string ToString() => Root;
}

/// <summary>A command that needs a lake found none at the given path (exit 1).</summary>
public sealed class LakeMissingException : Exception
{
    public LakeMissingException(string message) : base(message) { }
    public LakeMissingException() { }
    public LakeMissingException(string message, Exception inner) : base(message, inner) { }
}
