using System.Net;
using Sentinel.Serve;

namespace Sentinel.Tests.Serve;

/// <summary>Behind a reverse proxy: X-Forwarded-For partitions the rate limiter only when the proxy is trusted.</summary>
public sealed class ForwardedHeadersTests
{
    private const string Record = """{"timestamp":"2026-10-04T17:42:53Z","level":"INFO","library":"molsysmt"}""";

    [Fact]
    public async Task TrustedProxy_EachForwardedClientHasItsOwnLimit()
    {
        using var dir = new Support.TempDir();
        await using var server = await TestServer.StartAsync(dir.Sub("inbox"),
            o => o with { RateLimitPermits = 2, RateLimitWindow = TimeSpan.FromMinutes(1), TrustedProxies = [IPNetwork.Parse("127.0.0.1/32")] });

        var a = await Statuses(server, "203.0.113.5", 3);
        var b = await Statuses(server, "198.51.100.7", 2);
        var chain = await Statuses(server, "198.51.100.7, 192.0.2.9", 2); // only the hop the proxy appended counts

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], a);
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted], b);
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted], chain);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UntrustedSource_HeaderIgnored_AllClientsShareTheProxysLimit(bool trustOtherNetwork)
    {
        using var dir = new Support.TempDir();
        await using var server = await TestServer.StartAsync(dir.Sub("inbox"), o => o with
        {
            RateLimitPermits = 2,
            RateLimitWindow = TimeSpan.FromMinutes(1),
            TrustedProxies = trustOtherNetwork ? [IPNetwork.Parse("10.0.0.0/8")] : [],
        });

        var a = await Statuses(server, "203.0.113.5", 2);
        var b = await Statuses(server, "198.51.100.7", 1);

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted], a);
        Assert.Equal([HttpStatusCode.TooManyRequests], b);
    }

    [Fact]
    public void Cli_TrustForwardedFrom_TakesCidrs_AndRefusesOtherText()
    {
        using var dir = new Support.TempDir();
        var root = Sentinel.Cli.CommandTree.Build();
        Assert.Empty(root.Parse(["serve", "--inbox", "in", "--trust-forwarded-from", "127.0.0.1/32", "--trust-forwarded-from", "::1/128"]).Errors);

        var bad = Support.SentinelRunner.Cli(dir.Path, "serve", "--inbox", dir.Sub("inbox"), "--urls", "http://127.0.0.1:0", "--trust-forwarded-from", "proxy.example");

        Assert.Equal(Sentinel.ExitCode.InvalidUsage, bad.ExitCode);
        Assert.Contains("--trust-forwarded-from: 'proxy.example' is not a CIDR network", bad.Stderr, StringComparison.Ordinal);
    }

    private static async Task<List<HttpStatusCode>> Statuses(TestServer server, string forwardedFor, int count)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(UploadServer.EventsPath, UriKind.Relative))
            {
                Content = new StringContent(Record + "\n", System.Text.Encoding.UTF8), // the same bytes again are a 202 too
            };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            using var response = await server.Client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }
}
