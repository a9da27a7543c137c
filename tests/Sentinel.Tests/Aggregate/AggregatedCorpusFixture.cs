using Sentinel.Aggregate;
using Sentinel.Config;
using Sentinel.Ingest;
using Sentinel.Storage;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Aggregate;

/// <summary>
/// The good corpus bundles ingested and aggregated. Bundles whose library version is not visible in
/// the bundle (expected.json → truth.version_visible_in_bundle = false) get it the way an upload
/// manifest would give it: `--version LIB=VER`. Ingested in two halves, so the second aggregate is an
/// incremental one.
/// <para>
/// The corpus is ingested and aggregated once per test process (<see cref="Template"/>); each test class gets
/// its own copy of that lake, so a class that triages or approves changes nobody else's lake.
/// </para>
/// </summary>
public sealed class AggregatedCorpusFixture : IAsyncLifetime
{
    private readonly TempDir _dir = new("sentinel-aggregate");

    public string Lake => _dir.Sub("lake");

    public AggregateResult First { get; private set; } = null!;

    public AggregateResult Second { get; private set; } = null!;

    public Summaries Summaries { get; private set; } = null!;

    public static SentinelConfig Config { get; } = new();

    private static readonly Lazy<Task<(TempDir Dir, AggregateResult First, AggregateResult Second)>> Template = new(BuildTemplateAsync);

    public async Task InitializeAsync()
    {
        var (template, first, second) = await Template.Value;
        CopyLake(template.Sub("lake"), Lake);
        First = first;
        Second = second;
        Summaries = Summaries.Load(TestLake.At(Lake));
    }

    private static async Task<(TempDir Dir, AggregateResult First, AggregateResult Second)> BuildTemplateAsync()
    {
        var dir = new TempDir("sentinel-aggregate-template");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => dir.Dispose();
        var lake = dir.Sub("lake");
        var bundles = Corpus.Bundles.ToList();
        var half = bundles.Count / 2;
        await IngestAsync(lake, bundles.Take(half));
        var first = Aggregator.Run(new AggregateOptions(TestLake.At(lake), Config, Full: false));
        await IngestAsync(lake, bundles.Skip(half));
        var second = Aggregator.Run(new AggregateOptions(TestLake.At(lake), Config, Full: false));
        return (dir, first, second);
    }

    /// <summary>A lake holds no absolute path: a copy of its folder is the same lake (the lock file stays behind).</summary>
    private static void CopyLake(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative == ".sentinel.lock")
            {
                continue;
            }

            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>Ingests corpus bundles, one run per version override (a manifest's worth).</summary>
    public static async Task IngestAsync(string lake, IEnumerable<System.Text.Json.JsonElement> bundles, TimeProvider? clock = null)
    {
        foreach (var group in bundles.GroupBy(ManifestVersion))
        {
            var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
            if (group.Key is { } manifest)
            {
                overrides[manifest.Library] = manifest.Version;
            }

            var paths = group.Select(b => Corpus.PathOf(b.GetProperty("path").GetString()!)).ToArray();
            var result = await Ingester.RunAsync(new IngestOptions(paths, TestLake.At(lake, clock), Config, new VersionHints(overrides, VersionHints.None.Fallback)));
            Assert.Empty(result.Quarantined);
        }
    }

    private static (string Library, string Version)? ManifestVersion(System.Text.Json.JsonElement bundle)
    {
        var truth = bundle.GetProperty("truth");
        return truth.GetProperty("version_visible_in_bundle").GetBoolean()
            ? null
            : (truth.GetProperty("library").GetString()!, truth.GetProperty("library_version").GetString()!);
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}
