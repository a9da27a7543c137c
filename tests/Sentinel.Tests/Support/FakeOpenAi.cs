using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Sentinel.Tests.Support;

/// <summary>
/// A tiny OpenAI-compatible chat-completions server on http://127.0.0.1:&lt;free port&gt;/ for tests.
/// Every request is recorded (path, Authorization header, body); each answer comes from a per-test
/// script, in order. With the script empty it answers 500.
/// </summary>
public sealed class FakeOpenAi : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<Reply> _script = new();
    private readonly ConcurrentQueue<Recorded> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeOpenAi()
    {
        // HttpListener cannot bind port 0: take a free port from the OS, then listen on it.
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                _listener.Start();
                BaseUrl = $"http://127.0.0.1:{port}";
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }

        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The server's root, without /v1 (the triager must add it).</summary>
    public string BaseUrl { get; }

    public IReadOnlyList<Recorded> Requests => [.. _requests];

    public void Enqueue(Reply reply) => _script.Enqueue(reply);

    /// <summary>A 200 chat.completion whose assistant content is <paramref name="content"/> (sent as is).</summary>
    public void EnqueueContent(string content, int promptTokens = 120, int completionTokens = 60, bool withUsage = true) =>
        Enqueue(new Reply(200, Completion(content, promptTokens, completionTokens, withUsage), TimeSpan.Zero));

    /// <summary>A 200 chat.completion whose content is the JSON of the four answer fields.</summary>
    public void EnqueueAnswer(string cause, string fix, string impact, string confidence, int promptTokens = 120, int completionTokens = 60) =>
        EnqueueContent(
            JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["probable_cause"] = cause,
                ["suggested_fix"] = fix,
                ["impact"] = impact,
                ["confidence"] = confidence,
            }),
            promptTokens,
            completionTokens);

    public void EnqueueError(int status) =>
        Enqueue(new Reply(status, """{"error":{"message":"scripted failure","type":"server_error","code":null}}""", TimeSpan.Zero));

    public void EnqueueDelayed(TimeSpan delay, string content) =>
        Enqueue(new Reply(200, Completion(content, 10, 10, withUsage: true), delay));

    public static string Completion(string content, int promptTokens, int completionTokens, bool withUsage)
    {
        var doc = new Dictionary<string, object?>
        {
            ["id"] = "chatcmpl-fake",
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = "fake-model",
            ["choices"] = new object[]
            {
                new Dictionary<string, object?>
                {
                    ["index"] = 0,
                    ["message"] = new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = content },
                    ["finish_reason"] = "stop",
                },
            },
        };
        if (withUsage)
        {
            doc["usage"] = new Dictionary<string, int>
            {
                ["prompt_tokens"] = promptTokens,
                ["completion_tokens"] = completionTokens,
                ["total_tokens"] = promptTokens + completionTokens,
            };
        }

        return JsonSerializer.Serialize(doc);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            string body;
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                body = await reader.ReadToEndAsync();
            }

            _requests.Enqueue(new Recorded(context.Request.HttpMethod, context.Request.Url?.AbsolutePath ?? "", context.Request.Headers["Authorization"], body));
            var reply = _script.TryDequeue(out var scripted)
                ? scripted
                : new Reply(500, """{"error":{"message":"no scripted reply","type":"server_error"}}""", TimeSpan.Zero);
            if (reply.Delay > TimeSpan.Zero)
            {
                await Task.Delay(reply.Delay, _stop.Token);
            }

            var bytes = Encoding.UTF8.GetBytes(reply.Body);
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes, _stop.Token);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The client gave up (a timeout test) or the server is stopping.
            try
            {
                context.Response.Abort();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>One scripted answer: HTTP status, body, and how long to wait before sending it.</summary>
    public sealed record Reply(int Status, string Body, TimeSpan Delay);

    /// <summary>One request as received.</summary>
    public sealed record Recorded(string Method, string Path, string? Authorization, string Body)
    {
        /// <summary>The content of each chat message of the request, by role.</summary>
        public IReadOnlyList<(string Role, string Content)> Messages()
        {
            using var doc = JsonDocument.Parse(Body);
            return [.. doc.RootElement.GetProperty("messages").EnumerateArray().Select(m => (
                m.GetProperty("role").GetString() ?? "",
                m.GetProperty("content") is { ValueKind: JsonValueKind.String } s
                    ? s.GetString() ?? ""
                    : string.Concat(m.GetProperty("content").EnumerateArray().Select(p => p.TryGetProperty("text", out var t) ? t.GetString() : "")))),];
        }
    }
}
