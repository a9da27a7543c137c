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
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sentinel.Serve;

/// <summary>
/// <c>sentinel serve</c> (DESIGN §9): a minimal API that takes bundle uploads and writes them durably into the
/// inbox <c>sentinel ingest</c> processes. Client IPs partition the rate limiter and nothing else: no request
/// logging, no IP or user agent written anywhere.
/// </summary>
public static class UploadServer
{
    public const string HealthPath = "/v1/health";
    public const string BundlesPath = "/v1/bundles";
    public const string DeletionTokenHeader = "X-Deletion-Token";
    private const int BufferSize = 81920;

    /// <summary>Builds (does not start) the server. Listen on <c>http://127.0.0.1:0</c> and read <see cref="BoundAddresses"/> for a free port.</summary>
    public static WebApplication Build(ServeOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.MaxUploadBytes <= 0 || o.InboxQuotaBytes <= 0 || o.RateLimitPermits <= 0 || o.RateLimitWindow <= TimeSpan.Zero || o.RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("serve limits must be positive", nameof(o));
        }

        var inbox = new Inbox(o.Inbox, o.InboxQuotaBytes);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(UploadServer).Assembly.GetName().Name,
            ContentRootPath = inbox.TempDir,
            Args = [],
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
        builder.Services.ConfigureHttpJsonOptions(j => j.SerializerOptions.TypeInfoResolverChain.Insert(0, ServeJson.Default));
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
                    new ApiError("rate_limited", $"too many requests from this client; retry after {seconds} s"), ServeJson.Default.ApiError, cancellationToken: ct);
            };
        });

        var app = builder.Build();
        app.UseRateLimiter();
        app.UseRequestTimeouts();

        app.MapGet(HealthPath, () => Results.Json(new Health("ok"), ServeJson.Default.Health));
        app.MapPost(BundlesPath, (Func<HttpContext, Task<IResult>>)(ctx => UploadAsync(ctx, inbox, o)));
        app.MapDelete(BundlesPath + "/{receipt}", (HttpContext ctx, string receipt) =>
        {
            var token = ctx.Request.Headers[DeletionTokenHeader].FirstOrDefault() ?? ctx.Request.Query["token"].FirstOrDefault();
            return inbox.Delete(receipt, token) switch
            {
                Inbox.DeleteOutcome.Deleted => Results.NoContent(),
                Inbox.DeleteOutcome.WrongToken => Error(StatusCodes.Status403Forbidden, "forbidden", $"missing or wrong deletion token ({DeletionTokenHeader} header or ?token=)"),
                _ => Error(StatusCodes.Status404NotFound, "not_found", "no upload with this receipt is waiting in the inbox"),
            };
        });
        return app;
    }

    /// <summary>The addresses the started server listens on (with the real port when asked for port 0).</summary>
    public static IReadOnlyList<string> BoundAddresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];
    }

    private static async Task<IResult> UploadAsync(HttpContext ctx, Inbox inbox, ServeOptions o)
    {
        if (BodySniffer.FromContentType(ctx.Request.ContentType) is not { } kind)
        {
            return Error(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                "Content-Type must be application/json, application/zip or application/gzip (a .tar.gz bundle)");
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
            var sniffer = new BodySniffer(kind);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await using (var file = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
                Options = FileOptions.Asynchronous,
            }))
            {
                int read;
                while ((read = await ctx.Request.Body.ReadAsync(buffer.AsMemory(0, BufferSize), ctx.RequestAborted)) > 0)
                {
                    size += read;
                    if (size > o.MaxUploadBytes)
                    {
                        return TooLarge(o);
                    }

                    var chunk = buffer.AsMemory(0, read);
                    if (sniffer.Verdict is null)
                    {
                        sniffer.Feed(chunk.Span);
                        if (sniffer.Verdict == false)
                        {
                            return Error(StatusCodes.Status400BadRequest, "malformed_body", sniffer.Problem);
                        }
                    }

                    hash.AppendData(chunk.Span);
                    await file.WriteAsync(chunk, ctx.RequestAborted);
                }

                sniffer.Finish();
                if (sniffer.Verdict == false)
                {
                    return Error(StatusCodes.Status400BadRequest, "malformed_body", sniffer.Problem);
                }

                file.Flush(flushToDisk: true); // fsync before the rename makes it visible to ingest
            }

            var receipt = Inbox.ReceiptOf(hash.GetHashAndReset());
            return inbox.Commit(temp, receipt, kind, size) switch
            {
                Inbox.CommitOutcome.QuotaExceeded => Full(),
                _ => Results.Json(new Receipt(receipt, inbox.TokenFor(receipt)), ServeJson.Default.Receipt, statusCode: StatusCodes.Status202Accepted),
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
        Results.Json(new ApiError(error, detail), ServeJson.Default.ApiError, statusCode: status);
}

internal sealed record Health([property: JsonPropertyName("status")] string Status);

internal sealed record Receipt(
    [property: JsonPropertyName("receipt")] string Id,
    [property: JsonPropertyName("deletion_token")] string DeletionToken);

internal sealed record ApiError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("detail")] string Detail);

[JsonSerializable(typeof(Health))]
[JsonSerializable(typeof(Receipt))]
[JsonSerializable(typeof(ApiError))]
internal sealed partial class ServeJson : JsonSerializerContext;
