using System.Net.Http.Headers;
using System.Net.Sockets;
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

    /// <summary>
    /// Posts <paramref name="body"/> as a chunked request over a raw socket, one byte per <paramref name="pause"/>,
    /// reading the answer while it writes, and returns the answer's status code. HttpClient cannot be used here:
    /// it reads an answer only after sending its whole body, so when the server answers early and closes, the
    /// client sometimes sees "connection reset" instead of the 408 (a race that failed CI once).
    /// </summary>
    public async Task<int> TricklePostAsync(string path, string contentType, byte[] body, TimeSpan pause)
    {
        var at = Client.BaseAddress!;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(at.Host, at.Port);
        var stream = tcp.GetStream();
        var head = $"POST {path} HTTP/1.1\r\nHost: {at.Authority}\r\nContent-Type: {contentType}\r\nTransfer-Encoding: chunked\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var answer = new byte[4096];
        var read = stream.ReadAsync(answer).AsTask();
        foreach (var b in body)
        {
            if (read.IsCompleted)
            {
                break;
            }

            try
            {
                await stream.WriteAsync(new byte[] { (byte)'1', (byte)'\r', (byte)'\n', b, (byte)'\r', (byte)'\n' });
            }
            catch (IOException)
            {
                break; // the server has answered and closed; the answer is already on its way
            }

            await Task.WhenAny(read, Task.Delay(pause));
        }

        var n = await read.WaitAsync(TimeSpan.FromSeconds(30));
        var statusLine = Encoding.ASCII.GetString(answer, 0, n).Split("\r\n")[0]; // "HTTP/1.1 408 Request Timeout"
        Assert.StartsWith("HTTP/1.1 ", statusLine, StringComparison.Ordinal);
        return int.Parse(statusLine.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
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
