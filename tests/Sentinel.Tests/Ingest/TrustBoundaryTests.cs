using System.Text;
using Sentinel.Config;
using Sentinel.Ingest;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Ingest;

/// <summary>
/// Issue 15: credential- and PII-shaped values in every identifier-shaped field of fresh hostile bundles (none of them
/// from the corpus) never reach the lake (decoded cells and partition paths), <c>state/</c>, the summaries, either
/// site, the report in any format, or the command's output; the good values beside them are stored.
/// </summary>
public sealed class TrustBoundaryTests : IDisposable
{
    // Fresh, format-valid fakes, one per shape of the issue.
    private const string Stripe = "sk_live_9Hq2LyjWDa7rjtT1zdp7dcQx";
    private const string Npm = "npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";
    private const string HuggingFace = "hf_QxVbTrLmNpKsWdYzHgFjCeRaUoIiEnBtMlk";
    private const string Telegram = "5867392014:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq";
    private const string DbPassword = "DB_PASSWORD:hunter2hunter2";
    private const string MachineKey = "a8F3kLq9ZmX2vB7nR4tY6wE1sD5gH0jP";
    private const string LocalLabel = "npm_Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8";
    private const string Postgres = "postgres://app:S3cretPw@db.internal:5432/prod";
    private const string Phone = "+34 612 345 678";
    private const string Card = "4111 1111 1111 1111";
    private const string Mac = "00:1A:2B:3C:4D:5E";
    private const string Email = "josé.garcía@universidad.es";
    private const string Pgp = "-----BEGIN PGP PRIVATE KEY BLOCK-----";

    private static readonly string[] Planted =
        [Stripe, Npm, HuggingFace, Telegram, "hunter2hunter2", MachineKey, LocalLabel, "S3cretPw", "612 345 678", Card, Mac, "universidad.es", "PGP PRIVATE"];

    private readonly TempDir _dir = new("sentinel-trust");

    public void Dispose() => _dir.Dispose();

    private static string Q(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    private static string Event(int i, string code, string? category = null, string exceptionType = "RuntimeError", string version = "1.0.0") =>
        "{\"timestamp\":\"2026-10-01T12:00:" + (i % 60).ToString("00", System.Globalization.CultureInfo.InvariantCulture) + "+00:00\",\"level\":\"ERROR\",\"source\":\"alpha.core\",\"message\":\"m\",\"code\":" + Q(code)
        + ",\"category\":" + (category is null ? "null" : Q(category)) + ",\"exception_type\":" + Q(exceptionType)
        + ",\"fingerprint\":\"" + (i + 1).ToString("x16", System.Globalization.CultureInfo.InvariantCulture) + "\",\"extra\":{\"library\":\"alpha\",\"version\":" + Q(version) + "}}";

    private string HostileBundle(int run)
    {
        var events = string.Join(",",
            Event(0, "ALPHA-E001"), // the good one
            Event(1, "BOMB-" + Stripe),
            Event(2, "ALPHA-E002", exceptionType: Npm),
            Event(3, "ALPHA-E003", category: HuggingFace),
            Event(4, DbPassword),
            Event(5, "ALPHA-E004", version: "1.0.0+" + LocalLabel));
        var titles = new[] { Postgres, "call " + Phone, "card " + Card, "iface " + Mac, "mail " + Email, Pgp };
        var codes = string.Join(",", titles.Select((t, i) => Q($"ALPHA-E{i + 1:000}") + ":{\"title\":" + Q(t) + ",\"user_hint\":" + Q(t) + "}"));
        var json = "{\"smonitor_version\":\"0.13.0\",\"generated_at\":\"2026-10-01T13:00:00+00:00\",\"python\":{\"version\":\"3.11.9\"},"
            + "\"platform\":{\"system\":\"Linux\",\"machine\":" + Q(MachineKey) + "},\"runtime\":{\"run_id\":\"run" + run + "\"},\"config\":{\"profile\":\"user\"},"
            + "\"codes\":{" + codes + "},\"events\":[" + events + "],\"report\":{\"timings\":{"
            + Q("alpha.core.solve") + ":{\"count\":5,\"p50_ms\":1,\"p95_ms\":2,\"max_ms\":3},"
            + Q("alpha." + Telegram) + ":{\"count\":5,\"p50_ms\":1,\"p95_ms\":2,\"max_ms\":3}}}}";
        var path = Path.Combine(_dir.Sub("in"), $"hostile{run}.json");
        Directory.CreateDirectory(_dir.Sub("in"));
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public async Task NoPlantedValue_ReachesTheLakeStateSummariesSitesReportsLlmIssuesOrOutput_AndTheGoodValuesAreStored()
    {
        for (var run = 0; run < 6; run++)
        {
            HostileBundle(run);
        }

        File.WriteAllText(Path.Combine(_dir.Path, "sentinel.yml"), "privacy:\n  min_runs_public: 3\nlibraries:\n  alpha: {}\n");
        var lake = _dir.Sub("lake");
        var outputs = new StringBuilder();
        foreach (var args in new[]
                 {
                     new[] { "ingest", _dir.Sub("in"), "--json" }, ["aggregate"], ["report"], ["report", "--format", "markdown"],
                     ["report", "--format", "json"], ["dashboard", "--out", _dir.Sub("public"), "--audience", "public"],
                     ["dashboard", "--out", _dir.Sub("maintainers")], ["triage", "--provider", "none"], ["triage", "list", "--format", "json"],
                     ["query", "SELECT * FROM events", "--format", "csv"],
                 })
        {
            var r = SentinelRunner.Cli(_dir.Path, [.. args, "--lake", lake]);
            Assert.True(r.ExitCode == 0, $"sentinel {string.Join(' ', args)} exited {r.ExitCode}: {r.Stderr}");
            outputs.Append(r.Stdout).Append(r.Stderr);
        }

        // The good values are there: the library, its public version, the clean code and timing, the platform's system.
        using (var reader = new LakeReader(lake))
        {
            Assert.Equal(6L, reader.Scalar<long>("SELECT count(*) FROM events WHERE code = 'ALPHA-E001'"));
            Assert.Equal(["1.0.0"], reader.Rows("SELECT DISTINCT version FROM events").Select(r => (string)r[0]!));
            Assert.Equal(["alpha.core.solve"], reader.Rows("SELECT DISTINCT function FROM performance").Select(r => (string)r[0]!));
            Assert.Equal(["Linux-other"], reader.Rows("SELECT DISTINCT platform FROM events").Select(r => (string)r[0]!));

            // Every decoded cell of every table.
            foreach (var table in new[] { "events", "performance", "catalog", "bundles" })
            {
                foreach (var row in reader.Rows($"SELECT * FROM {table}"))
                {
                    foreach (var cell in row.Select(c => c?.ToString() ?? ""))
                    {
                        AssertClean(cell, $"{table} cell");
                    }
                }
            }
        }

        // Every file name and every text file under the lake (partition paths, state/, summary/) and both sites.
        foreach (var root in new[] { lake, _dir.Sub("public"), _dir.Sub("maintainers") })
        {
            foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
            {
                AssertClean(Path.GetRelativePath(root, path), "path");
                if (File.Exists(path) && Path.GetExtension(path) is ".json" or ".html" or ".md" or ".csv" or ".txt" or ".js" or "")
                {
                    AssertClean(File.ReadAllText(path), path);
                }
            }
        }

        // The LLM sees only anonymised aggregates: every request to the (fake, loopback) OpenAI endpoint is clean.
        using (var fake = new FakeOpenAi())
        {
            for (var i = 0; i < 20; i++)
            {
                fake.EnqueueAnswer("A plain cause.", "A plain fix.", "Some runs.", "medium");
            }

            var triage = new TriageConfig { Provider = "openai", Endpoint = fake.BaseUrl, Model = "fake-model", TimeoutSeconds = 5 };
            var llm = new Sentinel.Triage.LlmTriager(Sentinel.Triage.LlmTriager.CreateOpenAiClient(triage), triage, cacheDir: null);
            await Sentinel.Triage.Triager.RunAsync(TestLake.At(lake), "alpha", llm.TriageAsync, CancellationToken.None);
            Assert.NotEmpty(fake.Requests);
            Assert.All(fake.Requests, r => AssertClean(r.Body, "LLM request"));
        }

        // Approve every proposal, then plan the GitHub issues: titles, bodies and markers are clean.
        File.WriteAllText(Path.Combine(_dir.Path, "sentinel.yml"),
            "privacy:\n  min_runs_public: 3\nlibraries:\n  alpha:\n    repo: example/alpha\n    auto_issues: true\n");
        foreach (var p in new Sentinel.Triage.ProposalStore(TestLake.At(lake)).Load())
        {
            Sentinel.Triage.Triager.Decide(TestLake.At(lake), p.Id, Sentinel.Triage.DecisionAction.Approve, "maintainer", "looks right");
        }

        var plan = SentinelRunner.Cli(_dir.Path, "issues", "--dry-run", "--format", "json", "--lake", lake);
        Assert.True(plan.ExitCode == 0, plan.Stderr);
        Assert.Contains("example/alpha", plan.Stdout, StringComparison.Ordinal);
        AssertClean(plan.Stdout + plan.Stderr, "issues --dry-run");
    }

    private static void AssertClean(string text, string where)
    {
        foreach (var planted in Planted)
        {
            Assert.False(text.Contains(planted, StringComparison.Ordinal), $"{where} holds the planted value {planted[..6]}…");
        }
    }

    [Fact]
    public async Task AFingerprintOverADroppedPath_IsReplacedByAKeyedHash_StableInOneLake_DifferentAcrossLakes()
    {
        // smonitor's fingerprint of a warning whose source is the user's script: an unkeyed hash over a home path.
        const string Given = "5d41402abc4b2a76";
        static string Ev(int i, string source, string extra) =>
            "{\"timestamp\":\"2026-10-01T12:00:0" + i + "+00:00\",\"level\":\"WARNING\",\"source\":" + Q(source) + ",\"message\":\"m\",\"code\":\"ALPHA-W001\","
            + "\"fingerprint\":\"" + Given + "\",\"extra\":{\"library\":\"alpha\",\"version\":\"1.0.0\"" + extra + "}}";
        var json = "{\"smonitor_version\":\"0.13.0\",\"generated_at\":\"2026-10-01T13:00:00+00:00\",\"runtime\":{\"run_id\":\"rk\"},\"events\":["
            + string.Join(",", Ev(1, "/home/maria/analysis/run.py", ""), Ev(2, "/home/maria/analysis/run.py", ""),
                Ev(3, "alpha.core", ",\"resource\":\"/home/maria/data/prot.pdb\""), Ev(4, "alpha.core", ""))
            + "]}";
        Directory.CreateDirectory(_dir.Sub("keyed"));
        File.WriteAllText(Path.Combine(_dir.Sub("keyed"), "b.json"), json);

        var hashes = new List<IReadOnlyList<string>>();
        foreach (var lake in new[] { _dir.Sub("lake1"), _dir.Sub("lake2") })
        {
            await SentinelRunner.IngestAsync(lake, [_dir.Sub("keyed")]);
            using var reader = new LakeReader(lake);
            hashes.Add([.. reader.Rows("SELECT trace_hash FROM events ORDER BY timestamp").Select(r => (string)r[0]!)]);
        }

        var (one, two) = (hashes[0], hashes[1]);
        Assert.Equal(4, one.Count);
        Assert.Equal(one[0], one[1]);                     // the same problem stays one problem in a lake
        Assert.NotEqual(Given, one[0]);                   // the path's unkeyed fingerprint is not stored
        Assert.NotEqual(Given, one[2]);                   // nor one over a path in extra.resource
        Assert.Equal(Given, one[3]);                      // nothing dropped: smonitor's fingerprint is kept
        Assert.NotEqual(one[0], two[0]);                  // keyed: another lake (another secret) gives another hash
        Assert.All(one, h => Assert.Matches("^[0-9a-f]{16}$", h));
    }

    [Fact]
    public void Cli_RefusesAVersionOverrideWithALocalLabel()
    {
        var r = SentinelRunner.Cli(_dir.Path, "ingest", HostileBundle(0), "--lake", _dir.Sub("lake"), "--version", "alpha=1.0+" + LocalLabel);
        Assert.Equal(ExitCode.InvalidUsage, r.ExitCode);
        Assert.DoesNotContain(LocalLabel, r.Stdout + r.Stderr, StringComparison.Ordinal);
    }
}
