using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Sentinel.Tests.Support;

/// <summary>
/// The smonitor corpus (read-only) and its ground truth, expected.json: vendored in
/// <c>tests/corpus/</c>, or wherever <c>SENTINEL_CORPUS</c> points. The two largest hostile inputs are not
/// vendored byte for byte; they are rebuilt on first use from the recipes in
/// <c>Support/CorpusRecipes/</c> (see <see cref="Recipes"/>).
/// </summary>
public static class Corpus
{
    public const string EnvironmentVariable = "SENTINEL_CORPUS";

    private static readonly Lazy<string> RootDir = new(Locate);
    private static readonly Lazy<JsonDocument> ExpectedDoc = new(() => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Root, "expected.json"))));
    private static readonly Lock RecipeLock = new();

    /// <summary>
    /// Inputs rebuilt from a small recipe instead of stored (11 MB of a 5.4 MB random-number message and
    /// a 1 MB zip bomb would be most of the repository's test data).
    /// </summary>
    private static readonly Dictionary<string, Action<string>> Recipes = new(StringComparer.Ordinal)
    {
        ["bad/huge_string_5mb.json"] = WriteHugeString,
        ["bad/zip_bomb_1GiB.zip"] = WriteZipBomb,
    };

    public static string Root => RootDir.Value;

    public static JsonElement Expected => ExpectedDoc.Value.RootElement;

    /// <summary>The path of a corpus entry; a recipe-built entry is built once per test process, under the temp dir.</summary>
    public static string PathOf(string relative)
    {
        var key = relative.TrimEnd('/');
        var stored = Path.Combine(Root, key);
        if (!Recipes.TryGetValue(key, out var recipe) || File.Exists(stored))
        {
            return stored;
        }

        var built = Path.Combine(GeneratedRoot, key);
        lock (RecipeLock)
        {
            if (!File.Exists(built))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(built)!);
                var tmp = built + ".tmp";
                recipe(tmp);
                File.Move(tmp, built);
            }
        }

        return built;
    }

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

    /// <summary>One folder per test process for recipe-built inputs, removed when the process exits.</summary>
    private static string GeneratedRoot => GeneratedDir.Value;

    private static readonly Lazy<string> GeneratedDir = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), $"sentinel-corpus-built-{Environment.ProcessId}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return dir;
    });

    private static string RecipePath(string name) => Path.Combine(RepoRoot(), "tests", "Sentinel.Tests", "Support", "CorpusRecipes", name);

    /// <summary>
    /// The real bundle of bad/huge_string_5mb.json with its 5,386,899-character message (twice: the event's
    /// and its human summary's) replaced by a placeholder; the message is rebuilt the way it was made, a
    /// "picker returned unexpected coordinates" list of seeded random numbers.
    /// </summary>
    private static void WriteHugeString(string target)
    {
        var template = File.ReadAllText(RecipePath("huge_string_5mb.template.json"), Encoding.UTF8);
        var random = new Random(20261125);
        var message = new StringBuilder("picker returned unexpected coordinates: [", 5_400_000);
        while (message.Length < 5_386_000)
        {
            message.Append((random.Next(0, 4_000_000) / 1000.0).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)).Append(", ");
        }

        message.Length -= 2;
        message.Append(']');
        File.WriteAllText(target, template.Replace("@@HUGE_MESSAGE@@", message.ToString(), StringComparison.Ordinal), new UTF8Encoding(false));
    }

    /// <summary>The corpus zip bomb itself, stored gzip-compressed (4.6 KB instead of 1 MB).</summary>
    private static void WriteZipBomb(string target)
    {
        using var source = new GZipStream(File.OpenRead(RecipePath("zip_bomb_1GiB.zip.gz")), CompressionMode.Decompress);
        using var output = File.Create(target);
        source.CopyTo(output);
    }

    private static string Locate()
    {
        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        var path = !string.IsNullOrEmpty(fromEnv) ? Path.GetFullPath(fromEnv) : Path.Combine(RepoRoot(), "tests", "corpus");
        if (!File.Exists(Path.Combine(path, "expected.json")))
        {
            throw new InvalidOperationException(
                $"The smonitor corpus is missing: expected {path}/expected.json. The tests read the copy vendored in tests/corpus " +
                $"(or ${EnvironmentVariable} when set).");
        }

        return path;
    }
}
