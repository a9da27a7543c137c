using System.Text.RegularExpressions;

namespace Sentinel.Tests.Support;

/// <summary>
/// Golden files for rendered output (tests/Sentinel.Tests/Golden/). A missing golden file fails the test,
/// in CI and locally alike. <c>SENTINEL_UPDATE_GOLDEN=1</c> writes the actual output to the golden file
/// and still fails that run, so an update is always a deliberate, reviewed diff.
/// </summary>
public static partial class Golden
{
    public const string UpdateVariable = "SENTINEL_UPDATE_GOLDEN";

    public static void Verify(string name, string actual) =>
        Verify(Path.Combine(Corpus.RepoRoot(), "tests", "Sentinel.Tests", "Golden"), name, actual, Environment.GetEnvironmentVariable(UpdateVariable) == "1");

    /// <summary>Compares <paramref name="actual"/> with <paramref name="folder"/>/<paramref name="name"/>.</summary>
    internal static void Verify(string folder, string name, string actual, bool update)
    {
        var normalized = Normalize(actual);
        var path = Path.Combine(folder, name);
        if (update)
        {
            var unchanged = File.Exists(path) && File.ReadAllText(path) == normalized;
            if (!unchanged)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, normalized);
                Assert.Fail($"golden file {path} was written ({UpdateVariable}=1); review the diff and run the tests again without it");
            }

            return;
        }

        Assert.True(File.Exists(path), $"golden file {path} is missing; run the tests once with {UpdateVariable}=1 to write it, then review it like code");
        Assert.Equal(File.ReadAllText(path), normalized);
    }

    private static string Normalize(string s) => TempPath().Replace(s.Replace("\r\n", "\n", StringComparison.Ordinal), "<tmp>");

    [GeneratedRegex(@"/tmp/[^\s""]+")]
    private static partial Regex TempPath();
}
