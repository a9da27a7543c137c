using Sentinel.Aggregate;
using Sentinel.Config;
using Sentinel.Issues;
using Sentinel.Storage;
using Sentinel.Tests.Support;
using Sentinel.Triage;

namespace Sentinel.Tests.Issues;

/// <summary>A clock whose waits end at once (after a few real ms) and move the clock on by the time waited.</summary>
public sealed class InstantTime : TimeProvider
{
    private readonly object _gate = new();
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public TimeSpan Slept { get; private set; }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate)
        {
            _now += by;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (_gate)
            {
                _now += dueTime;
                Slept += dueTime;
            }
        }

        return new Timer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(5), Timeout.InfiniteTimeSpan);
    }
}

/// <summary>A lake with approved proposals, made by the real pipeline: synthetic bundles → ingest → aggregate → triage → approve.</summary>
public sealed class IssuesLake : IDisposable
{
    private readonly TempDir _dir = new("sentinel-issues");

    public string Lake => _dir.Sub("lake");

    public string Dir => _dir.Path;

    /// <summary>Five runs of <paramref name="library"/> <paramref name="version"/>, each with every error code.</summary>
    public async Task ReleaseAsync(string library, string version, IReadOnlyList<string> codes, IReadOnlyDictionary<string, string>? titles = null)
    {
        var bundles = _dir.Sub($"bundles-{library}-{version}");
        for (var run = 0; run < 5; run++)
        {
            var events = codes.Select((c, i) => new SyntheticEvent("ERROR", c, $"00000000000000{i + 0xe0:x2}")).ToList();
            SyntheticBundle.Write(bundles, library, version, run, events, day: run, catalogTitles: titles);
        }

        await SentinelRunner.IngestAsync(Lake, bundles);
        Aggregator.Run(new AggregateOptions(TestLake.At(Lake), new SentinelConfig(), Full: false));
    }

    /// <summary>Triage (heuristics), then approve every pending or stale proposal; returns the approved ones.</summary>
    public async Task<IReadOnlyList<Proposal>> TriageAndApproveAsync(string? library = null)
    {
        await Triager.RunAsync(TestLake.At(Lake), library, null, CancellationToken.None);
        foreach (var p in new ProposalStore(TestLake.At(Lake)).Load().Where(p => p.Status is ProposalStatus.Pending or ProposalStatus.Stale && (library is null || p.Library == library)))
        {
            Triager.Decide(TestLake.At(Lake), p.Id, "approve", "maintainer-a", "seen it, file it");
        }

        return [.. new ProposalStore(TestLake.At(Lake)).Load().Where(p => p.Status == ProposalStatus.Approved)];
    }

    public static SentinelConfig Config(string apiUrl, params (string Library, string Repo, bool Opted)[] libraries)
    {
        var config = new SentinelConfig();
        config.Github.ApiUrl = apiUrl;
        config.Github.MinSecondsBetweenWrites = 1;
        config.Github.RequestTimeoutSeconds = 5;
        foreach (var (library, repo, opted) in libraries)
        {
            config.Libraries[library] = new LibraryConfig { Repo = repo, AutoIssues = opted, Labels = ["sentinel"], MaxNewIssuesPerDay = 10 };
        }

        return config;
    }

    public static GitHubCredentials Token => new("ghp_testtoken", null, null);

    public void Dispose() => _dir.Dispose();
}
