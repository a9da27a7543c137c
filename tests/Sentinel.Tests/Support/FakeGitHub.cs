using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Sentinel.Tests.Support;

/// <summary>
/// A tiny GitHub REST API on http://127.0.0.1:&lt;free port&gt;/ for the real Octokit client: just the
/// endpoints `sentinel issues` calls (search issues, create/get/update an issue, comment, the App's
/// repository installation and installation token). Issues live in memory; every request is recorded;
/// faults are scripted per (method, path suffix) and consumed in order.
/// </summary>
public sealed partial class FakeGitHub : IDisposable
{
    private readonly ConcurrentQueue<Recorded> _requests = new();
    private readonly List<Fault> _faults = [];
    private readonly Dictionary<string, List<FakeIssue>> _issues = new(StringComparer.OrdinalIgnoreCase);
    private readonly object _gate = new();
    private readonly LoopbackJsonServer _server;
    private int _nextId = 1000;

    public FakeGitHub() => _server = new LoopbackJsonServer(AnswerAsync, "application/json; charset=utf-8");

    public string BaseUrl => _server.BaseUrl;

    /// <summary>The installation id /repos/{o}/{r}/installation answers, and the token the exchange hands out.</summary>
    public long InstallationId { get; set; } = 4242;

    public string InstallationToken { get; set; } = "ghs_fakeinstallationtoken";

    public IReadOnlyList<Recorded> Requests => [.. _requests];

    public IReadOnlyList<FakeIssue> Issues(string repo)
    {
        lock (_gate)
        {
            return _issues.TryGetValue(repo, out var list) ? [.. list] : [];
        }
    }

    public void Close(string repo, int number)
    {
        lock (_gate)
        {
            _issues[repo].Single(i => i.Number == number).State = "closed";
        }
    }

    /// <summary>
    /// The next request whose method matches and whose path ends with <paramref name="pathSuffix"/> gets
    /// this fault. <paramref name="applyFirst"/>: the server does the work (e.g. creates the issue) and then
    /// answers with the fault (after <paramref name="delay"/>).
    /// </summary>
    public void Script(string method, string pathSuffix, int status, string? message = null, IReadOnlyDictionary<string, string>? headers = null,
        TimeSpan delay = default, bool applyFirst = false)
    {
        lock (_gate)
        {
            _faults.Add(new Fault(method, pathSuffix, status, message ?? "scripted failure", headers ?? new Dictionary<string, string>(), delay, applyFirst));
        }
    }

    private async Task<LoopbackJsonServer.JsonReply> AnswerAsync(HttpListenerRequest request, string body, HttpListenerResponse response, CancellationToken stop)
    {
        var method = request.HttpMethod;
        var path = request.Url?.AbsolutePath ?? "";
        var query = request.QueryString["q"];
        _requests.Enqueue(new Recorded(method, path, query, request.Headers["Authorization"], body));
        Fault? fault;
        lock (_gate)
        {
            fault = _faults.FirstOrDefault(f => f.Method == method && path.EndsWith(f.PathSuffix, StringComparison.Ordinal));
            if (fault is not null)
            {
                _faults.Remove(fault);
            }
        }

        (int Status, string Json) reply;
        if (fault is null || fault.ApplyFirst)
        {
            reply = Route(method, path, query, body);
        }
        else
        {
            reply = (0, "");
        }

        if (fault is not null)
        {
            reply = (fault.Status, JsonSerializer.Serialize(new { message = fault.Message, documentation_url = "https://docs.github.com/rest" }));
            foreach (var (k, v) in fault.Headers)
            {
                response.Headers[k] = v;
            }

            if (fault.Delay > TimeSpan.Zero)
            {
                await Task.Delay(fault.Delay, stop);
            }
        }

        return new LoopbackJsonServer.JsonReply(reply.Status, reply.Json);
    }

    private (int, string) Route(string method, string path, string? q, string body)
    {
        lock (_gate)
        {
            if (method == "GET" && path == "/search/issues")
            {
                var repo = SearchRepo().Match(q ?? "").Groups[1].Value;
                var phrase = SearchPhrase().Match(q ?? "").Groups[1].Value;
                var items = (_issues.TryGetValue(repo, out var list) ? list : [])
                    .Where(i => phrase.Length > 0 && i.Body.Contains(phrase, StringComparison.Ordinal)).Select(i => Json(repo, i)).ToArray();
                return (200, new JsonObject { ["total_count"] = items.Length, ["incomplete_results"] = false, ["items"] = new JsonArray(items) }.ToJsonString());
            }

            if (IssuePath().Match(path) is { Success: true } m)
            {
                var repo = m.Groups[1].Value + "/" + m.Groups[2].Value;
                var issues = _issues.TryGetValue(repo, out var existing) ? existing : _issues[repo] = [];
                var number = m.Groups[3].Success ? int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : 0;
                var issue = issues.FirstOrDefault(i => i.Number == number);
                var comments = m.Groups[4].Success;
                var doc = body.Length > 0 ? JsonNode.Parse(body) : null;
                switch (method)
                {
                    case "POST" when number == 0:
                        var created = new FakeIssue(issues.Count + 1, doc?["title"]?.GetValue<string>() ?? "", doc?["body"]?.GetValue<string>() ?? "",
                            [.. (doc?["labels"]?.AsArray() ?? []).Select(l => l!.GetValue<string>())]);
                        issues.Add(created);
                        return (201, Json(repo, created).ToJsonString());
                    case "GET" when issue is not null && !comments:
                        return (200, Json(repo, issue).ToJsonString());
                    case "PATCH" when issue is not null:
                        if (doc?["state"]?.GetValue<string>() is { } state)
                        {
                            issue.State = state;
                        }

                        return (200, Json(repo, issue).ToJsonString());
                    case "POST" when issue is not null && comments:
                        var text = doc?["body"]?.GetValue<string>() ?? "";
                        issue.Comments.Add(text);
                        return (201, new JsonObject
                        {
                            ["id"] = _nextId++, ["body"] = text, ["html_url"] = $"https://github.example/{repo}/issues/{issue.Number}#c",
                            ["created_at"] = "2026-10-10T00:00:00Z", ["updated_at"] = "2026-10-10T00:00:00Z",
                        }.ToJsonString());
                    default:
                        return (404, """{"message":"Not Found"}""");
                }
            }

            if (method == "GET" && InstallationPath().IsMatch(path))
            {
                return (200, new JsonObject { ["id"] = InstallationId, ["app_id"] = 1, ["target_type"] = "Organization" }.ToJsonString());
            }

            if (method == "POST" && path == $"/app/installations/{InstallationId}/access_tokens")
            {
                return (201, new JsonObject { ["token"] = InstallationToken, ["expires_at"] = "2030-01-01T00:00:00Z" }.ToJsonString());
            }

            return (404, """{"message":"Not Found"}""");
        }
    }

    private JsonObject Json(string repo, FakeIssue i) => new()
    {
        ["id"] = 100_000 + i.Number,
        ["node_id"] = "I_" + i.Number.ToString(CultureInfo.InvariantCulture),
        ["url"] = $"{BaseUrl}/repos/{repo}/issues/{i.Number}",
        ["html_url"] = $"https://github.example/{repo}/issues/{i.Number}",
        ["number"] = i.Number,
        ["state"] = i.State,
        ["title"] = i.Title,
        ["body"] = i.Body,
        ["user"] = new JsonObject { ["login"] = "sentinel-bot", ["id"] = 1 },
        ["labels"] = new JsonArray([.. i.Labels.Select(l => (JsonNode)new JsonObject { ["name"] = l })]),
        ["comments"] = i.Comments.Count,
        ["locked"] = false,
        ["created_at"] = "2026-10-01T00:00:00Z",
        ["updated_at"] = "2026-10-01T00:00:00Z",
        ["closed_at"] = i.State == "closed" ? "2026-10-05T00:00:00Z" : null,
    };

    public void Dispose() => _server.Dispose();

    [GeneratedRegex(@"repo:(\S+)")]
    private static partial Regex SearchRepo();

    [GeneratedRegex("\"([^\"]+)\"")]
    private static partial Regex SearchPhrase();

    [GeneratedRegex(@"^/repos/([^/]+)/([^/]+)/issues(?:/(\d+))?(/comments)?$")]
    private static partial Regex IssuePath();

    [GeneratedRegex(@"^/repos/[^/]+/[^/]+/installation$")]
    private static partial Regex InstallationPath();

    public sealed class FakeIssue(int number, string title, string body, List<string> labels)
    {
        public int Number { get; } = number;
        public string Title { get; } = title;
        public string Body { get; } = body;
        public List<string> Labels { get; } = labels;
        public string State { get; set; } = "open";
        public List<string> Comments { get; } = [];
    }

    private sealed record Fault(string Method, string PathSuffix, int Status, string Message, IReadOnlyDictionary<string, string> Headers, TimeSpan Delay, bool ApplyFirst);

    /// <summary>One request as received (q: the search query, decoded).</summary>
    public sealed record Recorded(string Method, string Path, string? Query, string? Authorization, string Body);
}
