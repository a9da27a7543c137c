using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Sentinel.Issues;
using Sentinel.Tests.Support;
using Sentinel.Triage;

namespace Sentinel.Tests.Issues;

public sealed class IssueBodyAndAuthTests : IDisposable
{
    private const string Evil = "Boom @org/team [x](http://evil) ![i](http://evil/p.png) </details> | cell ``` www.evil.com <script>";
    private readonly FakeGitHub _github = new();
    private readonly IssuesLake _lake = new();

    private static Proposal Hostile()
    {
        var signal = new ProblemSignal("alpha", "problem", "ALPHA-E001", "00000000000000e1", null, "ERROR", "RuntimeError", Evil,
            42, 7, 20, 0.35, ["1.0.0", "1.1.0"], "1.0.0", "1.1.0", "1.1.0", "1.1.0", "confirmed", null, null,
            ["Linux-x86_64", "Darwin-arm64"], ["3.11", "3.12"], ["Linux-x86_64", "Darwin-arm64"], ["3.11", "3.12"],
            new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 9), null, null, null, null, null, null, null, null, null,
            "ALPHA-E001", ["00000000000000e1", "00000000000000e2"], null, 5, 8);
        var heuristic = new Verdict("heuristic", "regression_introduced", "ALPHA-E001 is new in 1.1.0", "cause", "fix", "high", 0.35, "medium");
        var llm = new Verdict("llm", "regression_introduced", "New in 1.1.0 @someone ](http://evil) </details>",
            "The loader now rejects `x`\n```\n</details>\n[link](http://evil)", "Ping @org/team and see https://evil.example", "high", 0.35, "medium");
        var at = new DateTimeOffset(2026, 10, 10, 9, 30, 0, TimeSpan.Zero);
        return new Proposal("p-0123456789", "alpha|problem|ALPHA-E001", "alpha", "regression_introduced", ProposalStatus.Approved, "s",
            signal, "m", heuristic, llm, null, at, at, [new Decision(DecisionAction.Approve, "maintainer-a", at, "ok @org/team", "m")]);
    }

    [Fact]
    public void A_performance_issue_says_only_what_is_known_no_question_marks_and_no_zero_events()
    {
        var p = Hostile();
        var perf = p.Signal with
        {
            Kind = "performance", Code = null, TraceHash = null, Function = "alpha.core.solve", Level = null, ExceptionType = null,
            CatalogTitle = null, Events = 0, FirstSeen = null, LastSeen = null, NewInVersion = null, NewInStatus = null,
            PerfFromVersion = "1.0.0", PerfToVersion = "1.1.0", PerfRatio = 3.1, PerfPValue = 0.00004, PerfBeforeMs = 2.0, PerfAfterMs = 6.2,
            PerfRunsBefore = 8, PerfRunsAfter = 9, PerfStatus = "confirmed",
        };
        var proposal = p with { Key = "alpha|performance|alpha.core.solve", Kind = "performance_regression", Signal = perf };

        var body = IssueBody.Render(proposal, IssueBody.Key(proposal));
        var comment = IssueBody.Comment(proposal, IssueBody.Key(proposal), regression: true, previousVersion: null);

        Assert.Contains("Measured over **7** of 20 runs", body, StringComparison.Ordinal);
        Assert.Contains("| p95 before / after | 2 ms / 6.2 ms |", body, StringComparison.Ordinal);
        Assert.Contains("| p-value |", body, StringComparison.Ordinal);
        Assert.Contains("0.0001 |", body, StringComparison.Ordinal); // "<0.0001", neutralised for Markdown
        foreach (var text in new[] { body, comment })
        {
            Assert.DoesNotContain(" ?", text, StringComparison.Ordinal);
            Assert.DoesNotContain("?)", text, StringComparison.Ordinal);
            Assert.DoesNotContain("0 events", text, StringComparison.Ordinal);
            Assert.DoesNotContain("last seen", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_issue_body_matches_its_golden_file_and_hostile_text_is_inert()
    {
        var p = Hostile();
        var key = IssueBody.Key(p);
        var body = IssueBody.Render(p, key);
        var title = IssueBody.Title(p);
        Golden.Verify("issue-body.md", $"title: {title}\n\n{body}");

        Assert.StartsWith("<!-- sentinel:key=alpha:problem:ALPHA-E001 -->\n", body, StringComparison.Ordinal);
        Assert.Equal(["alpha:problem:ALPHA-E001:00000000000000e1", "alpha:problem:ALPHA-E001:00000000000000e2"], IssueBody.LegacyKeys(p));
        Assert.DoesNotContain("@org", title, StringComparison.Ordinal); // "@\u200Borg"
        foreach (var text in new[] { body, IssueBody.Comment(p, key, regression: true, "1.0.0") })
        {
            Assert.DoesNotContain("@org", text, StringComparison.Ordinal);
            Assert.DoesNotContain("@someone", text, StringComparison.Ordinal);
            Assert.DoesNotContain("](http", text, StringComparison.Ordinal);
            Assert.DoesNotContain("http://", text, StringComparison.Ordinal);
            Assert.DoesNotContain("https://", text, StringComparison.Ordinal);
            Assert.DoesNotContain("www.evil", text, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", text, StringComparison.Ordinal);
            Assert.Equal(1, Count(text, "</details>")); // only ours
            Assert.Equal(1, Count(text, "<details>"));
            Assert.Equal(2, Count(text, "```")); // the payload's fence, opened and closed once
            // Every table row still has exactly its two cells.
            Assert.All(text.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)), l => Assert.Equal(3, l.Count(c => c == '|')));
        }

        // The payload is valid JSON with the same facts, the hostile text preserved as data.
        var json = body[(body.IndexOf("```json\n", StringComparison.Ordinal) + 8)..body.LastIndexOf("\n```", StringComparison.Ordinal)];
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(Evil, doc.RootElement.GetProperty("catalog_title").GetString());
        Assert.Equal(42, doc.RootElement.GetProperty("events").GetInt32());
        Assert.Equal("maintainer-a", doc.RootElement.GetProperty("approved").GetProperty("by").GetString());
    }

    private static int Count(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;

    [Fact]
    public void The_app_jwt_is_rs256_with_iss_iat_and_exp_as_github_documents()
    {
        using var rsa = RSA.Create(2048);
        var now = new DateTimeOffset(2026, 10, 10, 12, 0, 0, TimeSpan.Zero);
        var jwt = GitHubAppAuth.CreateJwt("123456", rsa.ExportRSAPrivateKeyPem(), now);
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.All(parts, part => Assert.DoesNotContain('=', part));
        using var header = JsonDocument.Parse(FromBase64Url(parts[0]));
        Assert.Equal(("RS256", "JWT"), (header.RootElement.GetProperty("alg").GetString(), header.RootElement.GetProperty("typ").GetString()));
        using var claims = JsonDocument.Parse(FromBase64Url(parts[1]));
        Assert.Equal("123456", claims.RootElement.GetProperty("iss").GetString());
        Assert.Equal(now.AddSeconds(-60).ToUnixTimeSeconds(), claims.RootElement.GetProperty("iat").GetInt64());
        Assert.Equal(now.AddMinutes(9).ToUnixTimeSeconds(), claims.RootElement.GetProperty("exp").GetInt64());
        Assert.True(rsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        // PKCS#8 keys work too.
        Assert.Equal(3, GitHubAppAuth.CreateJwt("1", rsa.ExportPkcs8PrivateKeyPem(), now).Split('.').Length);
    }

    [Fact]
    public async Task App_auth_finds_the_installation_exchanges_the_token_and_files_with_it()
    {
        await _lake.ReleaseAsync("alpha", "1.0.0", ["ALPHA-E001"]);
        await _lake.TriageAndApproveAsync();
        using var rsa = RSA.Create(2048);
        var keyFile = Path.Combine(_lake.Dir, "app.pem");
        File.WriteAllText(keyFile, rsa.ExportRSAPrivateKeyPem());
        var config = IssuesLake.Config(_github.BaseUrl, ("alpha", "acme/alpha", true));
        config.Github.Auth = "app";
        var env = new Dictionary<string, string> { ["SENTINEL_GITHUB_APP_ID"] = "777", ["SENTINEL_GITHUB_APP_KEY_FILE"] = keyFile };
        var credentials = GitHubCredentials.FromEnvironment(config.Github, env.GetValueOrDefault);

        var result = await IssueFiler.RunAsync(TestLake.At(_lake.Lake, TimeProvider.System), config, null, credentials, CancellationToken.None);
        Assert.Equal(1, result.Done);
        var requests = _github.Requests;
        var lookup = requests[0];
        Assert.Equal(("GET", "/repos/acme/alpha/installation"), (lookup.Method, lookup.Path));
        var exchange = requests[1];
        Assert.Equal(("POST", "/app/installations/4242/access_tokens"), (exchange.Method, exchange.Path));
        foreach (var appCall in new[] { lookup, exchange })
        {
            Assert.StartsWith("Bearer ", appCall.Authorization, StringComparison.Ordinal);
            var jwt = appCall.Authorization!["Bearer ".Length..];
            using var claims = JsonDocument.Parse(FromBase64Url(jwt.Split('.')[1]));
            Assert.Equal("777", claims.RootElement.GetProperty("iss").GetString());
            var parts = jwt.Split('.');
            Assert.True(rsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }

        Assert.All(requests.Skip(2), r => Assert.Contains(_github.InstallationToken, r.Authorization, StringComparison.Ordinal));
        Assert.Contains(requests, r => r.Method == "POST" && r.Path == "/repos/acme/alpha/issues");

        Assert.Throws<GitHubAuthException>(() => GitHubCredentials.FromEnvironment(config.Github, _ => null));
    }

    private static byte[] FromBase64Url(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b + new string('=', (4 - b.Length % 4) % 4));
    }

    public void Dispose()
    {
        _github.Dispose();
        _lake.Dispose();
    }
}
