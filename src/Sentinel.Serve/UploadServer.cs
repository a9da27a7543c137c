using Sentinel.Ingest;
using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sentinel.Serve;

/// <summary>
/// <c>sentinel serve</c> (DESIGN §9): a minimal API that takes bundle uploads and safe-schema telemetry records and
/// writes them durably into the inbox <c>sentinel ingest</c> processes. Client IPs partition the rate limiter and nothing else: no request
/// logging, no IP or user agent written anywhere.
/// </summary>
public static class UploadServer
{
    public const string HealthPath = "/v1/health";
    public const string BundlesPath = "/v1/bundles";

    /// <summary>The version manifest of a bundle upload: <c>lib=ver[, lib=ver…]</c> (also accepted as <c>?versions=</c>).</summary>
    public const string VersionsHeader = "Sentinel-Versions";

    public const string VersionsQuery = "versions";
    public const string EventsPath = "/v1/events";
    public const string DeletionTokenHeader = "X-Deletion-Token";
    // Well under Kestrel's 1 MiB request buffer (which pauses the socket when full), so ReadAtLeastAsync can always complete.
    private const int BufferSize = 256 * 1024;

    /// <summary>Builds (does not start) the server. Listen on <c>http://127.0.0.1:0</c> and read <see cref="BoundAddresses"/> for a free port.</summary>
    public static WebApplication Build(ServeOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.MaxUploadBytes <= 0 || o.InboxQuotaBytes <= 0 || o.RateLimitPermits <= 0 || o.RateLimitWindow <= TimeSpan.Zero || o.RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("serve limits must be positive", nameof(o));
        }

        var inbox = new Inbox(o.Inbox, o.InboxQuotaBytes, o.Clock);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(UploadServer).Assembly.GetName().Name,
            // The host watches its content root for appsettings changes (inotify): never point it at the inbox, where every
            // upload writes, and switch the watching off altogether.
            ContentRootPath = AppContext.BaseDirectory,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });

        // No request logging: only server warnings/errors, which never carry a client address or user agent.
        builder.Logging.ClearProviders();
        if (o.ConsoleLog)
        {
            builder.Logging.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        }

        builder.WebHost.UseUrls(o.Urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = o.MaxUploadBytes; // backstop; the handler counts too
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(Math.Min(30, o.RequestTimeout.TotalSeconds));
        });
        builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>, LargeBlockMemoryPool.Factory>();
        builder.Services.ConfigureHttpJsonOptions(j => j.SerializerOptions.TypeInfoResolverChain.Insert(0, ServeJson.Api));
        builder.Services.AddRequestTimeouts(t => t.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = o.RequestTimeout,
            TimeoutStatusCode = StatusCodes.Status408RequestTimeout,
        });
        builder.Services.AddRateLimiter(r =>
        {
            r.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            r.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
                ctx.Request.Path.StartsWithSegments(HealthPath, StringComparison.Ordinal)
                    ? RateLimitPartition.GetNoLimiter("health")
                    : RateLimitPartition.GetFixedWindowLimiter(
                        ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown", // used for limiting only, never stored or logged
                        _ => new FixedWindowRateLimiterOptions
                        {
                            PermitLimit = o.RateLimitPermits,
                            Window = o.RateLimitWindow,
                            QueueLimit = 0,
                            AutoReplenishment = true,
                        }));
            r.OnRejected = async (rejected, ct) =>
            {
                var retry = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : o.RateLimitWindow;
                var seconds = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds));
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await rejected.HttpContext.Response.WriteAsJsonAsync(
                    new ApiError("rate_limited", $"too many requests from this client; retry after {seconds} s"), ServeJson.Api.ApiError, cancellationToken: ct);
            };
        });

        var app = builder.Build();
        if (o.TrustedProxies.Count > 0)
        {
            // Only X-Forwarded-For, only from the named proxies (the loopback default is cleared), only the last hop:
            // the address the trusted proxy itself appended. It rewrites RemoteIpAddress for the rate limiter below.
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor, ForwardLimit = 1 };
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var network in o.TrustedProxies)
            {
                forwarded.KnownIPNetworks.Add(network);
            }

            app.UseForwardedHeaders(forwarded);
        }

        app.UseRateLimiter();
        app.UseRequestTimeouts();

        app.MapGet(HealthPath, () => Results.Json(new Health("ok"), ServeJson.Api.Health));
        app.MapPost(BundlesPath, (Func<HttpContext, Task<IResult>>)(ctx => UploadAsync(ctx, inbox, o, telemetry: false)));
        app.MapPost(EventsPath, (Func<HttpContext, Task<IResult>>)(ctx => UploadAsync(ctx, inbox, o, telemetry: true)));
        app.MapDelete(BundlesPath + "/{receipt}", Delete);
        app.MapDelete(EventsPath + "/{receipt}", Delete);
        return app;

        IResult Delete(HttpContext ctx, string receipt)
        {
            var token = ctx.Request.Headers[DeletionTokenHeader].FirstOrDefault() ?? ctx.Request.Query["token"].FirstOrDefault();
            return inbox.Delete(receipt, token) switch
            {
                Inbox.DeleteOutcome.Deleted => Results.NoContent(),
                Inbox.DeleteOutcome.ForgetScheduled => Results.Json(new DeleteScheduled(receipt, "forget_scheduled",
                    "the upload was already ingested: its rows will be removed from the lake by the next `sentinel forget --inbox` run"),
                    ServeJson.Api.DeleteScheduled, statusCode: StatusCodes.Status202Accepted),
                Inbox.DeleteOutcome.WrongToken => Error(StatusCodes.Status403Forbidden, "forbidden", $"missing or wrong deletion token ({DeletionTokenHeader} header or ?token=)"),
                _ => Error(StatusCodes.Status404NotFound, "not_found", "no upload with this receipt is in the inbox or was ingested from it"),
            };
        }
    }

    /// <summary>The addresses the started server listens on (with the real port when asked for port 0).</summary>
    public static IReadOnlyList<string> BoundAddresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];
    }

    private static async Task<IResult> UploadAsync(HttpContext ctx, Inbox inbox, ServeOptions o, bool telemetry)
    {
        if (BodySniffer.FromContentType(ctx.Request.ContentType) is not { } kind || telemetry != (kind == BodyKind.Telemetry))
        {
            return Error(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", telemetry
                ? "Content-Type must be application/x-ndjson or application/jsonl: safe-schema telemetry records, one JSON object per line (bundles go to " + BundlesPath + ")"
                : "Content-Type must be application/json, application/zip or application/gzip (a .tar.gz bundle); telemetry records as JSON Lines go to " + EventsPath);
        }

        // The uploader's version manifest (docs/library-authors.md): header or query parameter, never both.
        IReadOnlyDictionary<string, string> manifest = new Dictionary<string, string>();
        if (!telemetry)
        {
            var header = ctx.Request.Headers[VersionsHeader];
            var query = ctx.Request.Query[VersionsQuery];
            if (header.Count + query.Count > 1)
            {
                return Error(StatusCodes.Status400BadRequest, "bad_versions",
                    $"give the version manifest once: one {VersionsHeader} header or one ?{VersionsQuery}= parameter");
            }

            if (UploadManifest.Parse(header.Count == 1 ? header[0] : query.Count == 1 ? query[0] : null, out var manifestError) is not { } parsed)
            {
                return Error(StatusCodes.Status400BadRequest, "bad_versions", manifestError!);
            }

            manifest = parsed;
        }

        var declared = ctx.Request.ContentLength;
        if (declared > o.MaxUploadBytes)
        {
            return TooLarge(o);
        }

        if (!inbox.HasRoomFor(declared ?? 0))
        {
            return Full();
        }

        var temp = inbox.NewTempFile();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            BodyCheck check = telemetry ? new TelemetryCheck() : new BodySniffer(kind);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            // Synchronous writes: on Linux an "asynchronous" file write is a synchronous one handed to the thread pool,
            // one hop per chunk; a write into the page cache is a memory copy, cheaper done on the request's own thread.
            using (var file = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
                Options = FileOptions.None,
            }))
            {
                // Kestrel receives in pieces of a few KiB; waiting for a buffer's worth before waking up makes a 1 MB body
                // four rounds of check, hash and write (each write a system call) instead of hundreds.
                var reader = ctx.Request.BodyReader;
                while (true)
                {
                    var result = await reader.ReadAtLeastAsync(BufferSize, ctx.RequestAborted);
                    var body = result.Buffer;
                    while (!body.IsEmpty)
                    {
                        var n = (int)Math.Min(body.Length, BufferSize);
                        size += n;
                        if (size > o.MaxUploadBytes)
                        {
                            reader.AdvanceTo(body.Start);
                            return TooLarge(o);
                        }

                        body.Slice(0, n).CopyTo(buffer);
                        body = body.Slice(n);
                        var chunk = buffer.AsSpan(0, n);
                        if (!check.Done)
                        {
                            check.Feed(chunk);
                            if (check.Failure is { } refused)
                            {
                                reader.AdvanceTo(body.Start);
                                return Refused(refused);
                            }
                        }

                        hash.AppendData(chunk);
                        file.Write(chunk);
                    }

                    reader.AdvanceTo(result.Buffer.End);
                    if (result.IsCompleted)
                    {
                        break;
                    }
                }

                check.Finish();
                if (check.Failure is { } failure)
                {
                    return Refused(failure);
                }

                file.Flush(flushToDisk: true); // fsync before the rename makes it visible to ingest
            }

            // A zip's central directory is at its end: checked once the body is complete, with ingest's own rules, so a
            // zip bomb or a path-traversal zip is refused now instead of stored and quarantined later.
            if (kind == BodyKind.Zip && Sentinel.Ingest.UploadReader.PreflightZip(temp, o.ArchiveLimits) is { } unsafeZip)
            {
                return Refused(new ApiError("unsafe_archive", unsafeZip.Message));
            }

            var receipt = Inbox.ReceiptOf(hash.GetHashAndReset());
            UploadManifest.Write(inbox.Dir, receipt, manifest); // before the upload is visible to ingest
            return inbox.Commit(temp, receipt, kind, size) switch
            {
                Inbox.CommitOutcome.QuotaExceeded => Full(),
                _ => Results.Json(new Receipt(receipt, inbox.TokenFor(receipt)), ServeJson.Api.Receipt, statusCode: StatusCodes.Status202Accepted),
            };
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own limits (body size, data rate): answer with its status code; never a half-written file.
            var code = e.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => "payload_too_large",
                StatusCodes.Status408RequestTimeout => "request_timeout",
                _ => "bad_request",
            };
            return Error(e.StatusCode, code, e.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (File.Exists(temp))
            {
                Inbox.TryDelete(temp); // rejected, duplicate, timed out or aborted: the temp file never survives
            }
        }
    }

    private static IResult TooLarge(ServeOptions o) => Error(StatusCodes.Status413PayloadTooLarge, "payload_too_large",
        $"body is larger than the {o.MaxUploadBytes.ToString(CultureInfo.InvariantCulture)}-byte upload limit");

    private static IResult Full() => Error(StatusCodes.Status507InsufficientStorage, "inbox_full",
        "the inbox quota is used up; try again after the next ingest");

    private static IResult Error(int status, string error, string detail) =>
        Results.Json(new ApiError(error, detail), ServeJson.Api.ApiError, statusCode: status);

    private static IResult Refused(ApiError error) => Results.Json(error, ServeJson.Api.ApiError, statusCode: StatusCodes.Status400BadRequest);
}

internal sealed record Health([property: JsonPropertyName("status")] string Status);

internal sealed record Receipt(
    [property: JsonPropertyName("receipt")] string Id,
    [property: JsonPropertyName("deletion_token")] string DeletionToken);

/// <param name="Line">For a refused telemetry body: the 1-based line of the first problem.</param>
/// <param name="Field">For a refused telemetry body: the field at fault, when there is one (never its value).</param>
internal sealed record ApiError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("line"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Line = null,
    [property: JsonPropertyName("field"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Field = null);

/// <summary>The answer to a DELETE of an upload that was already ingested.</summary>
internal sealed record DeleteScheduled(
    [property: JsonPropertyName("receipt")] string Receipt,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("detail")] string Detail);

[JsonSerializable(typeof(Health))]
[JsonSerializable(typeof(DeleteScheduled))]
[JsonSerializable(typeof(Receipt))]
[JsonSerializable(typeof(ApiError))]
internal sealed partial class ServeJson : JsonSerializerContext
{
    /// <summary>Answers are JSON for programs, never embedded in HTML: quotes and '+' are written as they are, not as \u0027 / \u002B.</summary>
    public static ServeJson Api { get; } = new(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
