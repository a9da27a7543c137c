using Sentinel.Aggregate;
using Sentinel.Config;
using Sentinel.Ingest;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Aggregate;

/// <summary>
/// The good corpus bundles ingested and aggregated. Bundles whose library version is not visible in
/// the bundle (expected.json → truth.version_visible_in_bundle = false) get it the way an upload
/// manifest would give it: `--version LIB=VER`. Ingested in two halves, so the second aggregate is an
/// incremental one.
/// </summary>
public sealed class AggregatedCorpusFixture : IAsyncLifetime
{
    private readonly TempDir _dir = new("sentinel-aggregate");

    public string Lake => _dir.Sub("lake");

    public AggregateResult First { get; private set; } = null!;

    public AggregateResult Second { get; private set; } = null!;

    public Summaries Summaries { get; private set; } = null!;

    public static SentinelConfig Config { get; } = new();

    public async Task InitializeAsync()
    {
        var bundles = Corpus.Bundles.ToList();
        var half = bundles.Count / 2;
        await IngestAsync(Lake, bundles.Take(half));
        First = Aggregator.Run(new AggregateOptions(Lake, Config, Full: false));
        await IngestAsync(Lake, bundles.Skip(half));
        Second = Aggregator.Run(new AggregateOptions(Lake, Config, Full: false));
        Summaries = Summaries.Load(Lake);
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
            var result = await Ingester.RunAsync(new IngestOptions(paths, lake, Config, overrides) { Clock = clock ?? TimeProvider.System });
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
