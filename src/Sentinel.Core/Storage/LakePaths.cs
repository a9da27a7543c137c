namespace Sentinel.Storage;

/// <summary>Where everything lives under a lake root (DESIGN §4).</summary>
internal sealed record LakePaths(string Root)
{
    public string Events => Path.Combine(Root, "events");
    public string Performance => Path.Combine(Root, "performance");
    public string Catalog => Path.Combine(Root, "catalog");
    public string Bundles => Path.Combine(Root, "bundles");
    public string Quarantine => Path.Combine(Root, "quarantine");
    public string State => Path.Combine(Root, "state");
    public string Journal => Path.Combine(State, "journal");

    /// <summary>Tombstones of forgotten uploads: one empty file per content id (bundle_id), nothing else.</summary>
    public string Forgotten => Path.Combine(State, "forgotten");
    public string Staging => Path.Combine(Root, "_staging");
    public string LockFile => Path.Combine(Root, ".sentinel.lock");

    /// <summary>The Hive partition directory for a library and version.</summary>
    public static string Partition(string table, string library, string version) =>
        Path.Combine(table, $"library={Escape(library)}", $"version={Escape(version)}");

    // Partition values are validated identifiers/versions already; this only guards the filesystem.
    private static string Escape(string value) =>
        string.Concat(value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+' ? c.ToString() : $"%{(int)c:X2}"));

    /// <summary>True when the table holds at least one committed Parquet file.</summary>
    public static bool HasFiles(string table) =>
        Directory.Exists(table) && Directory.EnumerateFiles(table, "*.parquet", SearchOption.AllDirectories).Any();
}
