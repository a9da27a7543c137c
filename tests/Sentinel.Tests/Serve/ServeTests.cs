using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Sentinel.Ingest;
using Sentinel.Storage;
using Sentinel.Serve;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Serve;

/// <summary>`sentinel serve` over real Kestrel on 127.0.0.1 (a free port) with a real HttpClient.</summary>
public sealed class ServeTests
{
    private static readonly string M01 = "m01_molsysmt-0.9.0_user_mgarcia.json";

    [Fact]
    public async Task Health_AnswersOk()
    {
        using var dir = new TempDir();
        await using var server = await TestServer.StartAsync(dir.Sub("inbox"));

        using var response = await server.Client.GetAsync(new Uri("/v1/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", (await JsonOf(response)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task RoundTrip_EverySingleFileCorpusBundle_LandsInInbox_AndIngestMatchesDirectIngest()
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        var shapes = Corpus.Bundles.Where(b => b.GetProperty("shape").GetString() != "directory")
            .Select(b => Corpus.PathOf(b.GetProperty("path").GetString()!)).ToList();
        Assert.Contains(shapes, p => p.EndsWith(".zip", StringComparison.Ordinal));
        Assert.Contains(shapes, p => p.EndsWith(".tar.gz", StringComparison.Ordinal));
        Assert.Contains(shapes, p => p.EndsWith(".json", StringComparison.Ordinal));

        var receipts = new HashSet<string>(StringComparer.Ordinal);
        await using (var server = await TestServer.StartAsync(inbox, o => o with { RateLimitPermits = 1000 }))
        {
            foreach (var path in shapes)
            {
                using var response = await server.PostFileAsync(path);
                Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{Path.GetFileName(path)}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                var receipt = (await JsonOf(response)).GetProperty("receipt").GetString()!;
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path)))[..24], receipt);
                receipts.Add(receipt);
            }
        }

        Assert.Equal(receipts.Count, InboxFiles(inbox).Count);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(inbox, ".tmp")));

        // Direct ingest first; the served lake gets the same keyed-hash secret so event_ids are comparable.
        var directLake = dir.Sub("direct");
        var direct = await SentinelRunner.IngestAsync(directLake, [.. shapes]);
        var servedLake = dir.Sub("served");
        Directory.CreateDirectory(new LakePaths(servedLake).State);
        File.Copy(Path.Combine(new LakePaths(directLake).State, "secret.key"), Path.Combine(new LakePaths(servedLake).State, "secret.key"));
        var served = await SentinelRunner.IngestAsync(servedLake, inbox);

        Assert.Equal(shapes.Count, served.Inputs);
        Assert.Empty(served.Skipped); // .secret and .tmp/ are not read as bundles
        Assert.Equal(direct.Accepted, served.Accepted);
        Assert.Equal(direct.Duplicates, served.Duplicates);
        Assert.Equal(direct.Quarantined.Count, served.Quarantined.Count);
        Assert.Equal(direct.EventsWritten, served.EventsWritten);
        Assert.True(direct.EventsWritten > 0);
        using var a = new LakeReader(directLake);
        using var b = new LakeReader(servedLake);
        Assert.Equal(a.Scalar<long>("SELECT count(*) FROM events"), b.Scalar<long>("SELECT count(*) FROM events"));
        Assert.Equal(EventIds(a), EventIds(b));
    }

    [Fact]
    public async Task SameBytesTwice_SameReceipt_OneFile()
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        await using var server = await TestServer.StartAsync(inbox);

        using var first = await server.PostFileAsync(Corpus.PathOf(M01));
        using var second = await server.PostFileAsync(Corpus.PathOf(M01));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var a = await JsonOf(first);
        var b = await JsonOf(second);
        Assert.Equal(a.GetProperty("receipt").GetString(), b.GetProperty("receipt").GetString());
        Assert.Equal(a.GetProperty("deletion_token").GetString(), b.GetProperty("deletion_token").GetString());
        var file = Assert.Single(InboxFiles(inbox));
        Assert.Equal($"{a.GetProperty("receipt").GetString()}.json", Path.GetFileName(file));
        Assert.Equal(await File.ReadAllBytesAsync(Corpus.PathOf(M01)), await File.ReadAllBytesAsync(file));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(inbox, ".tmp")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OversizedBody_413_AndNothingInInbox(bool chunked)
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        const int limit = 64 * 1024;
        await using var server = await TestServer.StartAsync(inbox, o => o with { MaxUploadBytes = limit });
        var body = new byte[limit + 1];
        Array.Fill(body, (byte)' ');
        body[0] = (byte)'{';

        HttpContent content = chunked ? new StreamContent(new NonSeekableStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        // With a Content-Length the server answers 413 before reading the body; Expect: 100-continue (what a
        // careful client sends) keeps the client from writing into a connection the server is closing.
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/bundles", UriKind.Relative)) { Content = content };
        request.Headers.ExpectContinue = !chunked;
        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("payload_too_large", (await JsonOf(response)).GetProperty("error").GetString());
        Assert.Empty(InboxFiles(inbox));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(inbox, ".tmp")));

        // Exactly at the limit is fine.
        using var ok = await server.PostBytesAsync(body.AsSpan(0, limit).ToArray(), "application/json");
        Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/octet-stream")]
    [InlineData(null)]
    public async Task WrongContentType_415(string? contentType)
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        await using var server = await TestServer.StartAsync(inbox);
        var content = new ByteArrayContent(await File.ReadAllBytesAsync(Corpus.PathOf(M01)));
        if (contentType is not null)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        using var response = await server.Client.PostAsync(new Uri("/v1/bundles", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("unsupported_media_type", (await JsonOf(response)).GetProperty("error").GetString());
        Assert.Empty(InboxFiles(inbox));
    }

    public static TheoryData<string, string, string> MalformedStarts() => new()
    {
        { "bad/not_json_traceback.json", "application/json", "must start with '{' or '['" },
        { "bad/empty.json", "application/json", "empty body" },
        { M01, "application/zip", "zip signature" },
        { M01, "application/gzip", "gzip signature" },
        { "m02_molsysmt-0.9.0_dev_dchen.zip", "application/json", "must start with '{' or '['" },
    };

    [Theory]
    [MemberData(nameof(MalformedStarts))]
    public async Task MalformedStart_400_WithClearError_AndNothingInInbox(string path, string contentType, string detail)
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        await using var server = await TestServer.StartAsync(inbox);

        using var response = await server.PostBytesAsync(await File.ReadAllBytesAsync(Corpus.PathOf(path)), contentType);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await JsonOf(response);
        Assert.Equal("malformed_body", error.GetProperty("error").GetString());
        Assert.Contains(detail, error.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(InboxFiles(inbox));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(inbox, ".tmp")));
    }

    // Serve reads a zip's central directory (never inflating) with ingest's own rules: a zip bomb or a path-traversal
    // zip gets a clear 400 at upload, nothing is written to the inbox, and ingest would refuse it for the same reason.
    [Theory]
    [InlineData("bad/zip_bomb_1GiB.zip", "compression ratio")]
    [InlineData("bad/zip_path_traversal.zip", "unsafe archive entry name")]
    public async Task HostileZip_400WithIngestsReason_NothingInInbox_AndIngestAgrees(string path, string reason)
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        var bytes = await File.ReadAllBytesAsync(Corpus.PathOf(path));
        await using (var server = await TestServer.StartAsync(inbox))
        {
            using var response = await server.PostBytesAsync(bytes, "application/zip");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = await JsonOf(response);
            Assert.Equal("unsafe_archive", error.GetProperty("error").GetString());
            Assert.Contains(reason, error.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Empty(InboxFiles(inbox));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(inbox, ".tmp")));

        // Had it reached the inbox some other way, ingest quarantines it with the same reason and stores nothing.
        var copy = dir.Sub("elsewhere");
        Directory.CreateDirectory(copy);
        await File.WriteAllBytesAsync(Path.Combine(copy, Path.GetFileName(path)), bytes);
        var lake = dir.Sub("lake");
        var result = await SentinelRunner.IngestAsync(lake, copy);
        var q = Assert.Single(result.Quarantined);
        Assert.Contains(reason, q.Reason, StringComparison.Ordinal);
        Assert.Equal(0, result.EventsWritten);
        Assert.False(LakePaths.HasFiles(Path.Combine(lake, "events")));
        Assert.False(File.Exists("/tmp/sentinel_pwned.txt"));
    }

    [Fact]
    public async Task RateLimit_BurstGets429WithRetryAfter_ThenLaterRequestSucceeds()
    {
        using var dir = new TempDir();
        await using var server = await TestServer.StartAsync(dir.Sub("inbox"),
            o => o with { RateLimitPermits = 3, RateLimitWindow = TimeSpan.FromSeconds(2) });
        var body = Encoding.UTF8.GetBytes("{\"burst\": true}");

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 8; i++)
        {
            var response = await server.PostBytesAsync(body, "application/json");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests && limited is null)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        using (limited)
        {
            Assert.True(statuses.Count(s => s == HttpStatusCode.Accepted) <= 3 * 2, string.Join(",", statuses)); // at most two windows' worth
            var retryAfter = limited.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value.TotalSeconds, 1, 2);
            Assert.Equal("rate_limited", (await JsonOf(limited)).GetProperty("error").GetString());
            await Task.Delay(retryAfter.Value + TimeSpan.FromMilliseconds(300));
        }

        using var later = await server.PostBytesAsync(body, "application/json");
        Assert.Equal(HttpStatusCode.Accepted, later.StatusCode);

        // Health is never limited.
        using var health = await server.Client.GetAsync(new Uri("/v1/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task FiftyConcurrentDistinctUploads_AllLandExactlyOnce()
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        await using var server = await TestServer.StartAsync(inbox, o => o with { RateLimitPermits = 1000 });
        var baseBytes = await File.ReadAllBytesAsync(Corpus.PathOf(M01));
        var bodies = Enumerable.Range(1, 50).Select(i => baseBytes.Concat(Enumerable.Repeat((byte)'\n', i)).ToArray()).ToList();

        var responses = await Task.WhenAll(bodies.Select(b => server.PostBytesAsync(b, "application/json")));

        var receipts = new List<string>();
        foreach (var r in responses)
        {
            using (r)
            {
                Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
                receipts.Add((await JsonOf(r)).GetProperty("receipt").GetString()!);
            }
        }

        Assert.Equal(50, receipts.Distinct(StringComparer.Ordinal).Count());
        var files = InboxFiles(inbox);
        Assert.Equal(50, files.Count);
        var onDisk = files.Select(f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))[..24]).Order(StringComparer.Ordinal);
        Assert.Equal(receipts.Order(StringComparer.Ordinal), onDisk);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(inbox, ".tmp")));
    }

    [Fact]
    public async Task Delete_RightTokenRemoves_WrongToken403_Unknown404()
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        await using var server = await TestServer.StartAsync(inbox);
        using var upload = await server.PostFileAsync(Corpus.PathOf(M01));
        var json = await JsonOf(upload);
        var receipt = json.GetProperty("receipt").GetString()!;
        var token = json.GetProperty("deletion_token").GetString()!;

        using (var wrong = await server.DeleteAsync(receipt, new string('0', 32)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        }

        using (var none = await server.DeleteAsync(receipt, null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, none.StatusCode);
        }

        Assert.Single(InboxFiles(inbox));

        using (var right = await server.DeleteAsync(receipt, token))
        {
            Assert.Equal(HttpStatusCode.NoContent, right.StatusCode);
        }

        Assert.Empty(InboxFiles(inbox));
        using (var again = await server.DeleteAsync(receipt, token))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        // ?token= works too.
        using var upload2 = await server.PostFileAsync(Corpus.PathOf(M01));
        using (var byQuery = await server.Client.DeleteAsync(new Uri($"/v1/bundles/{receipt}?token={token}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NoContent, byQuery.StatusCode);
        }

        Assert.Empty(InboxFiles(inbox));
    }

    [Fact]
    public async Task Delete_AfterIngest_SchedulesAForget_AndForgetInboxRemovesExactlyThatUploadsRows()
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        var lake = dir.Sub("lake");
        await using var server = await TestServer.StartAsync(inbox, o => o with { RateLimitPermits = 1000 });
        var uploads = new List<(string Receipt, string Token)>();
        foreach (var file in new[] { M01, "d04_depdigest-0.10.0_user_priya.json" })
        {
            using var upload = await server.PostFileAsync(Corpus.PathOf(file));
            var json = await JsonOf(upload);
            uploads.Add((json.GetProperty("receipt").GetString()!, json.GetProperty("deletion_token").GetString()!));
        }

        var ingest = await Sentinel.Ingest.Ingester.RunAsync(new Sentinel.Ingest.IngestOptions([inbox], TestLake.At(lake), new Sentinel.Config.SentinelConfig(),
            Sentinel.Ingest.VersionHints.None) { Inbox = inbox });
        Assert.Equal(2, ingest.MovedToDone);
        Assert.Empty(InboxFiles(inbox));
        var (forgotten, token) = uploads[1];

        using (var wrong = await server.DeleteAsync(forgotten, new string('0', 32)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        }

        Assert.False(Directory.Exists(Path.Combine(inbox, ".forget")));
        for (var i = 0; i < 2; i++)
        {
            // Idempotent: asking twice leaves one marker.
            using var scheduled = await server.DeleteAsync(forgotten, token);
            Assert.Equal(HttpStatusCode.Accepted, scheduled.StatusCode);
            Assert.Equal("forget_scheduled", (await JsonOf(scheduled)).GetProperty("status").GetString());
        }

        Assert.Equal([forgotten], Directory.EnumerateFiles(Path.Combine(inbox, ".forget")).Select(Path.GetFileName));

        long Rows(string receipt)
        {
            using var reader = new LakeReader(lake);
            return reader.Scalar<long>($"SELECT count(*) FROM events WHERE bundle_id IN (SELECT bundle_id FROM bundles WHERE upload_receipt = '{receipt}')");
        }

        var keptBefore = Rows(uploads[0].Receipt);
        Assert.True(Rows(forgotten) > 0);
        var forget = SentinelRunner.Cli(null, "--lake", lake, "forget", "--inbox", inbox);
        Assert.Equal(0, forget.ExitCode);
        Assert.Equal(0, Rows(forgotten));
        Assert.Equal(keptBefore, Rows(uploads[0].Receipt));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(inbox, ".forget")));

        // Nothing is left to delete: the processed copy went with the rows.
        using var gone = await server.DeleteAsync(forgotten, token);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task InboxQuota_507_AndNothingHalfWritten()
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        var bytes = await File.ReadAllBytesAsync(Corpus.PathOf(M01));
        await using var server = await TestServer.StartAsync(inbox, o => o with { InboxQuotaBytes = bytes.Length + 1000 });

        using var first = await server.PostBytesAsync(bytes, "application/json");
        using var second = await server.PostBytesAsync([.. bytes, (byte)'\n'], "application/json");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal((HttpStatusCode)507, second.StatusCode);
        Assert.Equal("inbox_full", (await JsonOf(second)).GetProperty("error").GetString());
        Assert.Single(InboxFiles(inbox));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(inbox, ".tmp")));
    }

    [Fact]
    public async Task InboxQuota_FreedWhenFilesLeaveTheInbox_AfterTheNextMeasurement()
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        var bytes = await File.ReadAllBytesAsync(Corpus.PathOf(M01));
        var clock = new ManualClock();
        await using var server = await TestServer.StartAsync(inbox, o => o with { InboxQuotaBytes = bytes.Length + 1000, Clock = clock });
        using var first = await server.PostBytesAsync(bytes, "application/json");
        using var full = await server.PostBytesAsync([.. bytes, (byte)'\n'], "application/json");
        Assert.Equal((HttpStatusCode)507, full.StatusCode);

        File.Delete(Assert.Single(InboxFiles(inbox))); // what ingest will do with a processed upload
        clock.Advance(TimeSpan.FromSeconds(1)); // usage is re-measured from disk at most every 2 s: not yet
        using var stillFull = await server.PostBytesAsync([.. bytes, (byte)'\n'], "application/json");
        Assert.Equal((HttpStatusCode)507, stillFull.StatusCode);

        clock.Advance(TimeSpan.FromSeconds(1.5));
        using var room = await server.PostBytesAsync([.. bytes, (byte)'\n'], "application/json");

        Assert.Equal(HttpStatusCode.Accepted, room.StatusCode);
        Assert.Single(InboxFiles(inbox));
    }

    [Fact]
    public async Task Secret_IsOwnerOnly_AndNoClientAddressOrUserAgentIsStored()
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        await using (var server = await TestServer.StartAsync(inbox))
        {
            server.Client.DefaultRequestHeaders.UserAgent.ParseAdd("SentinelTestAgent/9.9");
            using var response = await server.PostFileAsync(Corpus.PathOf(M01));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(inbox, ".secret")));
        }

        foreach (var file in Directory.EnumerateFiles(inbox, "*", SearchOption.AllDirectories))
        {
            var text = await File.ReadAllTextAsync(file);
            Assert.DoesNotContain("SentinelTestAgent", text, StringComparison.Ordinal);
            Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SlowBody_PastTheRequestTimeout_408_AndNoTempFileLeft()
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        await using var server = await TestServer.StartAsync(inbox, o => o with { RequestTimeout = TimeSpan.FromSeconds(1) });

        var status = await server.TricklePostAsync("/v1/bundles", "application/json", Encoding.UTF8.GetBytes("{\"slow\": true}"), TimeSpan.FromMilliseconds(200));

        // 408, not 202: the server gave up at 1 s, about 5 bytes into a 3 s upload.
        Assert.Equal((int)HttpStatusCode.RequestTimeout, status);
        Assert.Empty(InboxFiles(inbox));
        for (var i = 0; i < 50 && Directory.EnumerateFiles(Path.Combine(inbox, ".tmp")).Any(); i++)
        {
            await Task.Delay(100); // the handler's finally runs as the request unwinds
        }

        Assert.Empty(Directory.EnumerateFiles(Path.Combine(inbox, ".tmp")));
    }

    [Fact]
    public void Cli_ServeCommand_ParsesItsOptions_AndRequiresInbox()
    {
        var root = Sentinel.Cli.CommandTree.Build();

        Assert.NotEmpty(root.Parse(["serve"]).Errors);
        Assert.Empty(root.Parse(["serve", "--inbox", "in", "--urls", "http://127.0.0.1:0", "--max-upload-mb", "5", "--quota-mb", "100", "--rate-limit", "10"]).Errors);
    }

    private static List<string> InboxFiles(string inbox) => TestServer.InboxFiles(inbox);

    private static List<string> EventIds(LakeReader reader) =>
        [.. reader.Rows("SELECT event_id FROM events ORDER BY event_id").Select(r => (string)r[0]!)];

    private static Task<JsonElement> JsonOf(HttpResponseMessage response) => TestServer.JsonOf(response);

    /// <summary>Forces a chunked upload (no Content-Length), so the limit is enforced while streaming.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
