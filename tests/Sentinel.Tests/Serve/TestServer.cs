using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Sentinel.Serve;

namespace Sentinel.Tests.Serve;

/// <summary>One started server on 127.0.0.1 with a free port, and a client for it.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, HttpClient client)
    {
        _app = app;
        Client = client;
    }

    public HttpClient Client { get; }

    public static async Task<TestServer> StartAsync(string inbox, Func<ServeOptions, ServeOptions>? tweak = null)
    {
        var options = new ServeOptions { Inbox = inbox, Urls = "http://127.0.0.1:0" };
        var app = UploadServer.Build(tweak?.Invoke(options) ?? options);
        await app.StartAsync();
        var address = Assert.Single(UploadServer.BoundAddresses(app));
        Assert.DoesNotContain(":0", address.Replace("127.0.0.1", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.ExpectContinue = true; // refusals (413/415/429/507) come before the body is sent
        return new TestServer(app, client);
    }

    public Task<HttpResponseMessage> PostFileAsync(string path)
    {
        var type = path.EndsWith(".zip", StringComparison.Ordinal) ? "application/zip"
            : path.EndsWith(".tar.gz", StringComparison.Ordinal) || path.EndsWith(".tgz", StringComparison.Ordinal) ? "application/gzip"
            : "application/json";
        return PostBytesAsync(File.ReadAllBytes(path), type);
    }

    public Task<HttpResponseMessage> PostBytesAsync(byte[] body, string contentType, string path = UploadServer.BundlesPath)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return Client.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    public Task<HttpResponseMessage> PostEventsAsync(string jsonl, string contentType = "application/x-ndjson") =>
        PostBytesAsync(Encoding.UTF8.GetBytes(jsonl), contentType, UploadServer.EventsPath);

    /// <summary>The files ingest would read: everything in the inbox but dot-entries.</summary>
    public static List<string> InboxFiles(string inbox) =>
        [.. Directory.EnumerateFileSystemEntries(inbox).Where(p => !Path.GetFileName(p).StartsWith('.'))];

    /// <summary>Nothing under a name ingest reads and no temp file left behind.</summary>
    public static void AssertInboxEmpty(string inbox)
    {
        Assert.Empty(InboxFiles(inbox));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(inbox, ".tmp")));
    }

    public static async Task<JsonElement> JsonOf(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    public Task<HttpResponseMessage> DeleteAsync(string receipt, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, new Uri($"/v1/bundles/{receipt}", UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Add(UploadServer.DeletionTokenHeader, token);
        }

        return Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
