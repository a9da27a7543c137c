using System.Text.Json;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Triage;

/// <summary>Triage and its decisions end to end through the real `sentinel` binary.</summary>
public sealed class ApprovalWorkflowTests : IDisposable
{
    private readonly TempDir _dir = new("sentinel-approval");

    private string Lake => _dir.Sub("lake");

    private SentinelRunner.ProcessResult Sentinel(params string[] args) => SentinelRunner.Cli(_dir.Path, [.. args, "--lake", Lake]);

    private void Release(string version, bool withOldWarning)
    {
        var bundles = _dir.Sub("bundles-" + version);
        for (var run = 0; run < 5; run++)
        {
            var events = new List<SyntheticEvent>();
            if (withOldWarning)
            {
                events.Add(new SyntheticEvent("WARNING", "ALPHA-W001", "00000000000000b1"));
            }

            if (run == 0)
            {
                events.Add(new SyntheticEvent("ERROR", "ALPHA-E001", "00000000000000e1"));
            }

            SyntheticBundle.Write(bundles, "alpha", version, run, events, day: run);
        }

        Assert.Equal(0, Sentinel("ingest", bundles).ExitCode);
        Assert.Equal(0, Sentinel("aggregate").ExitCode);
    }

    private Dictionary<string, JsonElement> List(string? status = null)
    {
        var r = status is null ? Sentinel("triage", "list", "--format", "json") : Sentinel("triage", "list", "--status", status, "--format", "json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("code").GetString() ?? "", e => e.Clone());
    }

    [Fact]
    public void Approve_reject_double_decisions_and_a_stale_proposal()
    {
        Release("1.0.0", withOldWarning: true);
        var triage = Sentinel("triage", "--provider", "none", "--format", "json");
        Assert.Equal(0, triage.ExitCode);
        using (var doc = JsonDocument.Parse(triage.Stdout))
        {
            Assert.True(doc.RootElement.GetProperty("result").GetProperty("new").GetInt32() >= 2);
        }

        var pending = List();
        var warning = pending["ALPHA-W001"].GetProperty("id").GetString()!;
        var error = pending["ALPHA-E001"].GetProperty("id").GetString()!;
        Assert.Equal("pending", pending["ALPHA-W001"].GetProperty("status").GetString());

        var approved = Sentinel("triage", "--approve", warning, "--by", "maintainer-a", "--note", "known, fix planned", "--format", "json");
        Assert.Equal(0, approved.ExitCode);
        using (var doc = JsonDocument.Parse(approved.Stdout))
        {
            Assert.Equal("approved", doc.RootElement.GetProperty("status").GetString());
            var decision = doc.RootElement.GetProperty("decisions")[0];
            Assert.Equal(("approve", "maintainer-a", "known, fix planned"),
                (decision.GetProperty("action").GetString(), decision.GetProperty("by").GetString(), decision.GetProperty("note").GetString()));
            Assert.True(DateTimeOffset.UtcNow - decision.GetProperty("at").GetDateTimeOffset() < TimeSpan.FromMinutes(5));
        }

        var twice = Sentinel("triage", "--approve", warning);
        Assert.Equal(1, twice.ExitCode);
        Assert.Contains("already approved", twice.Stderr, StringComparison.Ordinal);
        Assert.Contains("maintainer-a", twice.Stderr, StringComparison.Ordinal);

        var unknown = Sentinel("triage", "--approve", "p-0000000000");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no proposal 'p-0000000000'", unknown.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, Sentinel("triage", "--reject", error, "--by", "maintainer-b").ExitCode);
        Assert.Equal(1, Sentinel("triage", "--reject", error).ExitCode);
        Assert.DoesNotContain("ALPHA-W001", List().Keys);

        // Nothing changed: a second triage keeps the decisions.
        Assert.Equal(0, Sentinel("triage").ExitCode);
        Assert.Contains("ALPHA-W001", List("approved").Keys);
        Assert.Contains("ALPHA-E001", List("rejected").Keys);

        // 1.1.0 no longer warns: the approved proposal's signal changed materially (fixed in 1.1.0).
        Release("1.1.0", withOldWarning: false);
        Assert.Equal(0, Sentinel("triage").ExitCode);
        var stale = List("stale");
        Assert.Contains("ALPHA-W001", stale.Keys);
        var show = Sentinel("triage", "show", warning, "--format", "json");
        using (var doc = JsonDocument.Parse(show.Stdout))
        {
            Assert.Equal("fixed", doc.RootElement.GetProperty("kind").GetString());
            Assert.Equal("1.1.0", doc.RootElement.GetProperty("signal").GetProperty("fixed_in_version").GetString());
        }

        // A stale proposal takes a new decision; the history keeps both.
        Assert.Equal(0, Sentinel("triage", "--approve", warning, "--by", "maintainer-a").ExitCode);
        using (var doc = JsonDocument.Parse(Sentinel("triage", "show", warning, "--format", "json").Stdout))
        {
            Assert.Equal("approved", doc.RootElement.GetProperty("status").GetString());
            Assert.Equal(2, doc.RootElement.GetProperty("decisions").GetArrayLength());
        }

        var both = Sentinel("triage", "--approve", warning, "--reject", warning);
        Assert.Equal(1, both.ExitCode);
    }

    [Fact]
    public void Triage_before_aggregate_says_what_to_do()
    {
        Directory.CreateDirectory(Lake);
        var r = Sentinel("triage");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("sentinel aggregate", r.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
