namespace Sentinel.Serve;

/// <summary>Settings of the upload server; every one has a safe default except the inbox.</summary>
public sealed record ServeOptions
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>Where to listen (Kestrel URLs, ';'-separated). Loopback by default: meant to sit behind a reverse proxy.</summary>
    public string Urls { get; init; } = DefaultUrls;

    /// <summary>
    /// Why <paramref name="urls"/> is not a list Kestrel can bind, or null. Checked before the host starts:
    /// Kestrel's own refusal is a FormatException with a stack trace, logged from inside the host.
    /// </summary>
    public static string? UrlsProblem(string urls)
    {
        var parts = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            return "--urls: no URL given (e.g. http://127.0.0.1:5080)";
        }

        foreach (var part in parts)
        {
            try
            {
                var address = Microsoft.AspNetCore.Http.BindingAddress.Parse(part);
                if (address.Scheme is not ("http" or "https"))
                {
                    return $"--urls: '{part}' is not an http:// or https:// URL";
                }
            }
            catch (FormatException)
            {
                return $"--urls: '{part}' is not a URL such as http://127.0.0.1:5080";
            }
        }

        return null;
    }

    /// <summary>The folder <c>sentinel ingest</c> reads; created if missing.</summary>
    public required string Inbox { get; init; }

    /// <summary>Largest accepted body, enforced while streaming (413 past it).</summary>
    public long MaxUploadBytes { get; init; } = 50L * 1024 * 1024;

    /// <summary>Total size the inbox may hold (507 when an upload would pass it).</summary>
    public long InboxQuotaBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>Requests one client (remote IP) may make per <see cref="RateLimitWindow"/> (429 past it).</summary>
    public int RateLimitPermits { get; init; } = 60;

    public TimeSpan RateLimitWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A request (headers + body + answer) must finish within this (408 past it).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Reverse proxies (CIDR networks, e.g. <c>127.0.0.1/32</c>) whose <c>X-Forwarded-For</c> is believed: for a request
    /// from one of them, the client address it appended partitions the rate limiter instead of the proxy's own.
    /// Empty (the default): the header is ignored and every client behind a proxy shares the proxy's partition.
    /// </summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; init; } = [];

    /// <summary>
    /// Ingest's archive limits (sentinel.yml <c>ingest.limits</c>): a zip whose central directory breaks them (zip bomb,
    /// path traversal, links) is refused at upload with ingest's own message, instead of stored and quarantined later.
    /// </summary>
    public Sentinel.Config.LimitsConfig ArchiveLimits { get; init; } = new();

    /// <summary>The clock of the inbox's quota re-measurement and stale-upload clean-up (a test advances it instead of sleeping).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Log server warnings and errors to the console (never request lines, client IPs or user agents).</summary>
    public bool ConsoleLog { get; init; }

    public static long Megabytes(long mb) => mb * 1024 * 1024;
}
