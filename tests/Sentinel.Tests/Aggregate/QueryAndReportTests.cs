using System.Security.Cryptography;
using System.Text.Json;
using Sentinel.Text;
using Sentinel.Aggregate;
using Sentinel.Query;
using Sentinel.Storage;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Aggregate;

public sealed class QueryAndReportTests(AggregatedCorpusFixture fixture) : IClassFixture<AggregatedCorpusFixture>
{
    private string Lake => fixture.Lake;

    private Dictionary<string, string> LakeFingerprint() =>
        Directory.EnumerateFiles(Lake, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains(".sentinel.lock", StringComparison.Ordinal))
            .ToDictionary(f => f, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))), StringComparer.Ordinal);

    [Fact]
    public void Query_sees_the_committed_lake_and_the_summaries()
    {
        using var lake = new LakeReader(Lake);
        var r = LakeQuery.Run(TestLake.At(Lake), "SELECT count(*) AS n, count(DISTINCT library) AS libs FROM events", limit: null);
        Assert.Equal(["n", "libs"], r.Columns);
        Assert.Equal(lake.Scalar<long>("SELECT count(*) FROM events"), Convert.ToInt64(r.Rows[0][0], System.Globalization.CultureInfo.InvariantCulture));

        var versions = LakeQuery.Run(TestLake.At(Lake), "SELECT library, version, status FROM summary_versions ORDER BY library, version_rank", limit: null);
        Assert.Equal(fixture.Summaries.Versions.Select(v => (v.Library, v.Version, v.Status.Name())),
            versions.Rows.Select(row => ((string)row[0]!, (string)row[1]!, (string)row[2]!)));
        Assert.All(["performance", "catalog", "bundles", "summary_problems", "summary_regressions", "summary_libraries", "summary_trends", "summary_environments", "summary_performance"],
            view => Assert.NotNull(LakeQuery.Run(TestLake.At(Lake), $"SELECT count(*) FROM {view}", limit: null)));
    }

    [Theory]
    [InlineData("DROP VIEW events")]
    [InlineData("INSERT INTO events SELECT * FROM events")]
    [InlineData("COPY (SELECT 1) TO '/tmp/sentinel-query-escape.csv'")]
    [InlineData("ATTACH '/tmp/sentinel-query-escape.duckdb' AS x")]
    [InlineData("SET threads = 1")]
    [InlineData("PRAGMA version")]
    [InlineData("CALL pragma_version()")]
    [InlineData("INSTALL httpfs")]
    [InlineData("CREATE TABLE t AS SELECT 1")]
    [InlineData("  /* a comment */ -- and another\n update events set level = 'x'")]
    [InlineData("SELECT 1; DROP VIEW events")]
    [InlineData("WITH x AS (SELECT 1) DELETE FROM events")]
    public void Writes_settings_and_second_statements_are_refused_and_change_nothing(string sql)
    {
        var before = LakeFingerprint();
        var e = Assert.Throws<QueryException>(() => LakeQuery.Run(TestLake.At(Lake), sql, limit: null));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        Assert.Equal(before, LakeFingerprint());
        Assert.False(File.Exists("/tmp/sentinel-query-escape.csv"));
        Assert.False(File.Exists("/tmp/sentinel-query-escape.duckdb"));
    }

    [Theory]
    [InlineData("SELECT * FROM read_text('{lake}/state/secret.key')")]
    [InlineData("SELECT * FROM read_csv('{lake}/state/secret.key', header = false)")]
    [InlineData("SELECT * FROM read_text('/etc/passwd')")]
    [InlineData("SELECT * FROM read_csv('/etc/hostname')")]
    [InlineData("SELECT * FROM glob('/etc/*')")]
    [InlineData("SELECT * FROM read_parquet('{lake}/events/../state/*')")]
    [InlineData("SELECT * FROM read_json('https://example.invalid/x.json')")]
    public void Query_reads_only_the_lake_tables_and_summaries_never_state_or_the_host(string template)
    {
        var sql = template.Replace("{lake}", Path.GetFullPath(Lake), StringComparison.Ordinal);
        var key = File.ReadAllText(Path.Combine(Lake, "state", "secret.key")).Trim();

        var e = Assert.Throws<QueryException>(() => LakeQuery.Run(TestLake.At(Lake), sql, limit: null));

        Assert.DoesNotContain(key, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_limit_truncates_and_says_so()
    {
        var r = LakeQuery.Run(TestLake.At(Lake), "SELECT event_id FROM events", limit: 3);
        Assert.Equal(3, r.Rows.Count);
        Assert.True(r.Truncated);
    }

    [Fact]
    public void An_empty_lake_has_empty_but_typed_views()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.Sub("lake"));
        var r = LakeQuery.Run(TestLake.At(dir.Sub("lake")), "SELECT count(*), max(timestamp), max(library) FROM events", limit: null);
        Assert.Equal(0L, Convert.ToInt64(r.Rows[0][0], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Cli_query_prints_json_and_csv()
    {
        var json = SentinelRunner.Cli(null, "query", "--lake", Lake, "--format", "json",
            "SELECT library, count(*) AS events FROM events GROUP BY library ORDER BY library");
        Assert.Equal(0, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal(fixture.Summaries.Libraries.Select(l => l.Library), doc.RootElement.EnumerateArray().Select(e => e.GetProperty("library").GetString()));

        var csv = SentinelRunner.Cli(null, "query", "--lake", Lake, "--format", "csv", "SELECT 'a,b' AS x, 2 AS y, DATE '2026-11-25' AS d");
        Assert.Equal("x,y,d\n\"a,b\",2,2026-11-25\n", csv.Stdout);

        var dates = SentinelRunner.Cli(null, "query", "--lake", Lake, "--format", "json",
            "SELECT DATE '2026-11-25' AS d, TIMESTAMPTZ '2026-11-25 10:00:00+00' AS t, [1, 2] AS l");
        using var dateDoc = JsonDocument.Parse(dates.Stdout);
        var first = dateDoc.RootElement[0];
        Assert.Equal("2026-11-25", first.GetProperty("d").GetString());
        Assert.Equal("2026-11-25T10:00:00Z", first.GetProperty("t").GetString());
        Assert.Equal(2, first.GetProperty("l").GetArrayLength());

        var refused = SentinelRunner.Cli(null, "query", "--lake", Lake, "DELETE FROM events");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("refused", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("", refused.Stdout);
    }

    [Fact]
    public void Cli_report_as_json_and_markdown()
    {
        var json = SentinelRunner.Cli(null, "report", "--lake", Lake, "--format", "json", "--top", "5");
        Assert.Equal(0, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal(5, doc.RootElement.GetProperty("top_problems").GetArrayLength());
        Assert.False(doc.RootElement.GetProperty("stale").GetBoolean());
        Assert.Equal(fixture.Summaries.Libraries.Count, doc.RootElement.GetProperty("libraries").GetArrayLength());

        var md = SentinelRunner.Cli(null, "report", "--lake", Lake, "--format", "markdown", "--library", "molsysmt");
        Assert.Equal(0, md.ExitCode);
        Assert.StartsWith("# Sentinel health report: molsysmt", md.Stdout, StringComparison.Ordinal);
        Assert.Contains("## Regressions", md.Stdout, StringComparison.Ordinal);
        Assert.Contains("molsysmt.structure.get&#95;rmsd.get&#95;rmsd", md.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("| argdigest |", md.Stdout, StringComparison.Ordinal);

        var table = SentinelRunner.Cli(null, "report", "--lake", Lake);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("molsysmt", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("regressions", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_report_names_what_is_missing()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.Sub("lake"));
        var none = SentinelRunner.Cli(null, "report", "--lake", dir.Sub("lake"));
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("sentinel aggregate", none.Stderr, StringComparison.Ordinal);

        var unknown = SentinelRunner.Cli(null, "report", "--lake", Lake, "--library", "nosuchlib");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("nosuchlib", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains("molsysmt", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_cells_cannot_mention_link_or_break_the_table()
    {
        var cell = MarkdownReport.Cell("a|b @octocat [x](http://evil) ![i](http://e/i.png) `code` <script>\nnext | row");
        Assert.DoesNotContain('|', cell);
        Assert.DoesNotContain('\n', cell);
        Assert.DoesNotContain("@octocat", cell, StringComparison.Ordinal);
        Assert.DoesNotContain("](", cell, StringComparison.Ordinal);
        Assert.DoesNotContain('<', cell);
        Assert.DoesNotContain('`', cell);
    }

    [Fact]
    public void Markdown_cells_and_issue_bodies_share_one_neutraliser_that_breaks_autolinks_and_drops_bidi_overrides()
    {
        const string hostile = "see https://evil.example and www.evil.example \u202Egnp.exe\u2066 =HYPERLINK(1)";
        var cell = MarkdownReport.Cell(hostile);
        Assert.Equal(Sentinel.Issues.IssueBody.Inert(hostile), cell);
        Assert.DoesNotContain("://", cell, StringComparison.Ordinal);
        Assert.DoesNotContain("www.", cell, StringComparison.Ordinal);
        Assert.DoesNotContain('\u202E', cell);
        Assert.DoesNotContain('\u2066', cell);
        Assert.DoesNotContain('\u202E', Sentinel.Issues.IssueBody.Plain(hostile));
    }
}
