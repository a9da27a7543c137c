using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Sentinel.Storage;
using Sentinel.Serve;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Serve;

/// <summary>POST /v1/events (safe-schema telemetry as JSON Lines) over real Kestrel on 127.0.0.1 with a real HttpClient.</summary>
public sealed class EventsEndpointTests
{
    private const string M01 = "m01_molsysmt-0.9.0_user_mgarcia.json";
    private const string Ok = """{"timestamp":"2026-10-04T17:42:53.378820+00:00","level":"WARNING","library":"molsysmt"}""";

    [Fact]
    public async Task GoodJsonl_202_StoredAsTelemetryJsonl_AndIngestMatchesDirectIngestOfTheSameFile()
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        var body = TelemetryRecords.Body(TelemetryRecords.FromBundle(M01, "molsysmt", "0.9.0"));
        var bytes = Encoding.UTF8.GetBytes(body);

        string receipt, token;
        await using (var server = await TestServer.StartAsync(inbox))
        {
            using var response = await server.PostEventsAsync(body);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var json = await TestServer.JsonOf(response);
            receipt = json.GetProperty("receipt").GetString()!;
            token = json.GetProperty("deletion_token").GetString()!;
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes))[..24], receipt);

            // Same bytes again (the other content type): same receipt and token, still one file.
            using var again = await server.PostEventsAsync(body, "application/jsonl; charset=utf-8");
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
            var json2 = await TestServer.JsonOf(again);
            Assert.Equal(receipt, json2.GetProperty("receipt").GetString());
            Assert.Equal(token, json2.GetProperty("deletion_token").GetString());
        }

        var stored = Assert.Single(TestServer.InboxFiles(inbox));
        Assert.Equal($"{receipt}.telemetry.jsonl", Path.GetFileName(stored));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(stored));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(inbox, ".tmp")));

        // Direct ingest of the same bytes under a name of the same kind, then the inbox with the same lake secret.
        var direct = dir.Sub("direct");
        Directory.CreateDirectory(direct);
        var directFile = Path.Combine(direct, "client.telemetry.jsonl");
        await File.WriteAllBytesAsync(directFile, bytes);
        var directLake = dir.Sub("direct-lake");
        var a = await SentinelRunner.IngestAsync(directLake, directFile);
        var servedLake = dir.Sub("served-lake");
        Directory.CreateDirectory(new LakePaths(servedLake).State);
        File.Copy(Path.Combine(new LakePaths(directLake).State, "secret.key"), Path.Combine(new LakePaths(servedLake).State, "secret.key"));
        var b = await SentinelRunner.IngestAsync(servedLake, inbox);

        Assert.Empty(b.Skipped); // .secret and .tmp/ are not read
        Assert.Empty(b.Quarantined); // a stored body ingests cleanly
        Assert.Equal(1, b.Accepted);
        Assert.Equal(6, b.EventsWritten); // m01 has 6 events, all distinct
        Assert.Equal(a.EventsWritten, b.EventsWritten);
        Assert.Equal(a.Redactions, b.Redactions);
        const string Columns = "event_id, bundle_id, run_key, library, version, timestamp, level, code, category, exception_type, source, trace_hash, python_version, platform, profile, smonitor_version";
        using var da = new LakeReader(directLake);
        using var db = new LakeReader(servedLake);
        var rowsA = da.Rows($"SELECT {Columns} FROM events ORDER BY event_id");
        var rowsB = db.Rows($"SELECT {Columns} FROM events ORDER BY event_id");
        Assert.Equal(6, rowsB.Count);
        Assert.Equal(rowsA, rowsB);

        // What the records said is what the lake holds: the client's library and version, its environment, and the
        // source only inside the library (py.warnings is dropped, the events stay molsysmt's).
        Assert.Equal(6, db.Scalar<long>("SELECT count(*) FROM events WHERE library = 'molsysmt' AND version = '0.9.0' AND python_version = '3.11' AND platform = 'Linux-x86_64' AND profile = 'user' AND smonitor_version = '0.13.0'"));
        Assert.Equal(2, db.Scalar<long>("SELECT count(*) FROM events WHERE source IS NULL"));
        Assert.Equal(1, db.Scalar<long>("SELECT count(*) FROM events WHERE code = 'MSM-ERR-IO-002' AND exception_type = 'FileNotFoundInputError' AND trace_hash = '7d72271524f986c1' AND level = 'ERROR'"));
        Assert.Equal(1, db.Scalar<long>("SELECT count(DISTINCT run_key) FROM events"));
        Assert.Equal("telemetry", db.Scalar<string>("SELECT shape FROM bundles"));
        Assert.Equal(2, b.Redactions["dropped.source_outside_library"]);
    }

    [Fact]
    public async Task DeleteWithToken_RemovesTheStoredTelemetry()
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        await using var server = await TestServer.StartAsync(inbox);
        using var upload = await server.PostEventsAsync(Ok + "\n");
        var json = await TestServer.JsonOf(upload);
        var receipt = json.GetProperty("receipt").GetString()!;

        using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri($"{UploadServer.EventsPath}/{receipt}", UriKind.Relative));
        request.Headers.Add(UploadServer.DeletionTokenHeader, json.GetProperty("deletion_token").GetString());
        using var deleted = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        TestServer.AssertInboxEmpty(inbox);
    }

    public static TheoryData<string, string, int, string?, string> BadBodies() => new()
    {
        // body, error, line, field, words the detail must hold
        { Ok + "\n{\"timestamp\": \"2026-10-04T17:42:53Z\", \"level\": \n", "invalid_record", 2, null, "not valid JSON" },
        { Ok + "\n" + Ok.Replace("}", ",\"message\":\"hello\"}", StringComparison.Ordinal) + "\n", "invalid_record", 2, "message", "unknown field 'message'" },
        { Ok.Replace("\"WARNING\"", "3", StringComparison.Ordinal) + "\n", "invalid_record", 1, "level", "must be a string, got a number" },
        { Ok + "\n" + Ok.Replace("}", ",\"code\":{\"a\":1}}", StringComparison.Ordinal), "invalid_record", 2, "code", "must be a string or null, got an object" },
        { Ok.Replace("WARNING", "warning", StringComparison.Ordinal), "invalid_record", 1, "level", "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL" },
        { Ok.Replace("molsysmt", "MolSysMT", StringComparison.Ordinal), "invalid_record", 1, "library", "does not match" },
        { Ok.Replace("+00:00", "", StringComparison.Ordinal), "invalid_record", 1, "timestamp", "does not match" },
        { Ok.Replace("2026-10-04", "2026-02-30", StringComparison.Ordinal), "invalid_record", 1, "timestamp", "not a real date" },
        { "\n\n" + Ok.Replace(",\"library\":\"molsysmt\"", "", StringComparison.Ordinal), "invalid_record", 3, "library", "required field(s) missing: library" },
        { Ok.Replace("}", ",\"level\":\"INFO\"}", StringComparison.Ordinal), "invalid_record", 1, "level", "appears twice" },
        { "[" + Ok + "]", "invalid_record", 1, null, "must be a JSON object" },
        { Ok + " " + Ok, "invalid_record", 1, null, "not valid JSON" },
        { Ok.Replace("}", ",\"platform\":\"Linux-x86_64\"}", StringComparison.Ordinal) + "\n" + Ok.Replace("}", ",\"platform\":\"Windows-AMD64\"}", StringComparison.Ordinal), "invalid_record", 2, "platform", "differs from line 1" },
        { Ok.Replace("}", ",\"version\":\"0.9.0\"}", StringComparison.Ordinal) + "\n" + Ok.Replace("}", ",\"version\":\"0.10.0\"}", StringComparison.Ordinal), "invalid_record", 2, "version", "a run has one version" },
        { Ok + "\n" + Ok.Replace("}", ",\"source\":\"" + new string('a', 20_000) + "\"}", StringComparison.Ordinal), "invalid_record", 2, null, "longer than 16 KiB" },
        { "", "malformed_body", 0, null, "empty body" },
        { "\n  \n\t\n", "malformed_body", 0, null, "only blank lines" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadBody_400_NamesLineAndField_AndNothingInInbox(string body, string error, int line, string? field, string detail)
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        await using var server = await TestServer.StartAsync(inbox);

        using var response = await server.PostEventsAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = await TestServer.JsonOf(response);
        Assert.Equal(error, json.GetProperty("error").GetString());
        var text = json.GetProperty("detail").GetString()!;
        Assert.Contains(detail, text, StringComparison.Ordinal);
        if (line > 0)
        {
            Assert.Equal(line, json.GetProperty("line").GetInt32());
            Assert.StartsWith($"line {line}: ", text, StringComparison.Ordinal);
        }

        if (field is not null)
        {
            Assert.Equal(field, json.GetProperty("field").GetString());
        }
        else
        {
            Assert.False(json.TryGetProperty("field", out _));
        }

        TestServer.AssertInboxEmpty(inbox);
    }

    [Fact]
    public async Task PlantedSecrets_InUnknownFieldsKnownFieldsAndFieldNames_NeverInResponseOrInbox()
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        var secrets = Corpus.PlantedSecrets;
        Assert.NotEmpty(secrets);
        await using var server = await TestServer.StartAsync(inbox, o => o with { RateLimitPermits = 1000 });
        var ghp = secrets.First(s => s.StartsWith("ghp_", StringComparison.Ordinal));

        foreach (var secret in secrets)
        {
            var bodies = new[]
            {
                Ok + "\n" + Ok.Replace("}", $",\"token\":{System.Text.Json.JsonSerializer.Serialize(secret)}}}", StringComparison.Ordinal),
                Ok.Replace("}", $",{System.Text.Json.JsonSerializer.Serialize(secret)}:1}}", StringComparison.Ordinal),
            };
            foreach (var body in bodies)
            {
                using var response = await server.PostEventsAsync(body);
                var text = await response.Content.ReadAsStringAsync();
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
                var detail = (await TestServer.JsonOf(response)).GetProperty("detail").GetString()!;
                Assert.DoesNotContain(secret, detail, StringComparison.Ordinal); // nor escaped in the JSON
                Assert.Contains("unknown field", detail, StringComparison.Ordinal);
            }
        }

        // A credential in a field whose grammar allows its characters: refused with the scrubber's reason, never echoed.
        using (var inSource = await server.PostEventsAsync(Ok.Replace("}", $",\"source\":\"{ghp}\"}}", StringComparison.Ordinal)))
        {
            var text = await inSource.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, inSource.StatusCode);
            Assert.DoesNotContain(ghp, text, StringComparison.Ordinal);
            Assert.Contains("field 'source' looks like a credential or personal data (github_token)", text, StringComparison.Ordinal);
        }

        // One outside the field's grammar (a code is upper-case dash-separated tokens) is refused by the grammar first.
        using (var inCode = await server.PostEventsAsync(Ok.Replace("}", $",\"code\":\"{ghp}\"}}", StringComparison.Ordinal)))
        {
            var text = await inCode.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, inCode.StatusCode);
            Assert.DoesNotContain(ghp, text, StringComparison.Ordinal);
            Assert.Contains("field 'code' does not match", text, StringComparison.Ordinal);
        }

        TestServer.AssertInboxEmpty(inbox);
        foreach (var file in Directory.EnumerateFiles(inbox, "*", SearchOption.AllDirectories))
        {
            var content = await File.ReadAllTextAsync(file);
            Assert.All(secrets, s => Assert.DoesNotContain(s, content, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("application/json", UploadServer.EventsPath)]
    [InlineData("text/plain", UploadServer.EventsPath)]
    [InlineData(null, UploadServer.EventsPath)]
    [InlineData("application/x-ndjson", UploadServer.BundlesPath)]
    public async Task WrongContentType_415_PointsToTheRightEndpoint(string? contentType, string path)
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        await using var server = await TestServer.StartAsync(inbox);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Ok + "\n"));
        if (contentType is not null)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        using var response = await server.Client.PostAsync(new Uri(path, UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var json = await TestServer.JsonOf(response);
        Assert.Equal("unsupported_media_type", json.GetProperty("error").GetString());
        Assert.Contains(path == UploadServer.EventsPath ? "application/x-ndjson" : UploadServer.EventsPath, json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        TestServer.AssertInboxEmpty(inbox);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OversizedBody_413_AndNothingInInbox(bool chunked)
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        const int limit = 32 * 1024;
        await using var server = await TestServer.StartAsync(inbox, o => o with { MaxUploadBytes = limit });
        var sb = new StringBuilder();
        while (sb.Length <= limit)
        {
            sb.Append(Ok).Append('\n'); // every line valid: only the size is wrong
        }

        var body = Encoding.UTF8.GetBytes(sb.ToString());
        HttpContent content = chunked ? new StreamContent(new NonSeekable(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(UploadServer.EventsPath, UriKind.Relative)) { Content = content };
        request.Headers.ExpectContinue = !chunked;
        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("payload_too_large", (await TestServer.JsonOf(response)).GetProperty("error").GetString());
        TestServer.AssertInboxEmpty(inbox);
    }

    [Fact]
    public async Task BodyInOneByteChunks_ValidatedAcrossChunkBoundaries_SameReceiptAsOneWrite()
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        await using var server = await TestServer.StartAsync(inbox);
        var lines = TelemetryRecords.FromBundle(M01, "molsysmt", "0.9.0");
        var body = Encoding.UTF8.GetBytes(string.Join("\r\n", lines)); // CRLF and no final newline
        var bad = Encoding.UTF8.GetBytes(string.Join("\n", lines.Take(3)) + "\n" + lines[3].Replace("\"level\"", "\"lvl\"", StringComparison.Ordinal));

        using var good = await Post(body);
        using var refused = await Post(bad);

        Assert.Equal(HttpStatusCode.Accepted, good.StatusCode);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body))[..24], (await TestServer.JsonOf(good)).GetProperty("receipt").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var error = await TestServer.JsonOf(refused);
        Assert.Equal(4, error.GetProperty("line").GetInt32());
        Assert.Equal("lvl", error.GetProperty("field").GetString());
        Assert.Single(TestServer.InboxFiles(inbox));

        async Task<HttpResponseMessage> Post(byte[] bytes)
        {
            var content = new StreamContent(new Trickle(bytes));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            return await server.Client.PostAsync(new Uri(UploadServer.EventsPath, UriKind.Relative), content);
        }
    }

    [Fact]
    public async Task RateLimitAndQuota_ApplyToEventsAsToBundles()
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        var first = Encoding.UTF8.GetBytes(Ok + "\n");
        await using var server = await TestServer.StartAsync(inbox,
            o => o with { RateLimitPermits = 3, RateLimitWindow = TimeSpan.FromMinutes(1), InboxQuotaBytes = first.Length + 10 });

        using var stored = await server.PostBytesAsync(first, "application/x-ndjson", UploadServer.EventsPath);
        using var full = await server.PostBytesAsync([.. first, (byte)'\n'], "application/x-ndjson", UploadServer.EventsPath);
        using var bundle = await server.PostBytesAsync("x"u8.ToArray(), "application/json"); // the same client's third request (a refused bundle)
        using var limited = await server.PostBytesAsync(first, "application/x-ndjson", UploadServer.EventsPath);

        Assert.Equal(HttpStatusCode.Accepted, stored.StatusCode);
        Assert.Equal((HttpStatusCode)507, full.StatusCode);
        Assert.Equal("inbox_full", (await TestServer.JsonOf(full)).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        Assert.Single(TestServer.InboxFiles(inbox));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(inbox, ".tmp")));
    }

    [Fact]
    public async Task SlowBody_PastTheRequestTimeout_408_AndNoTempFileLeft()
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        await using var server = await TestServer.StartAsync(inbox, o => o with { RequestTimeout = TimeSpan.FromSeconds(1) });

        var status = await server.TricklePostAsync(UploadServer.EventsPath, "application/x-ndjson", Encoding.UTF8.GetBytes(Ok + "\n"), TimeSpan.FromMilliseconds(50));

        Assert.Equal((int)HttpStatusCode.RequestTimeout, status);
        for (var i = 0; i < 50 && Directory.EnumerateFiles(Path.Combine(inbox, ".tmp")).Any(); i++)
        {
            await Task.Delay(100);
        }

        TestServer.AssertInboxEmpty(inbox);
    }

    /// <summary>Forces a chunked upload (no Content-Length), so the limit is enforced while streaming.</summary>
    private sealed class NonSeekable(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }

    /// <summary>A client that sends its body one byte per write (optionally with a pause between bytes).</summary>
    private sealed class Trickle(byte[] data, TimeSpan pause = default) : Stream
    {
        private int _at;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_at >= data.Length || buffer.Length == 0)
            {
                return 0;
            }

            if (pause > TimeSpan.Zero)
            {
                await Task.Delay(pause, cancellationToken);
            }

            buffer.Span[0] = data[_at++];
            return 1;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
