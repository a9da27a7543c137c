using Sentinel.Ingest;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Ingest;

/// <summary>Every good corpus bundle ingested once into one lake, shared by the tests that read it.</summary>
public sealed class CorpusLakeFixture : IAsyncLifetime
{
    private readonly TempDir _dir = new("sentinel-corpus-lake");

    public string Lake => _dir.Sub("lake");

    public IngestResult Result { get; private set; } = null!;

    public LakeReader Reader { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var paths = Corpus.Bundles.Select(b => Corpus.PathOf(b.GetProperty("path").GetString()!)).ToArray();
        Result = await SentinelRunner.IngestAsync(Lake, paths);
        Reader = new LakeReader(Lake);
    }

    /// <summary>The bundle_id prefix (receipt) an input was stored or deduplicated under.</summary>
    public string ReceiptOf(string corpusPath)
    {
        var full = Corpus.PathOf(corpusPath);
        return Result.Outcomes.Single(o => o.Input == full).Receipt!;
    }

    public Task DisposeAsync()
    {
        Reader.Dispose();
        _dir.Dispose();
        return Task.CompletedTask;
    }
}
