using System.Text.Json;

namespace Sentinel.Tests.Support;

/// <summary>The shared smonitor corpus (read-only) and its ground truth, expected.json.</summary>
public static class Corpus
{
    private static readonly Lazy<string> RootDir = new(Locate);
    private static readonly Lazy<JsonDocument> ExpectedDoc = new(() => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Root, "expected.json"))));

    public static string Root => RootDir.Value;

    public static JsonElement Expected => ExpectedDoc.Value.RootElement;

    public static string PathOf(string relative) => Path.Combine(Root, relative.TrimEnd('/'));

    public static IEnumerable<JsonElement> Bundles => Expected.GetProperty("bundles").EnumerateArray();

    public static IEnumerable<JsonElement> Bad => Expected.GetProperty("bad").EnumerateArray();

    public static JsonElement Bundle(string path) => Bundles.Single(b => b.GetProperty("path").GetString()!.TrimEnd('/') == path.TrimEnd('/'));

    /// <summary>Every planted secret value (fake, format-valid) in the corpus.</summary>
    public static IReadOnlyList<string> PlantedSecrets => [.. Bundles
        .SelectMany(b => b.GetProperty("planted_pii").EnumerateArray())
        .Select(p => p.GetProperty("value").GetString()!)
        .Where(v => v.Length >= 6)
        .Distinct()];

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Sentinel.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Sentinel.sln) above " + AppContext.BaseDirectory);
    }

    private static string Locate()
    {
        var fromEnv = Environment.GetEnvironmentVariable("SENTINEL_CORPUS");
        var path = !string.IsNullOrEmpty(fromEnv) ? fromEnv : Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared", "corpus"));
        if (!File.Exists(Path.Combine(path, "expected.json")))
        {
            throw new InvalidOperationException(
                $"The smonitor corpus is missing: expected {path}/expected.json. Tests read it from ../shared/corpus relative to the " +
                "repository root (or from $SENTINEL_CORPUS).");
        }

        return path;
    }
}
