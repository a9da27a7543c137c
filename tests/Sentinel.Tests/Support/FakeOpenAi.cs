using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace Sentinel.Tests.Support;

/// <summary>
/// A tiny OpenAI-compatible chat-completions server on http://127.0.0.1:&lt;free port&gt;/ for tests.
/// Every request is recorded (path, Authorization header, body); each answer comes from a per-test
/// script, in order. With the script empty it answers 500.
/// </summary>
public sealed class FakeOpenAi : IDisposable
{
    private readonly ConcurrentQueue<Reply> _script = new();
    private readonly ConcurrentQueue<Recorded> _requests = new();
    private readonly LoopbackJsonServer _server;

    public FakeOpenAi() => _server = new LoopbackJsonServer(AnswerAsync);

    /// <summary>The server's root, without /v1 (the triager must add it).</summary>
    public string BaseUrl => _server.BaseUrl;

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

    private async Task<LoopbackJsonServer.JsonReply> AnswerAsync(HttpListenerRequest request, string body, HttpListenerResponse response, CancellationToken stop)
    {
        _requests.Enqueue(new Recorded(request.HttpMethod, request.Url?.AbsolutePath ?? "", request.Headers["Authorization"], body));
        var reply = _script.TryDequeue(out var scripted)
            ? scripted
            : new Reply(500, """{"error":{"message":"no scripted reply","type":"server_error"}}""", TimeSpan.Zero);
        if (reply.Delay > TimeSpan.Zero)
        {
            await Task.Delay(reply.Delay, stop);
        }

        return new LoopbackJsonServer.JsonReply(reply.Status, reply.Body);
    }

    public void Dispose() => _server.Dispose();

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
