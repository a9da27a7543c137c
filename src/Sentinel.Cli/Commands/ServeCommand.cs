using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Sentinel.Serve;

namespace Sentinel.Cli.Commands;

internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Where to listen; loopback by default (put a reverse proxy with TLS in front for the internet).",
            HelpName = "URL",
            DefaultValueFactory = _ => ServeOptions.DefaultUrls,
        };
        var inbox = new Option<string>("--inbox")
        {
            Description = "Folder uploads are written to (created if missing); process it with `sentinel ingest DIR`.",
            Required = true,
            HelpName = "DIR",
        };
        var maxUpload = new Option<int>("--max-upload-mb")
        {
            Description = "Largest accepted upload body, enforced while streaming (413 past it).",
            HelpName = "N",
            DefaultValueFactory = _ => 50,
        };
        var quota = new Option<int>("--quota-mb")
        {
            Description = "Total size the inbox may hold (507 when full).",
            HelpName = "N",
            DefaultValueFactory = _ => 1024,
        };
        var rateLimit = new Option<int>("--rate-limit")
        {
            Description = "Requests per minute one client may make (429 with Retry-After past it).",
            HelpName = "N",
            DefaultValueFactory = _ => 60,
        };
        var trust = new Option<string[]>("--trust-forwarded-from")
        {
            Description = "A reverse proxy's network (CIDR, e.g. 127.0.0.1/32; repeatable) whose X-Forwarded-For client address is used for rate limiting. " +
                          "Without it the header is ignored and all clients behind a proxy share one limit.",
            HelpName = "CIDR",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("serve",
            "Receive bundle uploads (POST /v1/bundles) and safe-schema telemetry records as JSON Lines (POST /v1/events) over HTTP " +
            "and write them durably into an inbox for `sentinel ingest --inbox DIR`. " +
            "Size, type, quota and per-client rate limits; client IPs and user agents are never stored. Runs until Ctrl-C. " +
            "See docs/ingestion-api.md.")
        {
            urls, inbox, maxUpload, quota, rateLimit, trust,
        };
        command.SetAction((parse, ct) => GlobalOptions.RunAsync(async () =>
        {
            var maxMb = parse.GetValue(maxUpload);
            var quotaMb = parse.GetValue(quota);
            var permits = parse.GetValue(rateLimit);
            if (maxMb <= 0 || quotaMb <= 0 || permits <= 0)
            {
                throw new UsageException("--max-upload-mb, --quota-mb and --rate-limit must be positive");
            }

            if (ServeOptions.UrlsProblem(parse.GetValue(urls)!) is { } urlProblem)
            {
                throw new UsageException(urlProblem);
            }

            var proxies = new List<System.Net.IPNetwork>();
            foreach (var cidr in parse.GetValue(trust) ?? [])
            {
                if (!System.Net.IPNetwork.TryParse(cidr, out var network))
                {
                    throw new UsageException($"--trust-forwarded-from: '{cidr}' is not a CIDR network such as 127.0.0.1/32 or 10.0.0.0/8");
                }

                proxies.Add(network);
            }

            var options = new ServeOptions
            {
                Urls = parse.GetValue(urls)!,
                Inbox = parse.GetValue(inbox)!,
                MaxUploadBytes = ServeOptions.Megabytes(maxMb),
                InboxQuotaBytes = ServeOptions.Megabytes(quotaMb),
                RateLimitPermits = permits,
                RateLimitWindow = TimeSpan.FromMinutes(1),
                TrustedProxies = proxies,
                ArchiveLimits = GlobalOptions.LoadConfig(parse).Ingest.Limits,
                ConsoleLog = true,
            };
            await using var app = UploadServer.Build(options);
            await app.StartAsync(ct);
            await Console.Error.WriteLineAsync(
                $"sentinel serve: listening on {string.Join(", ", UploadServer.BoundAddresses(app))}, inbox {Path.GetFullPath(options.Inbox)} (Ctrl-C to stop)");
            await app.WaitForShutdownAsync(ct);
            return ExitCode.Success;
        }));
        return command;
    }
}
