using System.Text.RegularExpressions;

namespace Sentinel.Tests.Support;

/// <summary>
/// Golden files for rendered output (tests/Sentinel.Tests/Golden/). Set SENTINEL_UPDATE_GOLDEN=1 to
/// rewrite them, then review the diff like code.
/// </summary>
public static partial class Golden
{
    public static void Verify(string name, string actual)
    {
        var normalized = Normalize(actual);
        var path = Path.Combine(Corpus.RepoRoot(), "tests", "Sentinel.Tests", "Golden", name);
        if (Environment.GetEnvironmentVariable("SENTINEL_UPDATE_GOLDEN") == "1" || !File.Exists(path) && Environment.GetEnvironmentVariable("CI") is null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, normalized);
            return;
        }

        Assert.True(File.Exists(path), $"golden file {path} is missing; run the tests with SENTINEL_UPDATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(path), normalized);
    }

    private static string Normalize(string s) => TempPath().Replace(s.Replace("\r\n", "\n", StringComparison.Ordinal), "<tmp>");

    [GeneratedRegex(@"/tmp/[^\s""]+")]
    private static partial Regex TempPath();
}
