using System.Globalization;
using Octokit;
using Octokit.Internal;
using Sentinel.Config;

namespace Sentinel.Issues;

/// <summary>
/// The few GitHub calls <c>sentinel issues</c> makes, on Octokit, with the rate-limit rules GitHub
/// documents: a 403/429 with <c>Retry-After</c> waits that long; <c>X-RateLimit-Remaining: 0</c> waits
/// until <c>X-RateLimit-Reset</c>; a secondary-limit 403 without <c>Retry-After</c> backs off (1, 2, 4 …
/// minutes). Waiting goes through the <see cref="TimeProvider"/>, and the total wait of a run is capped
/// (<c>github.max_rate_limit_wait_seconds</c>): beyond it the call fails and the batch goes on.
/// A rate-limited request was not executed, so repeating it is safe, even a create.
/// </summary>
public sealed class GitHubGateway
{
    private readonly Uri _api;
    private readonly GitHubConfig _config;
    private readonly GitHubCredentials _credentials;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, IGitHubClient> _clients = new(StringComparer.OrdinalIgnoreCase);
    private DateTimeOffset? _primaryResetAt;

    public GitHubGateway(GitHubConfig config, GitHubCredentials credentials, TimeProvider time)
    {
        _config = config;
        _credentials = credentials;
        _time = time;
        _api = new Uri(config.ApiUrl.TrimEnd('/') + "/");
    }

    /// <summary>Total time waited for rate limits in this run.</summary>
    public TimeSpan Waited { get; private set; }

    private TimeSpan Timeout => TimeSpan.FromSeconds(_config.RequestTimeoutSeconds);

    /// <summary>
    /// A client whose base address is used as is (STACK item 12: the public GitHubClient(Uri)
    /// constructor would append /api/v3/ to a non-github.com host).
    /// </summary>
    public static GitHubClient CreateClient(Uri apiBase, Credentials credentials, TimeSpan timeout)
    {
        var connection = new Connection(new ProductHeaderValue("smonitor-sentinel"), apiBase, new InMemoryCredentialStore(credentials));
        var client = new GitHubClient(connection);
        client.SetRequestTimeout(timeout);
        return client;
    }

    private async Task<IGitHubClient> ClientAsync(string owner, string repo, CancellationToken ct)
    {
        var full = owner + "/" + repo;
        if (_clients.TryGetValue(full, out var cached))
        {
            return cached;
        }

        string token;
        if (_credentials.IsApp)
        {
            token = await CallAsync(() => GitHubAppAuth.InstallationTokenAsync(_api, _credentials.AppId!, _credentials.AppPrivateKeyPem!, owner, repo, _time, Timeout), null, ct);
        }
        else
        {
            token = _credentials.Token!;
        }

        var client = CreateClient(_api, new Credentials(token), Timeout);
        _clients[full] = client;
        return client;
    }

    /// <summary>Issues (open or closed) in owner/repo whose body holds exactly this marker.</summary>
    public async Task<IReadOnlyList<Issue>> FindByMarkerAsync(string owner, string repo, string key, CancellationToken ct)
    {
        var client = await ClientAsync(owner, repo, ct);
        var request = new SearchIssuesRequest($"\"{IssueBody.SearchTerm(key)}\"")
        {
            Repos = [$"{owner}/{repo}"],
            Type = IssueTypeQualifier.Issue,
            In = [IssueInQualifier.Body],
        };
        var found = await CallAsync(() => client.Search.SearchIssues(request), client, ct);
        var marker = IssueBody.Marker(key);
        return [.. found.Items.Where(i => i.Body?.Contains(marker, StringComparison.Ordinal) == true).OrderBy(i => i.Number)];
    }

    public async Task<Issue> GetAsync(string owner, string repo, int number, CancellationToken ct)
    {
        var client = await ClientAsync(owner, repo, ct);
        return await CallAsync(() => client.Issue.Get(owner, repo, number), client, ct);
    }

    public async Task<Issue> CreateAsync(string owner, string repo, string title, string body, IEnumerable<string> labels, CancellationToken ct)
    {
        var client = await ClientAsync(owner, repo, ct);
        var issue = new NewIssue(title) { Body = body };
        foreach (var label in labels)
        {
            issue.Labels.Add(label);
        }

        return await CallAsync(() => client.Issue.Create(owner, repo, issue), client, ct);
    }

    public async Task CommentAsync(string owner, string repo, int number, string body, CancellationToken ct)
    {
        var client = await ClientAsync(owner, repo, ct);
        await CallAsync(() => client.Issue.Comment.Create(owner, repo, number, body), client, ct);
    }

    public async Task ReopenAsync(string owner, string repo, int number, CancellationToken ct)
    {
        var client = await ClientAsync(owner, repo, ct);
        await CallAsync(() => client.Issue.Update(owner, repo, number, new IssueUpdate { State = ItemState.Open }), client, ct);
    }

    /// <summary>Waits out the pacing between writes on the run's clock.</summary>
    public Task PaceAsync(TimeSpan wait, CancellationToken ct) => wait > TimeSpan.Zero ? Task.Delay(wait, _time, ct) : Task.CompletedTask;

    private async Task<T> CallAsync<T>(Func<Task<T>> call, IGitHubClient? client, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (_primaryResetAt is { } reset && reset > _time.GetUtcNow())
            {
                await WaitAsync(reset - _time.GetUtcNow(), "the primary rate limit (X-RateLimit-Remaining: 0)", ct);
            }

            _primaryResetAt = null;
            try
            {
                var result = await call();
                if (client?.GetLastApiInfo()?.RateLimit is { Remaining: 0 } limit)
                {
                    _primaryResetAt = limit.Reset;
                }

                return result;
            }
            catch (ApiException e) when (RateLimitWait(e, attempt) is { } wait)
            {
                await WaitAsync(wait, $"a rate limit (HTTP {(int)e.StatusCode})", ct);
            }
            catch (AuthorizationException e)
            {
                throw new GitHubWriteException($"GitHub rejected the credentials (401 Unauthorized): {e.Message}", e);
            }
            catch (ApiException e)
            {
                throw new GitHubWriteException($"GitHub answered {(int)e.StatusCode}: {e.Message}", e);
            }
            catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new GitHubTimeoutException($"no answer from GitHub within {_config.RequestTimeoutSeconds} s", e);
            }
            catch (HttpRequestException e)
            {
                throw new GitHubTimeoutException($"GitHub unreachable: {e.Message}", e);
            }
        }
    }

    /// <summary>How long to wait before repeating a rate-limited call, or null when it is not rate-limited.</summary>
    private TimeSpan? RateLimitWait(ApiException e, int attempt)
    {
        var status = (int)e.StatusCode;
        if (status is not (403 or 429))
        {
            return null;
        }

        var headers = e.HttpResponse?.Headers;
        string? Header(string name) => headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
        if (Header("Retry-After") is { } retryAfter && int.TryParse(retryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (Header("X-RateLimit-Remaining") == "0" && long.TryParse(Header("X-RateLimit-Reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var resetUnix))
        {
            var wait = DateTimeOffset.FromUnixTimeSeconds(resetUnix) - _time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait + TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(1);
        }

        if (e is SecondaryRateLimitExceededException or AbuseException or RateLimitExceededException || status == 429)
        {
            return TimeSpan.FromMinutes(Math.Pow(2, Math.Min(attempt, 5)));
        }

        return null; // a plain 403: a permission problem, not a limit
    }

    private async Task WaitAsync(TimeSpan wait, string why, CancellationToken ct)
    {
        var cap = TimeSpan.FromSeconds(_config.MaxRateLimitWaitSeconds);
        if (Waited + wait > cap)
        {
            throw new GitHubWriteException(
                $"rate-limited by GitHub ({why}); waiting {wait.TotalSeconds:0} s more would pass github.max_rate_limit_wait_seconds ({cap.TotalSeconds:0} s)");
        }

        Waited += wait;
        await Task.Delay(wait, _time, ct);
    }
}

/// <summary>No answer in time (or no connection): the write may or may not have happened; reconcile before repeating.</summary>
public sealed class GitHubTimeoutException : Exception
{
    public GitHubTimeoutException(string message) : base(message) { }
    public GitHubTimeoutException() { }
    public GitHubTimeoutException(string message, Exception inner) : base(message, inner) { }
}
